package dev.cria.align;

import dev.cria.train.RunSettings;
import dev.cria.util.CriaException;

/**
 * Online DPO (Guo et al. 2024, "Direct Language Model Alignment from Online AI Feedback"; TRL's
 * OnlineDPOTrainer): DPO on pairs the current policy samples and a judge labels, fresh every step.
 *
 * @param run          prompts per step ({@code batchSize}), steps, learning rate, clipping, checkpoints, seed
 * @param beta         strength of the implicit KL constraint to the reference (TRL's default 0.1)
 * @param loss         the preference loss applied to each judged pair
 * @param maxNewTokens answer length limit while sampling (TRL's default is 64; stories need more)
 * @param temperature  sampling temperature of the two answers (TRL's default 0.9); must be above 0, or
 *                     both answers are the same
 */
public record OnlineDpoConfig(RunSettings run, double beta, PreferenceLoss loss, int maxNewTokens, float temperature) {
    public OnlineDpoConfig {
        if (!(beta > 0)) throw new CriaException("--beta must be positive: " + beta);
        if (maxNewTokens <= 0) throw new CriaException("--max-new-tokens must be positive: " + maxNewTokens);
        if (!(temperature > 0) || Float.isInfinite(temperature)) {
            throw new CriaException("--temperature must be above 0, or the two answers are the same: " + temperature);
        }
    }

    /** The one place online DPO's defaults live: β 0.1, the sigmoid loss and temperature 0.9 as TRL; 256 new tokens as pairs. */
    public static OnlineDpoConfig defaults() {
        return new OnlineDpoConfig(RunSettings.defaults(), 0.1, new PreferenceLoss.Sigmoid(0), 256, 0.9f);
    }
}
