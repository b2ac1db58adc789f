package dev.cria.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.cria.util.Rng;
import java.lang.foreign.Arena;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * 16-bit weights: widening is exact, and the products with a {@link HalfMatrix} (few rows, packed, and
 * the input-gradient layout) equal their scalar references and the float32 products of the widened
 * matrix. Run at every vector width (see pom.xml), so the 4- and 16-lane widening runs too.
 */
class HalfMatrixTest {
    private final Rng rng = new Rng(11);

    private float[] random(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) rng.nextGaussian();
        return x;
    }

    private static void assertClose(float[] actual, float[] expected, float tol) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            float scale = Math.max(1f, Math.abs(expected[i]));
            assertThat(Math.abs(actual[i] - expected[i])).as("index %d: %s vs %s", i, actual[i], expected[i]).isLessThanOrEqualTo(tol * scale);
        }
    }

    @Test
    void bf16RoundsToNearestEvenAndWidensExactly() {
        assertThat(HalfMatrix.toBf16(1f)).isEqualTo((short) 0x3F80);
        // 1 + 2^-8 lies halfway between 1 and 1 + 2^-7: ties go to the even mantissa, 1
        assertThat(HalfMatrix.toBf16(Float.intBitsToFloat(0x3F808000))).isEqualTo((short) 0x3F80);
        assertThat(HalfMatrix.toBf16(Float.intBitsToFloat(0x3F818000))).isEqualTo((short) 0x3F82);
        assertThat(HalfMatrix.toBf16(-2.5f)).isEqualTo((short) 0xC020);
        float[] values = {1f, -2.5f, 0f, -0f, 3.140625f, Float.POSITIVE_INFINITY, 65504f, 1e-3f};
        for (var kind : HalfMatrix.Kind.values()) {
            var w = HalfMatrix.round(values, 2, 4, kind);
            float[] wide = w.toFloats();
            for (int i = 0; i < values.length; i++) {
                float expected = kind == HalfMatrix.Kind.BF16 ? Float.intBitsToFloat(HalfMatrix.toBf16(values[i]) << 16)
                        : Float.float16ToFloat(Float.floatToFloat16(values[i]));
                assertThat(wide[i]).as("%s value %d", kind, i).isEqualTo(expected);
            }
        }
    }

    @Test
    void vectorWideningEqualsScalar() {
        for (int cols : new int[] {1, 3, 4, 15, 16, 17, 40, 100}) {
            var w = HalfMatrix.round(random(3 * cols), 3, cols, HalfMatrix.Kind.BF16);
            for (int col = 0; col < Math.min(cols, 3); col++) {
                int count = cols - col;
                float[] v = new float[count + 2], s = new float[count + 2];
                w.widenBf16Vector(2, col, count, v, 1);
                w.widenScalar(2, col, count, s, 1);
                assertThat(v).containsExactly(s);
                var f16 = HalfMatrix.round(random(3 * cols), 3, cols, HalfMatrix.Kind.F16);
                f16.widenF16(2, col, count, v, 1);
                f16.widenScalar(2, col, count, s, 1);
                assertThat(v).containsExactly(s);
            }
        }
    }

    @Test
    void forwardProductsMatchReferenceAndWidenedFloats() {
        int[][] shapes = {{1, 288, 37}, {3, 17, 8}, {8, 40, 130}, {2, 5, 3}, {65, 290, 40}, {135, 33, 301}, {70, 800, 20}};
        for (var kind : HalfMatrix.Kind.values()) {
            for (int[] s : shapes) {
                int M = s[0], K = s[1], N = s[2];
                float[] a = random(M * K);
                var w = HalfMatrix.round(random(N * K), N, K, kind);
                float[] wide = w.toFloats();
                for (boolean accumulate : new boolean[] {false, true}) {
                    float[] c = random(M * N), reference = c.clone(), floats = c.clone();
                    Gemm.abT(c, a, w, M, accumulate);
                    Gemm.abTScalar(reference, a, w, M, accumulate);
                    Gemm.scalar(floats, a, K, 1, wide, 1, K, M, K, N, accumulate);
                    assertClose(c, reference, 1e-4f);
                    assertClose(reference, floats, 1e-6f);
                }
            }
        }
    }

    @Test
    void fewRowsPathMatchesReference() {
        for (int[] s : new int[][] {{1, 288, 37}, {4, 17, 8}, {9, 40, 130}, {64, 33, 7}}) {
            int M = s[0], K = s[1], N = s[2];
            float[] a = random(M * K);
            var w = HalfMatrix.round(random(N * K), N, K, HalfMatrix.Kind.BF16);
            float[] c = new float[M * N], reference = new float[M * N];
            Gemm.abTFewRows(c, a, w, M, false);
            Gemm.abTScalar(reference, a, w, M, false);
            assertClose(c, reference, 1e-4f);
        }
    }

    @Test
    void inputGradientProductMatchesReferenceAndWidenedFloats() {
        int[][] shapes = {{1, 37, 288}, {13, 18, 21}, {70, 300, 40}, {135, 40, 800}};
        for (var kind : HalfMatrix.Kind.values()) {
            for (int[] s : shapes) {
                int M = s[0], K = s[1], N = s[2];
                float[] a = random(M * K);
                var w = HalfMatrix.round(random(K * N), K, N, kind);
                float[] wide = w.toFloats();
                float[] c = random(M * N), reference = c.clone(), floats = c.clone();
                Gemm.ab(c, a, w, M, true);
                Gemm.abScalar(reference, a, w, M, true);
                Gemm.scalar(floats, a, K, 1, wide, N, 1, M, K, N, true);
                assertClose(c, reference, 1e-4f);
                assertClose(reference, floats, 1e-6f);
            }
        }
    }

    /**
     * The packed product's threads share B's micro-panels, each packed by whichever thread claims it first
     * and awaited by the others. One micro-panel (N = 8) and two row ranges make both threads need the same
     * one; if reading the weights fails (here: their memory is gone), the product must fail, not wait
     * forever for a micro-panel that will never be packed.
     */
    @Test
    void aFailedPackEndsTheProductInsteadOfHangingIt() {
        int M = 128, K = 256, N = 8;
        var arena = Arena.ofShared();
        var w = HalfMatrix.of(arena.allocate(2L * N * K), N, K, HalfMatrix.Kind.BF16);
        arena.close();
        float[] a = random(M * K), c = new float[M * N];
        assertTimeoutPreemptively(Duration.ofSeconds(20), () ->
                assertThatThrownBy(() -> Gemm.abT(c, a, w, M, false)).isInstanceOf(IllegalStateException.class));
    }
}
