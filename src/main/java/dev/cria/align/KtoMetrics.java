package dev.cria.align;

import dev.cria.autograd.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What TRL's KTOTrainer logs for a batch, as batch means with no graph. The implicit reward of an example
 * is β·(log π − log π_ref) of its completion; "chosen" are the desirable examples, "rejected" the
 * undesirable ones. A side with no example in the batch is left out (NaN here), as TRL leaves it out.
 *
 * @param chosenReward   mean reward of the desirable examples
 * @param rejectedReward mean reward of the undesirable examples
 * @param kl             the reference point z0 the loss used
 * @param chosenLogp     mean summed log π of the desirable completions
 * @param rejectedLogp   mean summed log π of the undesirable completions
 * @param chosenCount    desirable examples in the batch
 * @param rejectedCount  undesirable examples in the batch
 */
public record KtoMetrics(double chosenReward, double rejectedReward, double kl, double chosenLogp, double rejectedLogp,
                         int chosenCount, int rejectedCount) {

    public static KtoMetrics of(Tensor policy, Tensor reference, boolean[] desirable, double z0, double beta) {
        Guards.vector("KtoMetrics", policy, "policy");
        Guards.sameShape("KtoMetrics", policy, "policy", reference, "reference");
        Guards.positive("KtoMetrics", beta, "beta");
        if (desirable.length != policy.size()) {
            throw new IllegalArgumentException("KtoMetrics: " + desirable.length + " labels for " + policy.size() + " examples");
        }
        double[] reward = new double[2], logp = new double[2];
        int[] count = new int[2];
        for (int i = 0; i < desirable.length; i++) {
            int side = desirable[i] ? 0 : 1;
            reward[side] += beta * ((double) policy.data[i] - reference.data[i]);
            logp[side] += policy.data[i];
            count[side]++;
        }
        return new KtoMetrics(reward[0] / count[0], reward[1] / count[1], z0, logp[0] / count[0], logp[1] / count[1], count[0], count[1]);
    }

    /** The numbers under TRL's names; {@code rewards/margins} only when the batch has both kinds. */
    public Map<String, Double> metrics() {
        var m = new LinkedHashMap<String, Double>();
        m.put("kl", kl);
        if (chosenCount > 0) {
            m.put("rewards/chosen", chosenReward);
            m.put("logps/chosen", chosenLogp);
            m.put("count/chosen", (double) chosenCount);
        }
        if (rejectedCount > 0) {
            m.put("rewards/rejected", rejectedReward);
            m.put("logps/rejected", rejectedLogp);
            m.put("count/rejected", (double) rejectedCount);
        }
        if (chosenCount > 0 && rejectedCount > 0) m.put("rewards/margins", chosenReward - rejectedReward);
        return m;
    }
}
