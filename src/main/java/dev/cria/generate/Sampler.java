package dev.cria.generate;

import dev.cria.kernels.Softmax;
import dev.cria.util.CriaException;
import dev.cria.util.Rng;
import java.util.Arrays;

/**
 * Picks the next token from a row of logits: greedy when temperature is 0, otherwise a sample from
 * softmax(logits / temperature), optionally restricted to the top-k tokens and then to the smallest set
 * whose probability reaches top-p (nucleus sampling). top-k 0 and top-p 1 mean pure sampling.
 */
public record Sampler(float temperature, int topK, float topP) {
    public Sampler {
        if (!(temperature >= 0) || !Float.isFinite(temperature)) throw new CriaException("temperature must be >= 0: " + temperature);
        if (topK < 0) throw new CriaException("top-k must be >= 0 (0 = off): " + topK);
        if (!(topP > 0 && topP <= 1)) throw new CriaException("top-p must be in (0, 1]: " + topP);
    }

    public static Sampler greedy() {
        return new Sampler(0f, 0, 1f);
    }

    public int sample(float[] logits, int off, int V, Rng rng) {
        if (temperature == 0) return argmax(logits, off, V);
        if (topK == 0 && topP >= 1) return sampleAll(logits, off, V, rng);
        int[] candidates = candidates(logits, off, V);
        double max = Double.NEGATIVE_INFINITY;
        for (int id : candidates) max = Math.max(max, logits[off + id]);
        double[] p = new double[candidates.length];
        double sum = 0;
        for (int i = 0; i < candidates.length; i++) {
            p[i] = Math.exp((logits[off + candidates[i]] - max) / temperature);
            sum += p[i];
        }
        int keep = candidates.length;
        if (topP < 1) {
            // candidates are sorted by logit, so the nucleus is a prefix
            double mass = 0;
            for (int i = 0; i < candidates.length; i++) {
                mass += p[i] / sum;
                if (mass >= topP) {
                    keep = i + 1;
                    break;
                }
            }
            sum = 0;
            for (int i = 0; i < keep; i++) sum += p[i];
        }
        double u = rng.nextDouble() * sum;
        for (int i = 0; i < keep; i++) {
            u -= p[i];
            if (u < 0) return candidates[i];
        }
        return candidates[keep - 1];
    }

    private static final ThreadLocal<float[]> WEIGHTS = ThreadLocal.withInitial(() -> new float[0]);

    /** Pure sampling over the whole vocabulary: the softmax is exponentiated with the Vector API. */
    private int sampleAll(float[] logits, int off, int V, Rng rng) {
        float[] w = WEIGHTS.get();
        if (w.length < V) {
            w = new float[V];
            WEIGHTS.set(w);
        }
        float sum = Softmax.exponentiate(w, logits, off, V, Softmax.max(logits, off, V), 1f / temperature);
        return Softmax.inverseCdf(w, V, (float) (rng.nextDouble() * sum));
    }

    /** Token ids to sample among: all of them, or sorted by logit (descending) when top-k or top-p prune. */
    private int[] candidates(float[] logits, int off, int V) {
        if (topK == 0 && topP >= 1) {
            int[] all = new int[V];
            for (int i = 0; i < V; i++) all[i] = i;
            return all;
        }
        Integer[] order = new Integer[V];
        for (int i = 0; i < V; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> a.equals(b) ? 0 : Float.compare(logits[off + b], logits[off + a]) != 0
                ? Float.compare(logits[off + b], logits[off + a]) : Integer.compare(a, b));
        int k = topK == 0 ? V : Math.min(topK, V);
        int[] top = new int[k];
        for (int i = 0; i < k; i++) top[i] = order[i];
        return top;
    }

    static int argmax(float[] logits, int off, int V) {
        int best = 0;
        for (int i = 1; i < V; i++) if (logits[off + i] > logits[off + best]) best = i;
        return best;
    }
}
