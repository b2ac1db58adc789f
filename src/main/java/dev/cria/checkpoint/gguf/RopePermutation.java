package dev.cria.checkpoint.gguf;

/**
 * The row order of the q and k projections that llama.cpp's {@code llama} architecture expects
 * (convert_hf_to_gguf.py's {@code LlamaModel.permute}). Hugging Face's RoPE rotates each head's dimension
 * i with dimension i + HS/2 (rotate-half); llama.cpp's normal RoPE rotates the adjacent pairs (2i, 2i+1).
 * Moving row i of each head to 2i and row i + HS/2 to 2i + 1 makes the one rotation the other. Qwen2 and
 * Qwen3 run in llama.cpp's NEOX mode, which is rotate-half, so their rows stay as they are.
 *
 * <pre>
 *   rows = heads · HS; within a head: to[2i + j] = from[j·HS/2 + i],  i &lt; HS/2, j ∈ {0, 1}
 * </pre>
 */
final class RopePermutation {
    private RopePermutation() {
    }

    /** Hugging Face's rows (heads·HS, cols) to llama.cpp's interleaved order, in a new array. */
    static float[] toInterleaved(float[] w, int heads, int cols) {
        return permute(w, heads, cols, true);
    }

    /** The inverse of {@link #toInterleaved}: llama.cpp's rows back to Hugging Face's. */
    static float[] toRotateHalf(float[] w, int heads, int cols) {
        return permute(w, heads, cols, false);
    }

    private static float[] permute(float[] w, int heads, int cols, boolean interleave) {
        int rows = w.length / cols;
        int hs = rows / heads;
        if (rows % heads != 0 || hs % 2 != 0 || (long) rows * cols != w.length) {
            throw new IllegalArgumentException(w.length + " values do not cut into " + heads + " heads of even size with " + cols + " columns");
        }
        float[] out = new float[w.length];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < hs / 2; i++) {
                for (int j = 0; j < 2; j++) {
                    int interleaved = h * hs + 2 * i + j;
                    int rotateHalf = h * hs + j * (hs / 2) + i;
                    int to = interleave ? interleaved : rotateHalf;
                    int from = interleave ? rotateHalf : interleaved;
                    System.arraycopy(w, from * cols, out, to * cols, cols);
                }
            }
        }
        return out;
    }
}
