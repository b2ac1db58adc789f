package dev.cria.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The Q8_0 and Q4_0 quantizers against blocks worked by hand, and the layout of their bytes. */
class QuantMatrixTest {
    private static float[] block(float... leading) {
        float[] x = new float[QuantMatrix.BLOCK];
        System.arraycopy(leading, 0, x, 0, leading.length);
        return x;
    }

    private static float[] row(QuantMatrix q) {
        float[] out = new float[q.cols()];
        q.widenScalar(0, 0, q.cols(), out, 0);
        return out;
    }

    @Test
    void q8OfAllZerosIsAZeroScaleAndZeroCodes() {
        QuantMatrix q = QuantMatrix.quantize(block(), 1, 32, QuantMatrix.Kind.Q8_0);
        assertThat(q.scale(0, 0)).isZero();
        assertThat(row(q)).containsOnly(0f);
    }

    @Test
    void q8RoundsHalvesAwayFromZero() {
        // max |x| = 127, so d = 1 and each code is x rounded: C's roundf, not Java's Math.round
        QuantMatrix q = QuantMatrix.quantize(block(127f, -63.5f, 0.5f, -0.5f, -2.5f, 2.49f), 1, 32, QuantMatrix.Kind.Q8_0);
        assertThat(q.scale(0, 0)).isEqualTo(1f);
        assertThat(new int[] {q.code(0, 0), q.code(0, 1), q.code(0, 2), q.code(0, 3), q.code(0, 4), q.code(0, 5)})
                .containsExactly(127, -64, 1, -1, -3, 2);
        assertThat(row(q)).startsWith(127f, -64f, 1f, -1f, -3f, 2f);
    }

    @Test
    void q8OutlierTakesTheScaleAndTheRestRoundToZero() {
        float[] x = block();
        java.util.Arrays.fill(x, 1f);
        x[5] = 1000f;
        QuantMatrix q = QuantMatrix.quantize(x, 1, 32, QuantMatrix.Kind.Q8_0);
        float d = Float.float16ToFloat(Float.floatToFloat16(1000f / 127f));
        assertThat(q.get(0, 5)).isEqualTo(127 * d);
        assertThat(q.get(0, 0)).isZero();
        // the stored bytes: little-endian float16 scale, then the 32 signed codes
        assertThat(q.blocks().byteSize()).isEqualTo(34);
        assertThat(q.blocks().get(ValueLayout.JAVA_SHORT_UNALIGNED, 0)).isEqualTo(Float.floatToFloat16(1000f / 127f));
        assertThat(q.blocks().get(ValueLayout.JAVA_BYTE, 2 + 5)).isEqualTo((byte) 127);
    }

    @Test
    void q4ScaleComesFromTheSignedMaximumSoANegativeMaximumIsExact() {
        // largest magnitude is -8: d = -8 / -8 = 1, codes are trunc(x + 8.5), clamped to 15
        QuantMatrix q = QuantMatrix.quantize(block(-8f, 7f, 3.4f, -3.6f), 1, 32, QuantMatrix.Kind.Q4_0);
        assertThat(q.scale(0, 0)).isEqualTo(1f);
        assertThat(new int[] {q.code(0, 0), q.code(0, 1), q.code(0, 2), q.code(0, 3), q.code(0, 4)}).containsExactly(0, 15, 11, 4, 8);
        assertThat(row(q)).startsWith(-8f, 7f, 3f, -4f, 0f);
    }

    @Test
    void q4PositiveMaximumGetsANegativeScale() {
        QuantMatrix q = QuantMatrix.quantize(block(8f, -7f), 1, 32, QuantMatrix.Kind.Q4_0);
        assertThat(q.scale(0, 0)).isEqualTo(-1f);
        assertThat(row(q)).startsWith(8f, -7f, -0f); // (8 − 8)·(−1): a negative zero, as llama.cpp's dequantization gives
    }

    @Test
    void q4PacksWeightJInTheLowNibbleAndJPlus16InTheHigh() {
        float[] x = block();
        x[16] = -8f; // d = 1: weight 16 has code 0, every zero weight code 8
        x[1] = 7f;   // code 15
        QuantMatrix q = QuantMatrix.quantize(x, 1, 32, QuantMatrix.Kind.Q4_0);
        assertThat(q.blocks().byteSize()).isEqualTo(18);
        assertThat(q.blocks().get(ValueLayout.JAVA_BYTE, 2) & 0xFF).isEqualTo(0x08); // weight 0 (8), weight 16 (0)
        assertThat(q.blocks().get(ValueLayout.JAVA_BYTE, 3) & 0xFF).isEqualTo(0x8F); // weight 1 (15), weight 17 (8)
        assertThat(q.get(0, 16)).isEqualTo(-8f);
    }

    @Test
    void errorStaysWithinHalfAStepAndWideningMatchesElementReads() {
        Random rng = new Random(7);
        int rows = 5, cols = 96;
        float[] x = new float[rows * cols];
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
        for (QuantMatrix.Kind kind : QuantMatrix.Kind.values()) {
            QuantMatrix q = QuantMatrix.quantize(x, rows, cols, kind);
            float[] wide = q.toFloats();
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    // half a step, plus the scale's float16 rounding at the largest code; Q4_0's codes reach
                    // 8 steps on the maximum's side but only 7 on the other, where the clamp can cost a whole step
                    float step = Math.abs(q.scale(r, c));
                    float bound = kind == QuantMatrix.Kind.Q8_0 ? step * (0.5f + 127 * 1e-3f) : step * (1 + 8 * 1e-3f);
                    assertThat(Math.abs(wide[r * cols + c] - x[r * cols + c])).as("%s (%d, %d)", kind, r, c).isLessThanOrEqualTo(bound);
                    assertThat(wide[r * cols + c]).isEqualTo(q.get(r, c));
                }
            }
            float[] part = new float[13];
            q.widen(3, 37, 13, part, 0);
            for (int i = 0; i < 13; i++) assertThat(part[i]).isEqualTo(q.get(3, 37 + i));
        }
    }

    @Test
    void rowsMustCutIntoWholeBlocks() {
        assertThat(QuantMatrix.quantizable(172)).isFalse();
        assertThatThrownBy(() -> QuantMatrix.quantize(new float[2 * 40], 2, 40, QuantMatrix.Kind.Q8_0))
                .hasMessageContaining("40 columns is not a multiple of the block size 32");
    }
}
