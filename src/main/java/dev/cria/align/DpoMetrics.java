package dev.cria.align;

import dev.cria.autograd.Tensor;
import java.util.Map;

/**
 * What TRL's DPOTrainer logs for a batch of preference pairs, from the same four (B) inputs as
 * {@link PreferenceLoss}. The implicit rewards are β·(log π − log π_ref) of each response (DPO's
 * implicit reward, Rafailov et al. 2023); all numbers are batch means and carry no graph.
 *
 * @param chosenReward   mean β·(log π(y_c) − log π_ref(y_c))
 * @param rejectedReward mean β·(log π(y_r) − log π_ref(y_r))
 * @param accuracy       share of pairs whose chosen reward is strictly greater (ties count as wrong)
 * @param margin         mean chosen reward minus rejected reward
 * @param chosenLogp     mean summed log π of the chosen responses
 * @param rejectedLogp   mean summed log π of the rejected responses
 */
public record DpoMetrics(double chosenReward, double rejectedReward, double accuracy, double margin,
                         double chosenLogp, double rejectedLogp) {

    public static DpoMetrics of(Tensor policyChosen, Tensor policyRejected, Tensor refChosen, Tensor refRejected, double beta) {
        Guards.vector("DpoMetrics", policyChosen, "policyChosen");
        Guards.sameShape("DpoMetrics", policyChosen, "policyChosen", policyRejected, "policyRejected");
        Guards.sameShape("DpoMetrics", policyChosen, "policyChosen", refChosen, "refChosen");
        Guards.sameShape("DpoMetrics", policyChosen, "policyChosen", refRejected, "refRejected");
        Guards.positive("DpoMetrics", beta, "beta");
        int n = policyChosen.size();
        if (n == 0) throw new IllegalArgumentException("DpoMetrics: empty batch");
        double chosen = 0, rejected = 0, correct = 0, chosenLogp = 0, rejectedLogp = 0;
        for (int i = 0; i < n; i++) {
            double c = beta * ((double) policyChosen.data[i] - refChosen.data[i]);
            double r = beta * ((double) policyRejected.data[i] - refRejected.data[i]);
            chosen += c;
            rejected += r;
            if (c > r) correct++;
            chosenLogp += policyChosen.data[i];
            rejectedLogp += policyRejected.data[i];
        }
        return new DpoMetrics(chosen / n, rejected / n, correct / n, (chosen - rejected) / n, chosenLogp / n, rejectedLogp / n);
    }

    /** The numbers under TRL's metric names. */
    public Map<String, Double> metrics() {
        return Map.of("rewards/chosen", chosenReward, "rewards/rejected", rejectedReward,
                "rewards/accuracies", accuracy, "rewards/margins", margin,
                "logps/chosen", chosenLogp, "logps/rejected", rejectedLogp);
    }
}
