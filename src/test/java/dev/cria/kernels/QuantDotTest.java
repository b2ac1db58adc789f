package dev.cria.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cria.util.Rng;
import org.junit.jupiter.api.Test;

/**
 * Block-quantized weights in the kernels: vector widening equals the scalar one exactly for any window,
 * and the fused decoding product ({@link QuantDot}), the packed product and the input-gradient product
 * with a {@link QuantMatrix} equal their scalar references and the float32 products of the widened
 * matrix. Run at every vector width (see pom.xml), so the 4- and 16-lane code paths run too.
 */
class QuantDotTest {
    private final Rng rng = new Rng(23);

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
    void vectorWideningEqualsScalarForEveryWindow() {
        int rows = 3, cols = 160;
        for (var kind : QuantMatrix.Kind.values()) {
            var w = QuantMatrix.quantize(random(rows * cols), rows, cols, kind);
            // windows starting inside a block and ending inside another, whole blocks, a single weight, nothing
            int[][] windows = {{0, 160}, {0, 32}, {32, 64}, {5, 13}, {37, 13}, {31, 2}, {7, 150}, {96, 64}, {159, 1}, {12, 0}};
            for (int[] window : windows) {
                int col = window[0], count = window[1];
                float[] v = new float[count + 3], s = new float[count + 3];
                for (int row = 0; row < rows; row++) {
                    w.widenVector(row, col, count, v, 2);
                    w.widenScalar(row, col, count, s, 2);
                    assertThat(v).as("%s row %d, %d weights from %d", kind, row, count, col).containsExactly(s);
                }
            }
        }
    }

    @Test
    void widenedCodesCoverTheWholeRangeOfBothLayouts() {
        // every Q8_0 code −127..127 and every Q4_0 nibble 0..15 appears, so the sign extension and the nibble shifts are all checked
        int cols = 256;
        float[] x = new float[cols];
        for (int i = 0; i < cols; i++) x[i] = (i % 32 == 0) ? 127f : (i * 37 % 255) - 127;
        for (var kind : QuantMatrix.Kind.values()) {
            var w = QuantMatrix.quantize(x, 1, cols, kind);
            float[] v = new float[cols], s = new float[cols];
            w.widenVector(0, 0, cols, v, 0);
            w.widenScalar(0, 0, cols, s, 0);
            assertThat(v).containsExactly(s);
        }
        float[] ramp = new float[32];
        for (int j = 0; j < 32; j++) ramp[j] = j % 16 - 8; // codes 0..15 in both nibbles, d = 1
        var q4 = QuantMatrix.quantize(ramp, 1, 32, QuantMatrix.Kind.Q4_0);
        float[] v = new float[32];
        q4.widenVector(0, 0, 32, v, 0);
        assertThat(v).containsExactly(ramp);
    }

    @Test
    void fusedDecodingProductMatchesScalarTwinAndWidenedFloats() {
        // M = 1..5 (fours and leftovers), a few rows (N not a multiple of 4), K of one block and of many
        int[][] shapes = {{1, 64, 37}, {2, 32, 8}, {3, 96, 5}, {4, 160, 9}, {5, 288, 130}, {9, 64, 3}, {64, 96, 11}};
        for (var kind : QuantMatrix.Kind.values()) {
            for (int[] s : shapes) {
                int M = s[0], K = s[1], N = s[2];
                float[] a = random(M * K);
                var w = QuantMatrix.quantize(random(N * K), N, K, kind);
                float[] wide = w.toFloats();
                for (boolean accumulate : new boolean[] {false, true}) {
                    float[] c = random(M * N), twin = c.clone(), reference = c.clone(), floats = c.clone();
                    QuantDot.abTVector(c, a, w, M, accumulate);
                    QuantDot.abTScalar(twin, a, w, M, accumulate);
                    Gemm.abTScalar(reference, a, w, M, accumulate);
                    Gemm.abT(floats, a, wide, M, K, N, accumulate);
                    assertThat(twin).as("%s %s: the scalar twin is the element-wise reference", kind, java.util.Arrays.toString(s)).containsExactly(reference);
                    assertClose(c, twin, 1e-4f);
                    assertClose(c, floats, 1e-5f);
                }
            }
        }
    }

    @Test
    void gemmWithQuantizedWeightsEqualsGemmOnTheirFloats() {
        // up to 3 rows go through QuantDot, 4..64 through rows widened into a buffer, more through the packed
        // panels (partial blocks in each K block)
        int[][] shapes = {{1, 2048, 12}, {3, 64, 40}, {64, 96, 7}, {65, 416, 40}, {135, 800, 33}};
        for (var kind : QuantMatrix.Kind.values()) {
            for (int[] s : shapes) {
                int M = s[0], K = s[1], N = s[2];
                float[] a = random(M * K);
                var w = QuantMatrix.quantize(random(N * K), N, K, kind);
                float[] wide = w.toFloats();
                float[] c = random(M * N), floats = c.clone(), reference = c.clone();
                Gemm.abT(c, a, w, M, true);
                Gemm.abT(floats, a, wide, M, K, N, true);
                Gemm.abTScalar(reference, a, w, M, true);
                assertClose(c, floats, 1e-5f);
                assertClose(c, reference, 1e-4f);
            }
        }
    }

    @Test
    void inputGradientThroughQuantizedWeightsEqualsFloats() {
        int[][] shapes = {{1, 37, 64}, {13, 18, 96}, {70, 300, 160}};
        for (var kind : QuantMatrix.Kind.values()) {
            for (int[] s : shapes) {
                int M = s[0], K = s[1], N = s[2];
                float[] a = random(M * K);
                var w = QuantMatrix.quantize(random(K * N), K, N, kind);
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
}
