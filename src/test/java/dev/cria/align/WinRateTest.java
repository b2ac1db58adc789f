package dev.cria.align;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Win rates and their 95% intervals, worked by hand. */
class WinRateTest {
    @Test
    void sixtyWinsAndFortyLossesOfAHundred() {
        double[] outcomes = new double[100];
        Arrays.fill(outcomes, 0, 60, 1);
        WinRate w = WinRate.of(outcomes);
        // sample sd = sqrt(0.24 · 100/99) = 0.49237; SE = 0.049237; half-width = 1.96 · SE = 0.096503
        assertThat(w.rate()).isEqualTo(0.6);
        assertThat(w.low()).isCloseTo(0.6 - 0.096503, within(1e-5));
        assertThat(w.high()).isCloseTo(0.6 + 0.096503, within(1e-5));
        assertThat(w.clearlyAbove(0.5)).isTrue();
        assertThat(w.toString()).isEqualTo("0.600 [0.503, 0.697]");
    }

    @Test
    void tiesCountHalfAndAllTiesIsExactlyAHalfWithNoSpread() {
        double[] ties = new double[10];
        Arrays.fill(ties, 0.5);
        WinRate w = WinRate.of(ties);
        assertThat(w.rate()).isEqualTo(0.5);
        assertThat(w.low()).isEqualTo(0.5);
        assertThat(w.clearlyAbove(0.5)).isFalse();
    }

    @Test
    void theIntervalStaysWithinZeroAndOne() {
        WinRate w = WinRate.of(new double[] {1, 1, 1, 0});
        assertThat(w.high()).isEqualTo(1.0);
        assertThat(w.low()).isGreaterThanOrEqualTo(0.0);
    }
}
