package dev.cria.align;

import dev.cria.train.LrSchedule;
import dev.cria.util.CriaException;

/**
 * Direct preference optimisation (Rafailov et al. 2023).
 *
 * @param batchSize   preference pairs per step
 * @param steps       optimizer steps
 * @param lr          peak learning rate (cosine decay to lr/10 after warmup)
 * @param warmupSteps linear warmup steps
 * @param weightDecay AdamW weight decay
 * @param gradClip    global gradient-norm limit, 0 = off
 * @param beta        strength of the implicit KL constraint to the reference (TRL's default 0.1)
 * @param loss        sigmoid (with label smoothing), IPO or hinge
 * @param rpoAlpha    weight of the chosen responses' mean token NLL added to the loss (RPO, TRL's
 *                    {@code rpo_alpha}); 0 = plain DPO
 * @param evalEvery   steps between held-out evaluations, 0 = only at the end
 * @param saveEvery   steps between checkpoints, 0 = only at the end
 * @param seed        seed of batch sampling
 */
public record DpoConfig(int batchSize, int steps, double lr, int warmupSteps, double weightDecay, double gradClip, double beta,
                        PreferenceLoss loss, double rpoAlpha, int evalEvery, int saveEvery, long seed) {
    public DpoConfig {
        if (batchSize <= 0) throw new CriaException("--batch must be positive: " + batchSize);
        if (steps <= 0) throw new CriaException("--steps must be positive: " + steps);
        if (!(lr > 0)) throw new CriaException("--lr must be positive: " + lr);
        if (!(beta > 0)) throw new CriaException("--beta must be positive: " + beta);
        if (!(rpoAlpha >= 0) || Double.isInfinite(rpoAlpha)) throw new CriaException("--rpo-alpha must be 0 or more: " + rpoAlpha);
    }

    public LrSchedule schedule() {
        return new LrSchedule(lr, lr / 10, warmupSteps, steps);
    }
}
