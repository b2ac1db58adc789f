package dev.cria.checkpoint.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.cria.kernels.Rope;
import dev.cria.util.Rng;
import org.junit.jupiter.api.Test;

/**
 * The q/k permutation against an independent reference: llama.cpp's normal RoPE (rotating the adjacent
 * pairs 2i, 2i+1, written out here) on q from the permuted weights equals, row for row after the same
 * permutation, Cria's rotate-half RoPE on q from the original weights. One token, both ways.
 */
class RopePermutationTest {
    private static final int HEADS = 3, HS = 8, C = 5, POSITION = 7;
    private static final float THETA = 10000f;

    @Test
    void interleavedRopeOnPermutedWeightsEqualsRotateHalfOnTheOriginal() {
        Rng rng = new Rng(11);
        float[] w = new float[HEADS * HS * C], x = new float[C];
        for (int i = 0; i < w.length; i++) w[i] = (float) rng.nextGaussian();
        for (int i = 0; i < C; i++) x[i] = (float) rng.nextGaussian();

        float[] rotateHalf = new float[HEADS * HS];
        Rope.forward(rotateHalf, matVec(w, x), new int[] {POSITION}, 1, HEADS, HS, Rope.Table.of(POSITION + 1, HS, THETA));

        float[] q = matVec(RopePermutation.toInterleaved(w, HEADS, C), x);
        float[] interleaved = new float[q.length];
        for (int h = 0; h < HEADS; h++) {
            for (int i = 0; i < HS / 2; i++) {
                double angle = POSITION * Math.pow(THETA, -2.0 * i / HS);
                float x0 = q[h * HS + 2 * i], x1 = q[h * HS + 2 * i + 1];
                interleaved[h * HS + 2 * i] = (float) (x0 * Math.cos(angle) - x1 * Math.sin(angle));
                interleaved[h * HS + 2 * i + 1] = (float) (x0 * Math.sin(angle) + x1 * Math.cos(angle));
            }
        }
        float[] expected = RopePermutation.toInterleaved(rotateHalf, HEADS, 1);
        for (int i = 0; i < expected.length; i++) assertThat(interleaved[i]).as("row %d", i).isCloseTo(expected[i], within(1e-4f));
    }

    @Test
    void rotateHalfUndoesInterleaving() {
        float[] w = new float[HEADS * HS * C];
        for (int i = 0; i < w.length; i++) w[i] = i;
        float[] permuted = RopePermutation.toInterleaved(w, HEADS, C);
        assertThat(permuted).isNotEqualTo(w);
        assertThat(RopePermutation.toRotateHalf(permuted, HEADS, C)).isEqualTo(w);
        // head 0, HS = 8: rows 0 4 1 5 2 6 3 7, as numpy's reshape(H, 2, HS/2, C).swapaxes(1, 2) orders them
        float[] rows = new float[HEADS * HS];
        for (int i = 0; i < rows.length; i++) rows[i] = i;
        assertThat(java.util.Arrays.copyOf(RopePermutation.toInterleaved(rows, HEADS, 1), 8)).containsExactly(0, 4, 1, 5, 2, 6, 3, 7);
    }

    private static float[] matVec(float[] w, float[] x) {
        float[] y = new float[w.length / x.length];
        for (int r = 0; r < y.length; r++) for (int c = 0; c < x.length; c++) y[r] += w[r * x.length + c] * x[c];
        return y;
    }
}
