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

    /** The one place the reward model's defaults live; its optimiser defaults are SFT's. */
    public static RewardConfig defaults() {
        SftConfig s = SftConfig.defaults();
        return new RewardConfig(s.batchSize(), s.steps(), s.lr(), s.warmupSteps(), s.weightDecay(), s.gradClip(), 0, 0.01, s.evalEvery(),
                s.saveEvery(), s.seed());
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
        private double margin;
        private double centeringCoef;
        private int evalEvery;
        private int saveEvery;
        private long seed;

        private Builder(RewardConfig c) {
            batchSize = c.batchSize;
            steps = c.steps;
            lr = c.lr;
            warmupSteps = c.warmupSteps;
            weightDecay = c.weightDecay;
            gradClip = c.gradClip;
            margin = c.margin;
            centeringCoef = c.centeringCoef;
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

        public Builder weightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        public Builder gradClip(double gradClip) {
            this.gradClip = gradClip;
            return this;
        }

        public Builder margin(double margin) {
            this.margin = margin;
            return this;
        }

        public Builder centeringCoef(double centeringCoef) {
            this.centeringCoef = centeringCoef;
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

        public RewardConfig build() {
            return new RewardConfig(batchSize, steps, lr, warmupSteps, weightDecay, gradClip, margin, centeringCoef, evalEvery,
                    saveEvery, seed);
        }
    }
}
