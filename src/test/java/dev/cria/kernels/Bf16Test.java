package dev.cria.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cria.util.Rng;
import org.junit.jupiter.api.Test;

/**
 * Rounding to bfloat16: the hand-worked cases, agreement with the safetensors writer's rounding, and the
 * vector path against its scalar twin. Run at every vector width (see pom.xml).
 */
class Bf16Test {
    private static float bits(int b) {
        return Float.intBitsToFloat(b);
    }

    @Test
    void roundsToNearestTiesToEven() {
        assertThat(Bf16.round(1f)).isEqualTo(1f);
        // 1 + 2^-8 lies halfway between 1 and 1 + 2^-7: the tie goes to the even mantissa, 1
        assertThat(Bf16.round(bits(0x3F808000))).isEqualTo(1f);
        assertThat(Bf16.round(bits(0x3F818000))).isEqualTo(bits(0x3F820000));
        // just above the tie rounds up, just below rounds down
        assertThat(Bf16.round(bits(0x3F808001))).isEqualTo(bits(0x3F810000));
        assertThat(Bf16.round(bits(0x3F807FFF))).isEqualTo(1f);
        assertThat(Bf16.round(-2.5f)).isEqualTo(-2.5f);
        // the largest float rounds past bfloat16's largest finite value, to infinity, as hardware does
        assertThat(Bf16.round(Float.MAX_VALUE)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(Bf16.round(Float.NEGATIVE_INFINITY)).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(Float.floatToRawIntBits(Bf16.round(-0f))).isEqualTo(0x80000000);
        assertThat(Bf16.round(Float.NaN)).isNaN();
        // a NaN whose payload lies only in the low half must not round to infinity
        assertThat(Bf16.round(bits(0x7F800001))).isNaN();
    }

    @Test
    void agreesWithTheCheckpointWriter() {
        Rng rng = new Rng(3);
        for (int i = 0; i < 10_000; i++) {
            float x = (float) (rng.nextGaussian() * Math.pow(10, rng.nextInt(8) - 4));
            assertThat(Float.floatToRawIntBits(Bf16.round(x))).isEqualTo(HalfMatrix.toBf16(x) << 16);
        }
    }

    @Test
    void vectorEqualsScalar() {
        Rng rng = new Rng(5);
        for (int n : new int[] {0, 1, 3, 4, 7, 8, 15, 16, 17, 33, 100}) {
            float[] x = new float[n + 2];
            for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
            if (n > 5) {
                x[2] = Float.NaN;
                x[3] = bits(0x7F800001);
                x[4] = bits(0x3F808000);
                x[5] = Float.MAX_VALUE;
            }
            float[] v = x.clone(), s = x.clone();
            Bf16.round(x, v, 1, n + 1);
            Bf16.roundScalar(x, s, 1, n + 1);
            for (int i = 0; i < x.length; i++) {
                assertThat(Float.floatToRawIntBits(v[i])).as("n=%d index %d", n, i).isEqualTo(Float.floatToRawIntBits(s[i]));
            }
        }
    }

    private static float[] random(Rng rng, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) rng.nextGaussian();
        return x;
    }

    private static float[] rounded(float[] x) {
        float[] r = new float[x.length];
        Bf16.roundScalar(x, r, 0, x.length);
        return r;
    }

    /**
     * Rounding while packing gives the float32 kernels' sums of rounded copies bit for bit, and agrees with
     * the scalar twin within float32 summation order: shapes with left-over rows, several K blocks and panels.
     */
    @Test
    void productsRoundWhilePackingAsCopiesWould() {
        Rng rng = new Rng(9);
        for (int[] s : new int[][] {{1, 1, 1}, {5, 7, 3}, {13, 29, 70}, {67, 400, 33}, {40, 24, 600}}) {
            int M = s[0], K = s[1], N = s[2];
            float[] a = random(rng, M * K), b = random(rng, K * N), start = random(rng, M * N);
            for (int layout = 0; layout < 3; layout++) {
                float[] c = start.clone(), copies = start.clone(), scalar = start.clone();
                switch (layout) {
                    case 0 -> {
                        Gemm.abTBf16(c, a, b, M, K, N, true);
                        Gemm.vector(copies, rounded(a), K, 1, rounded(b), 1, K, M, K, N, true);
                        Gemm.scalarBf16(scalar, a, K, 1, b, 1, K, M, K, N, true);
                    }
                    case 1 -> {
                        Gemm.abBf16(c, a, b, M, K, N, true);
                        Gemm.vector(copies, rounded(a), K, 1, rounded(b), N, 1, M, K, N, true);
                        Gemm.scalarBf16(scalar, a, K, 1, b, N, 1, M, K, N, true);
                    }
                    default -> {
                        Gemm.aTbBf16(c, a, b, M, K, N, true);
                        Gemm.vector(copies, rounded(a), 1, M, rounded(b), N, 1, M, K, N, true);
                        Gemm.scalarBf16(scalar, a, 1, M, b, N, 1, M, K, N, true);
                    }
                }
                String what = "layout " + layout + " " + java.util.Arrays.toString(s);
                assertThat(c).as(what).containsExactly(copies);
                for (int i = 0; i < c.length; i++) {
                    assertThat((double) c[i]).as(what + " index " + i).isCloseTo(scalar[i], org.assertj.core.data.Offset.offset(1e-4 * Math.sqrt(K)));
                }
            }
        }
    }
}
