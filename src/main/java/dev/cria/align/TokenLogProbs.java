package dev.cria.align;

import dev.cria.autograd.Nn;
import dev.cria.autograd.Ops;
import dev.cria.autograd.Tensor;
import dev.cria.model.Llama;
import java.util.ArrayList;
import java.util.List;

/**
 * Log-probabilities of the response tokens under a model, the quantity every policy-gradient and DPO
 * loss is written in. Position t of row b holds log p(token t+1 | tokens ≤ t) where
 * {@link SequenceBatch#responseMask()} is 1, and 0 elsewhere.
 *
 * <p>Logits are divided by the sampling temperature first, so training scores tokens under exactly the
 * distribution the rollout sampled them from.
 */
public final class TokenLogProbs {
    private TokenLogProbs() {
    }

    /** Log-probs (B·T) as {@link #of}, and the entropy of the distribution at each response position (0 elsewhere). */
    public record WithEntropy(Tensor logProbs, float[] entropy) {
    }

    /** Per-position log-probs (B·T), with gradients when the model's parameters need them. */
    public static Tensor of(Llama model, SequenceBatch batch, float temperature) {
        return gather(logits(model, batch, temperature), batch);
    }

    /** As {@link #of}, with the policy's entropy from the same logits (TRL's {@code policy/entropy_avg}). */
    public static WithEntropy withEntropy(Llama model, SequenceBatch batch, float temperature) {
        Tensor logits = logits(model, batch, temperature);
        float[] entropy = entropy(logits.data, batch.responseMask(), logits.dim(-1));
        return new WithEntropy(gather(logits, batch), entropy);
    }

    /**
     * H = logsumexp(l) − Σ softmax(l)·l at each position where mask is 1: the spread of the distribution the
     * next token is drawn from, which falls towards 0 when the policy collapses onto one answer.
     */
    static float[] entropy(float[] logits, float[] mask, int V) {
        float[] out = new float[mask.length];
        for (int n = 0; n < mask.length; n++) {
            if (mask[n] == 0) continue;
            int at = n * V;
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < V; v++) max = Math.max(max, logits[at + v]);
            double sum = 0, weighted = 0;
            for (int v = 0; v < V; v++) {
                double e = Math.exp(logits[at + v] - max);
                sum += e;
                weighted += e * logits[at + v];
            }
            out[n] = (float) (max + Math.log(sum) - weighted / sum);
        }
        return out;
    }

    private static Tensor logits(Llama model, SequenceBatch batch, float temperature) {
        Tensor logits = model.logits(batch.tokens, batch.B, batch.T);
        return temperature != 1f ? Ops.scale(logits, 1f / temperature) : logits;
    }

    private static Tensor gather(Tensor logits, SequenceBatch batch) {
        int[] targets = batch.responseTargets();
        float[] mask = batch.responseMask();
        int[] safe = new int[targets.length];
        for (int i = 0; i < targets.length; i++) safe[i] = targets[i] == Nn.IGNORE_INDEX ? 0 : targets[i];
        return Ops.mul(Nn.logSoftmaxGather(logits, safe), Tensor.of(mask, mask.length));
    }

    /** Each example's summed response log-prob under the model: (B), with gradients when the model's parameters need them. */
    public static Tensor sequenceSums(Llama model, List<TokenizedExample> examples, int pad) {
        SequenceBatch batch = SequenceBatch.ofExamples(examples, pad);
        return sequenceSums(of(model, batch, 1f), batch);
    }

    /** The summed response log-probs of each pair's chosen and of its rejected answer: two (B) tensors. */
    public static Tensor[] pairSums(Llama model, List<PreferencePair> pairs, int pad) {
        var chosen = new ArrayList<TokenizedExample>();
        var rejected = new ArrayList<TokenizedExample>();
        for (PreferencePair p : pairs) {
            chosen.add(p.chosen());
            rejected.add(p.rejected());
        }
        return new Tensor[] {sequenceSums(model, chosen, pad), sequenceSums(model, rejected, pad)};
    }

    /** Sum of each row's response log-probs: (B·T) → (B). */
    public static Tensor sequenceSums(Tensor perToken, SequenceBatch batch) {
        return Ops.maskedSumRows(perToken.reshape(batch.B, batch.T), batch.responseMask());
    }
}
