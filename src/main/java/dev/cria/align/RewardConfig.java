package dev.cria.align;

import dev.cria.train.LrSchedule;
import dev.cria.util.CriaException;

/**
 * Reward-model training on pairwise preferences (Bradley–Terry).
 *
 * @param batchSize      preference pairs per step
 * @param steps          optimizer steps
 * @param lr             peak learning rate (after warmup; cosine decay to lr/10)
 * @param warmupSteps    linear warmup steps
 * @param weightDecay    AdamW weight decay
 * @param gradClip       global gradient-norm limit, 0 = off
 * @param margin         required score gap: loss −logσ(r_c − r_r − margin)
 * @param centeringCoef  weight of the centring term coef·mean((r_c + r_r)²), which keeps scores near 0
 * @param evalEvery      steps between held-out evaluations, 0 = only at the end
 * @param saveEvery      steps between checkpoints, 0 = only at the end
 * @param seed           seed of batch sampling and the head's initialisation
 */
public record RewardConfig(int batchSize, int steps, double lr, int warmupSteps, double weightDecay, double gradClip, double margin,
                           double centeringCoef, int evalEvery, int saveEvery, long seed) {
    public RewardConfig {
        if (batchSize <= 0) throw new CriaException("--batch must be positive: " + batchSize);
        if (steps <= 0) throw new CriaException("--steps must be positive: " + steps);
        if (!(lr > 0)) throw new CriaException("--lr must be positive: " + lr);
        if (warmupSteps < 0) throw new CriaException("--warmup must be >= 0: " + warmupSteps);
        if (!(centeringCoef >= 0)) throw new CriaException("--center-coef must be >= 0: " + centeringCoef);
    }

    public LrSchedule schedule() {
        return new LrSchedule(lr, lr / 10, warmupSteps, steps);
    }
}
