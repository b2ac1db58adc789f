package dev.cria.train;

import dev.cria.autograd.Tensor;
import dev.cria.tensor.Parallel;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Global gradient-norm clipping, as {@code torch.nn.utils.clip_grad_norm_}. */
public final class GradClip {
    /**
     * Elements per piece of the sum of squares. The pieces are fixed by the gradients' sizes alone, so the
     * norm comes out the same on any number of threads.
     */
    static final int PIECE = 1 << 16;

    private GradClip() {
    }

    /**
     * L2 norm over all gradients together (parameters without a gradient count as zero): the squares are
     * summed in double, in pieces of {@link #PIECE} elements, each piece over four interleaved partial
     * sums, and the pieces in order. (One running sum was a chain of dependent additions: 20–25 ms a step
     * for the small preset's 24 million weights.)
     */
    public static double globalNorm(Collection<Tensor> params) {
        List<float[]> grads = gradients(params);
        return norm(grads, pieces(grads));
    }

    /** Scales all gradients so their global norm is at most maxNorm; returns the norm before clipping. */
    public static double clip(Collection<Tensor> params, double maxNorm) {
        List<float[]> grads = gradients(params);
        List<int[]> pieces = pieces(grads);
        double norm = norm(grads, pieces);
        float scale = scale(norm, maxNorm);
        if (scale != 1f) {
            Parallel.forRange(pieces.size(), 4, (start, end) -> {
                for (int i = start; i < end; i++) {
                    int[] p = pieces.get(i);
                    float[] g = grads.get(p[0]);
                    for (int j = p[1]; j < p[2]; j++) g[j] *= scale;
                }
            });
        }
        return norm;
    }

    /**
     * The factor that brings gradients of global norm {@code norm} to at most maxNorm: 1 where they are within it
     * (or maxNorm is 0, no clipping). {@link AdamW#step(float, float)} applies it as it reads them.
     */
    public static float scale(double norm, double maxNorm) {
        return maxNorm > 0 && norm > maxNorm && Double.isFinite(norm) ? (float) (maxNorm / (norm + 1e-6)) : 1f;
    }

    private static double norm(List<float[]> grads, List<int[]> pieces) {
        double[] sums = new double[pieces.size()];
        // as tasks: a thread done early takes the other's pieces (which may still be waking up)
        Parallel.forTasks(pieces.size(), () -> i -> {
            int[] p = pieces.get(i);
            sums[i] = sumOfSquares(grads.get(p[0]), p[1], p[2]);
        });
        double sq = 0;
        for (double s : sums) sq += s;
        return Math.sqrt(sq);
    }

    /** Σ x[i]² for i in [from, to), in double, over four interleaved partial sums added pairwise. */
    static double sumOfSquares(float[] x, int from, int to) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = from;
        for (; i + 4 <= to; i += 4) {
            s0 += (double) x[i] * x[i];
            s1 += (double) x[i + 1] * x[i + 1];
            s2 += (double) x[i + 2] * x[i + 2];
            s3 += (double) x[i + 3] * x[i + 3];
        }
        for (; i < to; i++) s0 += (double) x[i] * x[i];
        return (s0 + s1) + (s2 + s3);
    }

    private static List<float[]> gradients(Collection<Tensor> params) {
        var grads = new ArrayList<float[]>();
        for (Tensor p : params) if (p.grad() != null) grads.add(p.grad());
        return grads;
    }

    /** (gradient, from, to) pieces of at most PIECE elements, gradient by gradient. */
    private static List<int[]> pieces(List<float[]> grads) {
        var pieces = new ArrayList<int[]>();
        for (int g = 0; g < grads.size(); g++) {
            int n = grads.get(g).length;
            for (int from = 0; from < n; from += PIECE) pieces.add(new int[] {g, from, Math.min(n, from + PIECE)});
        }
        return pieces;
    }
}
