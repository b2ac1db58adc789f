package dev.cria.align;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The adaptive and fixed KL coefficients on worked numbers. */
class KlControllerTest {
    @Test
    void adaptiveUpdateOnAWorkedNumber() {
        // β = 0.1, target 6, horizon 10000, a batch of 256.
        // KL 6.6: e = 6.6/6 − 1 = 0.1 (inside the clip); β ← 0.1·(1 + 0.1·256/10000) = 0.1·1.00256 = 0.100256
        var controller = new AdaptiveKlController(0.1, 6, 10000);

        controller.update(6.6, 256);

        assertThat(controller.beta()).isCloseTo(0.100256, within(1e-12));
    }

    @Test
    void adaptiveErrorIsClippedToPlusMinusPointTwo() {
        // KL 9: e = 0.5 → 0.2; β ← 0.1·(1 + 0.2·256/10000) = 0.1·1.00512 = 0.100512
        var high = new AdaptiveKlController(0.1, 6, 10000);
        high.update(9, 256);
        assertThat(high.beta()).isCloseTo(0.100512, within(1e-12));
        // KL 0: e = −1 → −0.2; β ← 0.1·(1 − 0.2·256/10000) = 0.1·0.99488 = 0.099488
        var low = new AdaptiveKlController(0.1, 6, 10000);
        low.update(0, 256);
        assertThat(low.beta()).isCloseTo(0.099488, within(1e-12));
    }

    @Test
    void adaptiveUpdatesCompound() {
        // Twice at KL 9: 0.1·1.00512² = 0.1·1.0102662144 = 0.10102662144
        var controller = new AdaptiveKlController(0.1, 6, 10000);
        controller.update(9, 256);
        controller.update(9, 256);
        assertThat(controller.beta()).isCloseTo(0.10102662144, within(1e-12));
    }

    @Test
    void fixedNeverMoves() {
        KlController controller = new FixedKlController(0.05);
        controller.update(100, 512);
        assertThat(controller.beta()).isEqualTo(0.05);
    }

    @Test
    void badArgumentsNameTheValue() {
        assertThatThrownBy(() -> new AdaptiveKlController(0.1, 0, 10000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("target").hasMessageContaining("0.0");
        assertThatThrownBy(() -> new AdaptiveKlController(0.1, 6, 10000).update(Double.NaN, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kl is NaN");
        assertThatThrownBy(() -> new FixedKlController(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("beta").hasMessageContaining("-1.0");
    }
}
