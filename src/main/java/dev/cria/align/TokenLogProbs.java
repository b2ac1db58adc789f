package dev.cria.align;

import dev.cria.autograd.Nn;
import dev.cria.autograd.Ops;
import dev.cria.autograd.Tensor;
import dev.cria.model.Llama;

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

    /** Per-position log-probs (B·T), with gradients when the model's parameters need them. */
    public static Tensor of(Llama model, SequenceBatch batch, float temperature) {
        Tensor logits = model.logits(batch.tokens, batch.B, batch.T);
        if (temperature != 1f) logits = Ops.scale(logits, 1f / temperature);
        int[] targets = batch.responseTargets();
        float[] mask = batch.responseMask();
        int[] safe = new int[targets.length];
        for (int i = 0; i < targets.length; i++) safe[i] = targets[i] == Nn.IGNORE_INDEX ? 0 : targets[i];
        return Ops.mul(Nn.logSoftmaxGather(logits, safe), Tensor.of(mask, mask.length));
    }

    /** Sum of each row's response log-probs: (B·T) → (B). */
    public static Tensor sequenceSums(Tensor perToken, SequenceBatch batch) {
        return Ops.maskedSumRows(perToken.reshape(batch.B, batch.T), batch.responseMask());
    }
}
