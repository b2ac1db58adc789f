package dev.cria.kernels;

/**
 * A bias-free linear layer, {@code y = x · Wᵀ}, with W stored (out, in) as in Hugging Face checkpoints.
 * Legend: N rows of input, IN input features, OUT output features.
 * Each of the three products has its own layout in {@link Gemm}, so nothing is transposed.
 */
public final class Linear {
    private Linear() {
    }

    /** out (N,OUT) = x (N,IN) · wᵀ, w (OUT,IN). */
    public static void forward(float[] out, float[] x, float[] w, int N, int IN, int OUT) {
        Gemm.abT(out, x, w, N, IN, OUT, false);
    }

    /** dx (N,IN) += dout (N,OUT) · w (OUT,IN). Differentiates: out = x · wᵀ. */
    public static void backwardInput(float[] dx, float[] dout, float[] w, int N, int IN, int OUT) {
        Gemm.ab(dx, dout, w, N, OUT, IN, true);
    }

    /** dw (OUT,IN) += doutᵀ (OUT,N) · x (N,IN). Differentiates: out = x · wᵀ. */
    public static void backwardWeight(float[] dw, float[] dout, float[] x, int N, int IN, int OUT) {
        Gemm.aTb(dw, dout, x, OUT, N, IN, true);
    }
}
