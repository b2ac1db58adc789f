package dev.cria.kernels;

/** Token embedding lookup: {@code out[n, :] = w[tokens[n], :]}, w (V, C). */
public final class Embedding {
    private Embedding() {
    }

    public static void forward(float[] out, float[] w, int[] tokens, int V, int C) {
        for (int n = 0; n < tokens.length; n++) {
            int t = tokens[n];
            if (t < 0 || t >= V) throw new IllegalArgumentException("token id " + t + " at position " + n + " outside vocabulary of " + V);
            System.arraycopy(w, t * C, out, n * C, C);
        }
    }

    /** As {@link #forward(float[], float[], int[], int, int)} from a frozen w (V, C), each row widened. */
    public static void forward(float[] out, FrozenMatrix w, int[] tokens) {
        int V = w.rows(), C = w.cols();
        for (int n = 0; n < tokens.length; n++) {
            int t = tokens[n];
            if (t < 0 || t >= V) throw new IllegalArgumentException("token id " + t + " at position " + n + " outside vocabulary of " + V);
            w.widen(t, 0, C, out, n * C);
        }
    }

    /** dw[tokens[n], :] += dout[n, :], in token order so repeated tokens sum deterministically. */
    public static void backward(float[] dw, float[] dout, int[] tokens, int C) {
        for (int n = 0; n < tokens.length; n++) Simd.axpy(1f, dout, n * C, dw, tokens[n] * C, C);
    }
}
