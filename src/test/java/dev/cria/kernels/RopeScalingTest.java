package dev.cria.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** The rescaled inverse-frequency tables of linear and Llama 3.1 RoPE, worked by hand. */
class RopeScalingTest {
    @Test
    void linearDividesEveryFrequency() {
        var plain = Rope.Table.of(8, 4, 10000f);
        var scaled = Rope.Table.of(8, 4, 10000f, new Rope.Scaling.Linear(2f));
        // angle p·f/2 equals the plain angle at p/2: position 6 scaled is position 3 plain
        assertThat(scaled.cos()[6 * 2 + 1]).isCloseTo(plain.cos()[3 * 2 + 1], Offset.offset(1e-6f));
        assertThat(scaled.sin()[6 * 2]).isCloseTo(plain.sin()[3 * 2], Offset.offset(1e-6f));
    }

    @Test
    void llama3KeepsHighFrequenciesDividesLowOnesAndBlendsBetween() {
        // originalMax 64: wavelengths under 64/4 = 16 are kept, over 64/1 = 64 divided by the factor 8
        var s = new Rope.Scaling.Llama3(8f, 1f, 4f, 64);
        float high = (float) (2 * Math.PI / 10);   // wavelength 10
        float low = (float) (2 * Math.PI / 100);   // wavelength 100
        float mid = (float) (2 * Math.PI / 32);    // wavelength 32: smooth = (64/32 − 1) / (4 − 1) = 1/3
        assertThat(s.apply(high)).isEqualTo(high);
        assertThat(s.apply(low)).isCloseTo(low / 8, Offset.offset(1e-9f));
        assertThat(s.apply(mid)).isCloseTo((2f / 3) * mid / 8 + (1f / 3) * mid, Offset.offset(1e-7f));
    }

    @Test
    void badFactorsNameTheValue() {
        assertThatThrownBy(() -> new Rope.Scaling.Linear(0f)).hasMessageContaining(": 0.0");
        assertThatThrownBy(() -> new Rope.Scaling.Llama3(8f, 4f, 1f, 64)).hasMessageContaining("4.0, 1.0");
    }
}
