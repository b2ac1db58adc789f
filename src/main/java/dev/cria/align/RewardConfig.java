package dev.cria.align;

import dev.cria.train.RunSettings;
import dev.cria.util.CriaException;

/**
 * Reward-model training on pairwise preferences (Bradley–Terry).
 *
 * @param run            batch, steps, learning rate, clipping, schedule of evaluations and checkpoints, seed
 * @param margin         required score gap: loss −logσ(r_c − r_r − margin)
 * @param centeringCoef  weight of the centring term coef·mean((r_c + r_r)²), which keeps scores near 0
 */
public record RewardConfig(RunSettings run, double margin, double centeringCoef) {
    public RewardConfig {
        if (!(centeringCoef >= 0)) throw new CriaException("--center-coef must be >= 0: " + centeringCoef);
    }

    /** The one place the reward model's defaults live. */
    public static RewardConfig defaults() {
        return new RewardConfig(RunSettings.defaults(), 0, 0.01);
    }

    public RewardConfig withRun(RunSettings run) {
        return new RewardConfig(run, margin, centeringCoef);
    }
}
