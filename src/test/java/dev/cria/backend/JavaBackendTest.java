package dev.cria.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cria.kernels.Attention;
import dev.cria.kernels.Bf16;
import dev.cria.kernels.Gemm;
import dev.cria.util.CriaException;
import dev.cria.util.Rng;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Java backend: float32 is the plain kernels; bfloat16 is the packed kernels on operands rounded first
 * (bit for bit), and the scalar triple loop on rounded operands agrees within float32 summation order.
 */
class JavaBackendTest {
    private final Rng rng = new Rng(17);

    @AfterEach
    void restore() {
        Backends.use(JavaBackend.F32);
    }

    private float[] random(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) rng.nextGaussian();
        return x;
    }

    private static float[] rounded(float[] x) {
        float[] r = new float[x.length];
        Bf16.roundScalar(x, r, 0, x.length);
        return r;
    }

    @Test
    void float32IsThePlainKernels() {
        int M = 33, K = 65, N = 17;
        float[] a = random(M * K), b = random(N * K), c = random(M * N), expected = c.clone();
        JavaBackend.F32.abT(c, a, b, M, K, N, true);
        Gemm.abT(expected, a, b, M, K, N, true);
        assertThat(c).containsExactly(expected);
    }

    @Test
    void bfloat16MultipliesRoundedOperandsInEveryLayout() {
        for (int[] s : new int[][] {{1, 1, 1}, {7, 13, 5}, {33, 65, 17}, {128, 288, 96}}) {
            int M = s[0], K = s[1], N = s[2];
            float[] a = random(M * K), b = random(K * N), start = random(M * N);
            for (boolean accumulate : new boolean[] {false, true}) {
                float[] c = start.clone(), expected = start.clone();
                JavaBackend.BF16.abT(c, a, b, M, K, N, accumulate);
                Gemm.vector(expected, rounded(a), K, 1, rounded(b), 1, K, M, K, N, accumulate);
                assertThat(c).as("abT %s", java.util.Arrays.toString(s)).containsExactly(expected);

                c = start.clone();
                expected = start.clone();
                JavaBackend.BF16.ab(c, a, b, M, K, N, accumulate);
                Gemm.ab(expected, rounded(a), rounded(b), M, K, N, accumulate);
                assertThat(c).as("ab %s", java.util.Arrays.toString(s)).containsExactly(expected);

                c = start.clone();
                expected = start.clone();
                JavaBackend.BF16.aTb(c, a, b, M, K, N, accumulate);
                Gemm.aTb(expected, rounded(a), rounded(b), M, K, N, accumulate);
                assertThat(c).as("aTb %s", java.util.Arrays.toString(s)).containsExactly(expected);
            }
        }
    }

    @Test
    void bfloat16AgreesWithTheScalarLoopOnRoundedOperands() {
        int M = 9, K = 300, N = 11;
        float[] a = random(M * K), b = random(N * K), c = new float[M * N], expected = new float[M * N];
        JavaBackend.BF16.abT(c, a, b, M, K, N, false);
        Gemm.scalar(expected, rounded(a), K, 1, rounded(b), 1, K, M, K, N, false);
        float[] f32 = new float[M * N];
        JavaBackend.F32.abT(f32, a, b, M, K, N, false);
        double worstBf16 = 0, worstF32 = 0;
        for (int i = 0; i < c.length; i++) {
            worstBf16 = Math.max(worstBf16, Math.abs(c[i] - expected[i]));
            worstF32 = Math.max(worstF32, Math.abs(f32[i] - expected[i]));
        }
        assertThat(worstBf16).isLessThan(1e-4);
        // and the rounding is real: float32 operands land visibly elsewhere
        assertThat(worstF32).isGreaterThan(1e-3);
    }

    @Test
    void attentionRoundsItsOperandsUnderBfloat16() {
        int B = 2, T = 70, H = 4, KVH = 2, HS = 16;
        float[] q = random(B * T * H * HS), k = random(B * T * KVH * HS), v = random(B * T * KVH * HS);
        float[] f32 = new float[q.length], bf16 = new float[q.length], lse = new float[B * H * T];
        Attention.forwardVector(f32, lse, q, k, v, B, T, H, KVH, HS, false);
        Attention.forwardVector(bf16, lse, q, k, v, B, T, H, KVH, HS, true);
        double worst = 0;
        for (int i = 0; i < q.length; i++) worst = Math.max(worst, Math.abs(bf16[i] - f32[i]));
        // bfloat16 keeps 8 bits of mantissa: outputs of size ~1 move by about 2^-8, not more
        assertThat(worst).isGreaterThan(1e-4).isLessThan(5e-2);
    }

    @Test
    void namesAndErrors() {
        assertThat(JavaBackend.BF16.label()).isEqualTo("java-bf16");
        assertThat(Backends.select("auto", Precision.F32)).isSameAs(JavaBackend.F32);
        assertThat(Backends.select("java", Precision.BF16)).isSameAs(JavaBackend.BF16);
        assertThat(Precision.parse("bfloat16")).isEqualTo(Precision.BF16);
        assertThatThrownBy(() -> Precision.parse("fp8")).isInstanceOf(CriaException.class).hasMessageContaining("'fp8'");
        assertThatThrownBy(() -> Backends.select("cuda", Precision.F32)).isInstanceOf(CriaException.class).hasMessageContaining("'cuda'");
    }
}
