package dev.cria.train;

import dev.cria.util.CriaException;

/**
 * How a fine-tuning run steps, the settings SFT, the reward model and DPO share: batch, length and
 * learning-rate schedule, AdamW's weight decay, clipping, when to evaluate and save, and the seed.
 *
 * @param batchSize   examples (or pairs) per step
 * @param steps       optimizer steps
 * @param lr          peak learning rate (after warmup; cosine decay to lr/10)
 * @param warmupSteps linear warmup steps
 * @param weightDecay AdamW weight decay (not on norms and embeddings)
 * @param gradClip    global gradient-norm limit, 0 = off
 * @param evalEvery   steps between held-out evaluations, 0 = only at the end
 * @param saveEvery   steps between checkpoints, 0 = only at the end
 * @param seed        seed of batch sampling (and of LoRA's or a score head's initialisation)
 */
public record RunSettings(int batchSize, int steps, double lr, int warmupSteps, double weightDecay, double gradClip,
                          int evalEvery, int saveEvery, long seed) {
    public RunSettings {
        if (batchSize <= 0) throw new CriaException("--batch must be positive: " + batchSize);
        if (steps <= 0) throw new CriaException("--steps must be positive: " + steps);
        if (!(lr > 0)) throw new CriaException("--lr must be positive: " + lr);
        if (warmupSteps < 0) throw new CriaException("--warmup must be >= 0: " + warmupSteps);
        if (!(weightDecay >= 0)) throw new CriaException("--weight-decay must be >= 0: " + weightDecay);
        if (!(gradClip >= 0)) throw new CriaException("--grad-clip must be >= 0: " + gradClip);
        if (evalEvery < 0) throw new CriaException("--eval-every must be 0 or more: " + evalEvery);
        if (saveEvery < 0) throw new CriaException("--save-every must be 0 or more: " + saveEvery);
    }

    /** The one place the fine-tuning trainers' defaults live; the command line, the web app and the demo start from here. */
    public static RunSettings defaults() {
        return new RunSettings(8, 200, 1e-3, 10, 0, 1, 50, 100, 1);
    }

    public LrSchedule schedule() {
        return new LrSchedule(lr, lr / 10, warmupSteps, steps);
    }

    /** A copy of these settings to change by name; {@link Builder#build} validates the result. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Settings changed by name, starting from {@link #defaults} or another config. */
    public static final class Builder {
        private int batchSize;
        private int steps;
        private double lr;
        private int warmupSteps;
        private double weightDecay;
        private double gradClip;
        private int evalEvery;
        private int saveEvery;
        private long seed;

        private Builder(RunSettings c) {
            batchSize = c.batchSize;
            steps = c.steps;
            lr = c.lr;
            warmupSteps = c.warmupSteps;
            weightDecay = c.weightDecay;
            gradClip = c.gradClip;
            evalEvery = c.evalEvery;
            saveEvery = c.saveEvery;
            seed = c.seed;
        }

        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        public Builder steps(int steps) {
            this.steps = steps;
            return this;
        }

        public Builder lr(double lr) {
            this.lr = lr;
            return this;
        }

        public Builder warmupSteps(int warmupSteps) {
            this.warmupSteps = warmupSteps;
            return this;
        }

        public Builder evalEvery(int evalEvery) {
            this.evalEvery = evalEvery;
            return this;
        }

        public Builder saveEvery(int saveEvery) {
            this.saveEvery = saveEvery;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public RunSettings build() {
            return new RunSettings(batchSize, steps, lr, warmupSteps, weightDecay, gradClip, evalEvery, saveEvery, seed);
        }
    }
}
