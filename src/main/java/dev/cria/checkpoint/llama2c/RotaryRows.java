package dev.cria.checkpoint.llama2c;

/**
 * Reorders the rows of a q or k projection between the two RoPE layouts. Meta's llama (and run.c)
 * rotates adjacent pairs (2j, 2j+1) of each head; Hugging Face (and Cria) rotates (j, j + HS/2), both
 * by angle pos·theta^(-2j/HS). So the same model stores, within each head, Hugging Face row
 * {@code a·HS/2 + j} as Meta row {@code 2j + a} (a = 0, 1). This is transformers'
 * convert_llama_weights_to_hf permute, and export.py's permute_reverse undoes it.
 *
 * <p>Shapes: w is (heads·HS, cols), row-major.
 */
final class RotaryRows {
    private RotaryRows() {
    }

    /** Hugging Face rotate-half rows to Meta's interleaved rows, as run.c reads them. */
    static float[] toInterleaved(float[] w, int heads, int cols) {
        return reorder(w, heads, cols, true);
    }

    /** Meta's interleaved rows back to Hugging Face rotate-half rows. */
    static float[] toHalves(float[] w, int heads, int cols) {
        return reorder(w, heads, cols, false);
    }

    private static float[] reorder(float[] w, int heads, int cols, boolean toInterleaved) {
        int HS = w.length / cols / heads;
        float[] out = new float[w.length];
        for (int h = 0; h < heads; h++) {
            for (int a = 0; a < 2; a++) {
                for (int j = 0; j < HS / 2; j++) {
                    int halves = h * HS + a * (HS / 2) + j;
                    int interleaved = h * HS + 2 * j + a;
                    int from = toInterleaved ? halves : interleaved;
                    int to = toInterleaved ? interleaved : halves;
                    System.arraycopy(w, from * cols, out, to * cols, cols);
                }
            }
        }
        return out;
    }
}
