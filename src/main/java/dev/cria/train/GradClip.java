package dev.cria.train;

import dev.cria.autograd.Tensor;
import java.util.Collection;

/** Global gradient-norm clipping, as {@code torch.nn.utils.clip_grad_norm_}. */
public final class GradClip {
    private GradClip() {
    }

    /** L2 norm over all gradients together (parameters without a gradient count as zero). */
    public static double globalNorm(Collection<Tensor> params) {
        double sq = 0;
        for (Tensor p : params) {
            float[] g = p.grad();
            if (g == null) continue;
            for (float x : g) sq += (double) x * x;
        }
        return Math.sqrt(sq);
    }

    /** Scales all gradients so their global norm is at most maxNorm; returns the norm before clipping. */
    public static double clip(Collection<Tensor> params, double maxNorm) {
        double norm = globalNorm(params);
        if (maxNorm > 0 && norm > maxNorm && Double.isFinite(norm)) {
            float scale = (float) (maxNorm / (norm + 1e-6));
            for (Tensor p : params) {
                float[] g = p.grad();
                if (g == null) continue;
                for (int i = 0; i < g.length; i++) g[i] *= scale;
            }
        }
        return norm;
    }
}
