package dev.cria.align;

import dev.cria.autograd.Ops;
import dev.cria.autograd.Tensor;
import java.util.Map;

/**
 * PPO's clipped surrogate losses (Schulman et al. 2017, "Proximal Policy Optimization Algorithms",
 * eq. 7 for the policy; the value clipping of OpenAI baselines), exactly as TRL's PPOTrainer writes
 * them, with the statistics it logs. Tensors are (B, T) over response tokens, flat row-major, with a
 * float 0/1 mask; the "old" arrays come from the rollout and are constants.
 *
 * <p>Not here: the advantages (see {@link Advantages}), the entropy bonus, and the weighting
 * {@code loss = policy + vfCoef · value}, which is the trainer's.
 */
public final class PpoLosses {
    private PpoLosses() {
    }

    /**
     * The policy loss and its statistics.
     *
     * @param loss         masked mean of max(pg1, pg2), a scalar with a graph
     * @param clipFraction share of valid tokens where the clipped branch is the larger (active) one
     * @param approxKl     0.5 · masked mean of (new − old)², a cheap KL(old ‖ new) estimate
     * @param meanRatio    masked mean of π_new / π_old
     *
     * <p>subtle: TRL takes approxkl and the ratio mean over every position, padding included; here only
     * valid tokens count, so the numbers do not move with the amount of padding.
     */
    public record PolicyLoss(Tensor loss, double clipFraction, double approxKl, double meanRatio) {
        /** The statistics under TRL's metric names (trainers average them over minibatches). */
        public Map<String, Double> metrics() {
            return Map.of("loss/policy_avg", (double) loss.item(), "policy/clipfrac_avg", clipFraction,
                    "policy/approxkl_avg", approxKl, "val/ratio", meanRatio);
        }
    }

    /**
     * The value loss and its statistics.
     *
     * @param loss         0.5 · masked mean of max((v − R)², (v_clipped − R)²), a scalar with a graph
     * @param clipFraction share of valid tokens where the clipped error is the larger one
     */
    public record ValueLoss(Tensor loss, double clipFraction) {
        /** The statistics under TRL's metric names. */
        public Map<String, Double> metrics() {
            return Map.of("loss/value_avg", (double) loss.item(), "val/clipfrac_avg", clipFraction);
        }
    }

    /**
     * The clipped policy-gradient loss:
     *
     * <pre>
     *   ratio = exp(new − old)
     *   pg1   = −A · ratio
     *   pg2   = −A · clamp(ratio, 1 − ε, 1 + ε)
     *   loss  = masked_mean(max(pg1, pg2))
     * </pre>
     *
     * subtle: max of the two losses is the min of the two objectives (the pessimistic bound), so once
     * the ratio has left [1 − ε, 1 + ε] in the direction the advantage favours, the clipped branch wins
     * and its gradient is 0; moving the wrong way is never clipped.
     *
     * @param newLogprobs (B, T) log π_θ of the sampled tokens, with a graph
     * @param oldLogprobs (B, T) log π_old from the rollout
     * @param advantages  (B, T), usually whitened GAE
     * @param clipRange   ε, TRL's {@code cliprange} (0.2)
     */
    public static PolicyLoss policy(Tensor newLogprobs, float[] oldLogprobs, float[] advantages, float[] mask, double clipRange) {
        int n = newLogprobs.size();
        Guards.sameLength("PpoLosses.policy", n, oldLogprobs, "oldLogprobs");
        Guards.sameLength("PpoLosses.policy", n, advantages, "advantages");
        Guards.sameLength("PpoLosses.policy", n, mask, "mask");
        Guards.nonNegative("PpoLosses.policy", clipRange, "clipRange");
        int[] shape = newLogprobs.shape();
        float[] negAdvantages = new float[n];
        for (int i = 0; i < n; i++) negAdvantages[i] = -advantages[i];
        Tensor negA = Tensor.of(negAdvantages, shape);

        Tensor logRatio = Ops.sub(newLogprobs, Tensor.of(oldLogprobs, shape));
        Tensor ratio = Ops.exp(logRatio);
        Tensor pg1 = Ops.mul(negA, ratio);
        Tensor pg2 = Ops.mul(negA, Ops.clamp(ratio, (float) (1 - clipRange), (float) (1 + clipRange)));
        Tensor loss = Ops.maskedMean(Ops.maximum(pg1, pg2), mask);

        double count = 0, clipped = 0, squaredLogRatio = 0, ratioSum = 0;
        for (int i = 0; i < n; i++) {
            if (mask[i] == 0f) continue;
            count++;
            if (pg2.data[i] > pg1.data[i]) clipped++;
            squaredLogRatio += (double) logRatio.data[i] * logRatio.data[i];
            ratioSum += ratio.data[i];
        }
        return new PolicyLoss(loss, mean(clipped, count), 0.5 * mean(squaredLogRatio, count), mean(ratioSum, count));
    }

    /**
     * The clipped value loss:
     *
     * <pre>
     *   v_clipped = old + clamp(v − old, −ε_v, ε_v)
     *   loss      = 0.5 · masked_mean(max((v − R)², (v_clipped − R)²))
     * </pre>
     *
     * @param values         (B, T) the value head's predictions, with a graph
     * @param oldValues      (B, T) the values at rollout time
     * @param returns        (B, T) the GAE targets, {@code advantages + oldValues}
     * @param clipRangeValue ε_v, TRL's {@code cliprange_value} (0.2)
     */
    public static ValueLoss value(Tensor values, float[] oldValues, float[] returns, float[] mask, double clipRangeValue) {
        int n = values.size();
        Guards.sameLength("PpoLosses.value", n, oldValues, "oldValues");
        Guards.sameLength("PpoLosses.value", n, returns, "returns");
        Guards.sameLength("PpoLosses.value", n, mask, "mask");
        Guards.nonNegative("PpoLosses.value", clipRangeValue, "clipRangeValue");
        int[] shape = values.shape();
        Tensor old = Tensor.of(oldValues, shape);
        Tensor target = Tensor.of(returns, shape);
        float eps = (float) clipRangeValue;

        Tensor clippedValues = Ops.add(old, Ops.clamp(Ops.sub(values, old), -eps, eps));
        Tensor error1 = Ops.sub(values, target);
        Tensor error2 = Ops.sub(clippedValues, target);
        Tensor loss1 = Ops.mul(error1, error1);
        Tensor loss2 = Ops.mul(error2, error2);
        Tensor loss = Ops.scale(Ops.maskedMean(Ops.maximum(loss1, loss2), mask), 0.5f);

        double count = 0, clipped = 0;
        for (int i = 0; i < n; i++) {
            if (mask[i] == 0f) continue;
            count++;
            if (loss2.data[i] > loss1.data[i]) clipped++;
        }
        return new ValueLoss(loss, mean(clipped, count));
    }

    private static double mean(double sum, double count) {
        return count == 0 ? 0 : sum / count;
    }
}
