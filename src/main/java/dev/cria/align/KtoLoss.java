package dev.cria.align;

import dev.cria.autograd.Ops;
import dev.cria.autograd.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * KTO's loss (Ethayarajh et al. 2024, eq. 7) as TRL's {@code kto_loss} computes it, over summed response
 * log-probabilities per sequence. With r = log π(y|x) − log π_ref(y|x) and the reference point z0:
 *
 * <pre>
 *   desirable:    λ_D·(1 − σ(β·(r − z0)))
 *   undesirable:  λ_U·(1 − σ(β·(z0 − r)))
 *   loss = mean over the batch of both kinds together
 * </pre>
 *
 * z0 estimates KL(π‖π_ref) from completions paired with other examples' prompts (see
 * {@link #referencePoint}); it is a constant, so no gradient flows through it. Not here: finding the
 * mismatched pairs and computing log-probs ({@link KtoTrainer}), and the metrics ({@link KtoMetrics}).
 */
public final class KtoLoss {
    private KtoLoss() {
    }

    /**
     * z0 = max(0, mean over the batch of (log π − log π_ref)) on mismatched prompt/completion pairs. A batch
     * estimate of the policy's KL from the reference, clamped at 0 as TRL does (a sample estimate can dip
     * below the true KL, which is never negative).
     *
     * @param policy    (B) summed log π of each mismatched completion
     * @param reference (B) summed log π_ref of the same completions
     */
    public static double referencePoint(float[] policy, float[] reference) {
        if (policy.length == 0) throw new IllegalArgumentException("KtoLoss: empty batch for the KL estimate");
        Guards.sameLength("KtoLoss", policy.length, reference, "reference");
        double sum = 0;
        for (int i = 0; i < policy.length; i++) sum += (double) policy[i] - reference[i];
        return Math.max(0, sum / policy.length);
    }

    /**
     * The mean loss over the batch, a scalar with a graph.
     *
     * @param policy    (B) summed log π of each example's completion, usually with a graph
     * @param reference (B) summed log π_ref of the same completions, a constant
     * @param desirable per example: true for a good completion
     * @param z0        the reference point, ≥ 0 (see {@link #referencePoint})
     */
    public static Tensor loss(Tensor policy, Tensor reference, boolean[] desirable, double z0, double beta,
                              double desirableWeight, double undesirableWeight) {
        Guards.vector("KtoLoss", policy, "policy");
        Guards.sameShape("KtoLoss", policy, "policy", reference, "reference");
        if (desirable.length != policy.size()) {
            throw new IllegalArgumentException("KtoLoss: " + desirable.length + " labels for " + policy.size() + " examples");
        }
        Guards.nonNegative("KtoLoss", z0, "z0");
        Guards.positive("KtoLoss", beta, "beta");
        Guards.positive("KtoLoss", desirableWeight, "desirableWeight");
        Guards.positive("KtoLoss", undesirableWeight, "undesirableWeight");
        int n = desirable.length;
        float[] sign = new float[n], weight = new float[n];
        for (int i = 0; i < n; i++) {
            sign[i] = (float) (desirable[i] ? beta : -beta);
            weight[i] = (float) (desirable[i] ? desirableWeight : undesirableWeight);
        }
        Tensor shifted = Ops.addScalar(Ops.sub(policy, reference), (float) -z0);
        // 1 − σ(x) = σ(−x), with x = β·(r − z0) for good examples and β·(z0 − r) for bad ones.
        Tensor perExample = Ops.sigmoid(Ops.neg(Ops.mul(shifted, Tensor.of(sign, n))));
        return Ops.mean(Ops.mul(perExample, Tensor.of(weight, n)));
    }

    /**
     * For each example, the index of another whose completion it is paired with for the KL estimate: the
     * nearest earlier one (cyclically) with a different prompt, or simply the previous one when every prompt
     * is the same. TRL shifts completions by one in the same way; skipping examples of the same prompt keeps
     * an unpaired dataset made from pairs from pairing a prompt with its own other answer.
     *
     * <p>For example, prompts [a, a, b, c] give partners [3, 3, 1, 2].
     */
    static int[] mismatchedPartners(List<int[]> prompts) {
        int n = prompts.size();
        if (n < 2) throw new IllegalArgumentException("KtoLoss: the KL estimate needs at least 2 examples, got " + n);
        int[] partner = new int[n];
        for (int i = 0; i < n; i++) {
            partner[i] = (i - 1 + n) % n;
            for (int step = 1; step < n; step++) {
                int j = (i - step + n) % n;
                if (!Arrays.equals(prompts.get(i), prompts.get(j))) {
                    partner[i] = j;
                    break;
                }
            }
        }
        return partner;
    }
}
