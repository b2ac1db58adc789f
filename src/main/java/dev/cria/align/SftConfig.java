package dev.cria.align;

import dev.cria.train.LrSchedule;
import dev.cria.util.CriaException;

/**
 * Supervised fine-tuning on (prompt, response) pairs.
 *
 * @param batchSize   examples per step
 * @param steps       optimizer steps
 * @param lr          peak learning rate (after warmup; cosine decay to lr/10)
 * @param warmupSteps linear warmup steps
 * @param weightDecay AdamW weight decay (not on norms and embeddings)
 * @param gradClip    global gradient-norm limit, 0 = off
 * @param evalEvery   steps between validations, 0 = only at the end
 * @param saveEvery   steps between checkpoints, 0 = only at the end
 * @param seed        seed of batch sampling and LoRA initialisation
 */
public record SftConfig(int batchSize, int steps, double lr, int warmupSteps, double weightDecay, double gradClip,
                        int evalEvery, int saveEvery, long seed) {
    public SftConfig {
        if (batchSize <= 0) throw new CriaException("--batch must be positive: " + batchSize);
        if (steps <= 0) throw new CriaException("--steps must be positive: " + steps);
        if (!(lr > 0)) throw new CriaException("--lr must be positive: " + lr);
        if (warmupSteps < 0) throw new CriaException("--warmup must be >= 0: " + warmupSteps);
        if (!(weightDecay >= 0)) throw new CriaException("--weight-decay must be >= 0: " + weightDecay);
        if (!(gradClip >= 0)) throw new CriaException("--grad-clip must be >= 0: " + gradClip);
    }

    public LrSchedule schedule() {
        return new LrSchedule(lr, lr / 10, warmupSteps, steps);
    }
}
