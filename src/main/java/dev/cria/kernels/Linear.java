package dev.cria.kernels;

/**
 * A linear layer, {@code y = x · Wᵀ (+ b)}, with W stored (out, in) as in Hugging Face checkpoints.
 * Legend: N rows of input, IN input features, OUT output features.
 * Here: the products through a frozen weight, and the bias. A float32 weight's three products go through
 * the process's backend ({@code Nn.linear}), each in its own layout of {@link Gemm}, so nothing is transposed.
 */
public final class Linear {
    private Linear() {
    }

    /** out (N,OUT) = x (N,IN) · wᵀ, w a frozen (OUT,IN). */
    public static void forward(float[] out, float[] x, FrozenMatrix w, int N) {
        Gemm.abT(out, x, w, N, false);
    }

    /** dx (N,IN) += dout (N,OUT) · w (OUT,IN), w a frozen weight. Differentiates: out = x · wᵀ. */
    public static void backwardInput(float[] dx, float[] dout, FrozenMatrix w, int N) {
        backwardInput(dx, dout, w, N, true);
    }

    /** dx (N,IN) (+)= dout (N,OUT) · w: added to dx, or written over it. */
    public static void backwardInput(float[] dx, float[] dout, FrozenMatrix w, int N, boolean accumulate) {
        Gemm.ab(dx, dout, w, N, accumulate);
    }

    /** out (N,OUT) += b (OUT) on every row. */
    public static void forwardBias(float[] out, float[] b, int N, int OUT) {
        for (int n = 0; n < N; n++) Simd.axpy(1f, b, 0, out, n * OUT, OUT);
    }

    /** db (OUT) += Σ_n dout[n, :]. Differentiates: out[n, :] += b. Rows in order, so the sum is deterministic. */
    public static void backwardBias(float[] db, float[] dout, int N, int OUT) {
        for (int n = 0; n < N; n++) Simd.axpy(1f, dout, n * OUT, db, 0, OUT);
    }
}
