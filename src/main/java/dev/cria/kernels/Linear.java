package dev.cria.kernels;

/**
 * A bias-free linear layer, {@code y = x · Wᵀ}, with W stored (out, in) as in Hugging Face checkpoints.
 * Legend: N rows of input, IN input features, OUT output features.
 *
 * <p>The two backward products are turned into the same {@code A·Bᵀ} shape as the forward by transposing
 * one operand first; a transpose costs O(N·(IN+OUT)) against the O(N·IN·OUT) product.
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
        float[] wT = new float[IN * OUT];
        Gemm.transpose(wT, w, OUT, IN);
        Gemm.abT(dx, dout, wT, N, OUT, IN, true);
    }

    /** dw (OUT,IN) += doutᵀ (OUT,N) · x (N,IN). Differentiates: out = x · wᵀ. */
    public static void backwardWeight(float[] dw, float[] dout, float[] x, int N, int IN, int OUT) {
        float[] doutT = new float[OUT * N];
        float[] xT = new float[IN * N];
        Gemm.transpose(doutT, dout, N, OUT);
        Gemm.transpose(xT, x, N, IN);
        Gemm.abT(dw, doutT, xT, OUT, N, IN, true);
    }
}
