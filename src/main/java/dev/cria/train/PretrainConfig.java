package dev.cria.train;

import dev.cria.util.CriaException;

/**
 * Hyperparameters of a pretraining run. Every field is saved in the checkpoint's resolved run config.
 *
 * @param batchSize    sequences per micro-batch (B)
 * @param seqLen       tokens per sequence (T)
 * @param gradAccum    micro-batches whose gradients are summed before each optimizer step
 * @param steps        optimizer steps in the whole run
 * @param lr           peak learning rate, reached after warmup
 * @param minLr        learning rate at the end of the cosine decay
 * @param warmupSteps  steps of linear warmup from 0
 * @param weightDecay  AdamW decoupled weight decay (not applied to norms and embeddings)
 * @param beta1        AdamW first-moment decay
 * @param beta2        AdamW second-moment decay
 * @param gradClip     global gradient-norm limit (0 = off)
 * @param evalEvery    steps between validation passes (0 = only at the end)
 * @param evalBatches  validation batches per pass (the val stream in order, from its start)
 * @param saveEvery    steps between checkpoints (0 = only at the end)
 * @param seed         seed of weight init and batch sampling
 */
public record PretrainConfig(int batchSize, int seqLen, int gradAccum, int steps, double lr, double minLr, int warmupSteps,
                             double weightDecay, double beta1, double beta2, double gradClip, int evalEvery, int evalBatches,
                             int saveEvery, long seed) {
    public PretrainConfig {
        positive("batch", batchSize);
        positive("seq-len", seqLen);
        positive("grad-accum", gradAccum);
        positive("steps", steps);
        positive("eval-batches", evalBatches);
        if (!(lr > 0)) throw new CriaException("--lr must be positive: " + lr);
        if (!(minLr >= 0 && minLr <= lr)) throw new CriaException("--min-lr must be in [0, lr=" + lr + "]: " + minLr);
        if (warmupSteps < 0) throw new CriaException("--warmup must be >= 0: " + warmupSteps);
        if (!(weightDecay >= 0)) throw new CriaException("--weight-decay must be >= 0: " + weightDecay);
        if (!(beta1 >= 0 && beta1 < 1)) throw new CriaException("--beta1 must be in [0, 1): " + beta1);
        if (!(beta2 >= 0 && beta2 < 1)) throw new CriaException("--beta2 must be in [0, 1): " + beta2);
        if (!(gradClip >= 0)) throw new CriaException("--grad-clip must be >= 0: " + gradClip);
        if (evalEvery < 0) throw new CriaException("--eval-every must be >= 0: " + evalEvery);
        if (saveEvery < 0) throw new CriaException("--save-every must be >= 0: " + saveEvery);
    }

    private static void positive(String flag, int value) {
        if (value <= 0) throw new CriaException("--" + flag + " must be positive: " + value);
    }

    public LrSchedule schedule() {
        return new LrSchedule(lr, minLr, warmupSteps, steps);
    }

    public int tokensPerStep() {
        return batchSize * seqLen * gradAccum;
    }

    /** The one place pretraining's defaults live; the command-line flags and the demo start from here. */
    public static PretrainConfig defaults() {
        return new PretrainConfig(16, 256, 1, 1000, 3e-3, 3e-4, 50, 0.1, AdamW.BETA1, AdamW.BETA2, 1.0, 100, 20, 200, 1337);
    }
}
