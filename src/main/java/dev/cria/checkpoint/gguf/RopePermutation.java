package dev.cria.checkpoint.gguf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The row order of the q and k projections that llama.cpp's {@code llama} architecture expects
 * (convert_hf_to_gguf.py's {@code LlamaModel.permute}). Hugging Face's RoPE rotates each head's dimension
 * i with dimension i + HS/2 (rotate-half); llama.cpp's normal RoPE rotates the adjacent pairs (2i, 2i+1).
 * Moving row i of each head to 2i and row i + HS/2 to 2i + 1 makes the one rotation the other. Qwen2 and
 * Qwen3 run in llama.cpp's NEOX mode, which is rotate-half, so their rows stay as they are.
 *
 * <pre>
 *   rows = heads · HS; within a head: interleaved[2i + j] = rotateHalf[j·HS/2 + i],  i &lt; HS/2, j ∈ {0, 1}
 * </pre>
 * Rows move whole, so a quantized or 16-bit matrix is permuted by moving its rows' bytes.
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

    /** As {@link #toRotateHalf}, for rows of {@code rowBytes} bytes each, into a new off-heap segment. */
    static MemorySegment toRotateHalf(MemorySegment w, int heads, long rowBytes) {
        int rows = (int) (w.byteSize() / rowBytes);
        int[] from = sourceRows(rows, heads, false);
        MemorySegment out = Arena.ofAuto().allocate(w.byteSize(), 8);
        for (int to = 0; to < rows; to++) MemorySegment.copy(w, from[to] * rowBytes, out, to * rowBytes, rowBytes);
        return out;
    }

    private static float[] permute(float[] w, int heads, int cols, boolean interleave) {
        if (w.length % cols != 0) throw new IllegalArgumentException(w.length + " values are not rows of " + cols);
        int rows = w.length / cols;
        int[] from = sourceRows(rows, heads, interleave);
        float[] out = new float[w.length];
        for (int to = 0; to < rows; to++) System.arraycopy(w, from[to] * cols, out, to * cols, cols);
        return out;
    }

    /** For each row of the result, the row it comes from. */
    private static int[] sourceRows(int rows, int heads, boolean interleave) {
        int hs = rows / heads;
        if (rows % heads != 0 || hs % 2 != 0) throw new IllegalArgumentException(rows + " rows do not cut into " + heads + " heads of even size");
        int[] from = new int[rows];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < hs / 2; i++) {
                for (int j = 0; j < 2; j++) {
                    int interleaved = h * hs + 2 * i + j;
                    int rotateHalf = h * hs + j * (hs / 2) + i;
                    if (interleave) from[interleaved] = rotateHalf;
                    else from[rotateHalf] = interleaved;
                }
            }
        }
        return from;
    }
}
