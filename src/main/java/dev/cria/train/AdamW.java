package dev.cria.train;

import dev.cria.autograd.Tensor;
import dev.cria.kernels.Simd;
import dev.cria.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW (Loshchilov &amp; Hutter, 2019) with decoupled weight decay, as {@code torch.optim.AdamW}:
 * {@code p ← p·(1 − lr·wd) − lr · m̂ / (sqrt(v̂) + eps)}. Weight decay applies only to matrices that are
 * not embeddings: norms and the token embedding (and a head tied to it) are left undecayed.
 */
public final class AdamW {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** The moments' decay rates and the denominator's guard every trainer uses unless its flags say otherwise. */
    public static final double BETA1 = 0.9, BETA2 = 0.95;
    public static final float EPS = 1e-8f;

    /** A parameter with its moment estimates. */
    public record Slot(String name, Tensor param, float[] m, float[] v, boolean decay) {
    }

    private final List<Slot> slots = new ArrayList<>();
    private final float beta1, beta2, eps, weightDecay;
    private long step;

    public AdamW(Map<String, Tensor> parameters, float beta1, float beta2, float eps, float weightDecay) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        for (var e : parameters.entrySet()) {
            Tensor p = e.getValue();
            boolean decay = p.rank() >= 2 && !e.getKey().contains("embed_tokens");
            slots.add(new Slot(e.getKey(), p, new float[p.size()], new float[p.size()], decay));
        }
    }

    public List<Slot> slots() {
        return slots;
    }

    public long stepCount() {
        return step;
    }

    public void setStepCount(long step) {
        this.step = step;
    }

    public void zeroGrad() {
        for (Slot s : slots) s.param().zeroGrad();
    }

    /** Elements per piece of an update shared among threads: a multiple of every vector length. */
    private static final int PIECE = 1 << 16;

    /** Applies one update with learning rate lr; parameters that received no gradient are left alone. */
    public void step(float lr) {
        step(lr, 1f);
    }

    /**
     * One update that reads every gradient times {@code gradScale}, a clipping factor ({@link GradClip#scale}):
     * the same bits as scaling the gradients in place first, without a pass of its own over them.
     */
    public void step(float lr, float gradScale) {
        step++;
        float bc1 = (float) (1 - Math.pow(beta1, step));
        float bc2 = (float) (1 - Math.pow(beta2, step));
        // every parameter's pieces as the tasks of one parallel loop: a loop per parameter handed each of the
        // small preset's 56 parameters to the other core in turn, and the small ones were not worth it
        List<Piece> pieces = new ArrayList<>();
        for (Slot s : slots) {
            float[] g = s.param().grad();
            if (g == null) continue;
            float decay = s.decay() ? 1 - lr * weightDecay : 1f;
            int n = s.param().data.length;
            for (int start = 0; start < n; start += PIECE) pieces.add(new Piece(s, g, decay, start, Math.min(n, start + PIECE)));
        }
        Parallel.forTasks(pieces.size(), () -> i -> {
            Piece piece = pieces.get(i);
            Slot s = piece.slot();
            float[] p = s.param().data;
            if (Simd.ENABLED) updateVector(p, piece.grad(), gradScale, s.m(), s.v(), lr, piece.decay(), bc1, bc2, piece.start(), piece.end());
            else updateScalar(p, piece.grad(), gradScale, s.m(), s.v(), lr, piece.decay(), bc1, bc2, piece.start(), piece.end());
        });
    }

    /**
     * Elements start..end of one parameter. The bounds are whole vectors, fixed by the size alone: the scalar
     * tail (which rounds unlike the vectors) is the array's last few elements on any number of threads.
     */
    private record Piece(Slot slot, float[] grad, float decay, int start, int end) {
    }

    void updateScalar(float[] p, float[] g, float gradScale, float[] m, float[] v, float lr, float decay, float bc1, float bc2,
                      int from, int to) {
        float stepSize = lr / bc1;
        float sqrtBc2 = (float) Math.sqrt(bc2);
        for (int i = from; i < to; i++) {
            float gi = g[i] * gradScale;
            m[i] = beta1 * m[i] + (1 - beta1) * gi;
            v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
            float denom = (float) Math.sqrt(v[i]) / sqrtBc2 + eps;
            p[i] = p[i] * decay - stepSize * m[i] / denom;
        }
    }

    void updateVector(float[] p, float[] g, float gradScale, float[] m, float[] v, float lr, float decay, float bc1, float bc2,
                      int from, int to) {
        float stepSize = lr / bc1;
        float invSqrtBc2 = (float) (1 / Math.sqrt(bc2));
        int i = from;
        for (int bound = from + F.loopBound(to - from); i < bound; i += F.length()) {
            var gv = FloatVector.fromArray(F, g, i).mul(gradScale);
            var mv = FloatVector.fromArray(F, m, i).mul(beta1).add(gv.mul(1 - beta1));
            var vv = FloatVector.fromArray(F, v, i).mul(beta2).add(gv.mul(gv).mul(1 - beta2));
            mv.intoArray(m, i);
            vv.intoArray(v, i);
            var denom = vv.sqrt().mul(invSqrtBc2).add(eps);
            FloatVector.fromArray(F, p, i).mul(decay).sub(mv.mul(stepSize).div(denom)).intoArray(p, i);
        }
        updateScalar(p, g, gradScale, m, v, lr, decay, bc1, bc2, i, to);
    }

    /** Moment buffers under names {@code <param>.exp_avg} and {@code <param>.exp_avg_sq}, for checkpoints. */
    public Map<String, float[]> state() {
        var state = new LinkedHashMap<String, float[]>();
        for (Slot s : slots) {
            state.put(s.name() + ".exp_avg", s.m());
            state.put(s.name() + ".exp_avg_sq", s.v());
        }
        return state;
    }
}
