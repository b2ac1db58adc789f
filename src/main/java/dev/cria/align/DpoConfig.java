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

    /** The one place DPO's defaults live (β 0.1 and the sigmoid loss, as TRL); its optimiser defaults are SFT's. */
    public static DpoConfig defaults() {
        SftConfig s = SftConfig.defaults();
        return new DpoConfig(s.batchSize(), s.steps(), s.lr(), s.warmupSteps(), s.weightDecay(), s.gradClip(), 0.1, new PreferenceLoss.Sigmoid(0),
                0, s.evalEvery(), s.saveEvery(), s.seed());
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
        private double beta;
        private PreferenceLoss loss;
        private double rpoAlpha;
        private int evalEvery;
        private int saveEvery;
        private long seed;

        private Builder(DpoConfig c) {
            batchSize = c.batchSize;
            steps = c.steps;
            lr = c.lr;
            warmupSteps = c.warmupSteps;
            weightDecay = c.weightDecay;
            gradClip = c.gradClip;
            beta = c.beta;
            loss = c.loss;
            rpoAlpha = c.rpoAlpha;
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

        public Builder beta(double beta) {
            this.beta = beta;
            return this;
        }

        public Builder loss(PreferenceLoss loss) {
            this.loss = loss;
            return this;
        }

        public Builder rpoAlpha(double rpoAlpha) {
            this.rpoAlpha = rpoAlpha;
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

        public DpoConfig build() {
            return new DpoConfig(batchSize, steps, lr, warmupSteps, weightDecay, gradClip, beta, loss, rpoAlpha, evalEvery, saveEvery,
                    seed);
        }
    }
}
