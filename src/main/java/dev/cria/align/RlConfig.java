package dev.cria.align;

import dev.cria.util.CriaException;

/**
 * Settings of an RL run (PPO, REINFORCE, RLOO, GRPO), named as in TRL where TRL has a name.
 *
 * @param estimator         how advantages are formed
 * @param iterations        rollout-and-update rounds
 * @param prompts           prompts per round
 * @param samplesPerPrompt  completions per prompt (k ≥ 2 for RLOO and GRPO)
 * @param maxNewTokens      response length limit
 * @param temperature       sampling temperature, used in rollouts and in every log-prob alike
 * @param lr                policy (and value) learning rate, constant
 * @param epochs            PPO epochs over each round's samples
 * @param minibatches       minibatches per epoch
 * @param clipRange         ε of the clipped surrogate
 * @param clipRangeValue    ε of the clipped value loss
 * @param vfCoef            weight of the value loss
 * @param gamma             discount γ of GAE
 * @param lambda            λ of GAE
 * @param klCoef            initial β of the KL penalty (or the k3 loss weight for GRPO)
 * @param klTarget          target KL of the adaptive controller, 0 = fixed β
 * @param klHorizon         horizon of the adaptive controller
 * @param missingEosPenalty subtracted from the score of a response that did not end with eos
 * @param rewardClip        scores are clipped to ±this, 0 = off
 * @param gradClip          global gradient-norm limit per model, 0 = off
 * @param maxRatio          a minibatch whose mean ratio exceeds this is skipped with a warning
 * @param saveEvery         rounds between checkpoints, 0 = only at the end
 * @param seed              seed of prompt order, sampling and minibatches
 */
public record RlConfig(Estimator estimator, int iterations, int prompts, int samplesPerPrompt, int maxNewTokens, float temperature,
                       double lr, int epochs, int minibatches, double clipRange, double clipRangeValue, double vfCoef, double gamma,
                       double lambda, double klCoef, double klTarget, double klHorizon, double missingEosPenalty, double rewardClip,
                       double gradClip, double maxRatio, int saveEvery, long seed) {
    public RlConfig {
        positive("--iterations", iterations);
        positive("--prompts-per-round", prompts);
        positive("--samples-per-prompt", samplesPerPrompt);
        positive("--max-new-tokens", maxNewTokens);
        positive("--epochs", epochs);
        positive("--minibatches", minibatches);
        if (!(temperature > 0)) throw new CriaException("--temperature must be positive for RL rollouts: " + temperature);
        if (!(lr > 0)) throw new CriaException("--lr must be positive: " + lr);
        if ((estimator instanceof Estimator.Rloo || estimator instanceof Estimator.Grpo) && samplesPerPrompt < 2) {
            throw new CriaException(estimator.name() + " compares samples of one prompt: --samples-per-prompt must be at least 2, got " + samplesPerPrompt);
        }
        if (prompts * samplesPerPrompt < minibatches) {
            throw new CriaException("--minibatches " + minibatches + " exceeds the " + prompts * samplesPerPrompt + " samples of a round");
        }
        if (!(klCoef >= 0)) throw new CriaException("--kl-coef must be >= 0: " + klCoef);
        if (!(clipRange > 0)) throw new CriaException("--clip-range must be positive: " + clipRange);
    }

    private static void positive(String flag, int value) {
        if (value <= 0) throw new CriaException(flag + " must be positive: " + value);
    }

    /**
     * The one place RL's defaults live: the command-line flags, the web app's rounds and the demo all
     * start from here. PPO samples one answer per prompt; the critic-free estimators compare a group of 4.
     */
    public static RlConfig defaults(Estimator estimator) {
        return new RlConfig(estimator, 50, 16, estimator.needsCritic() ? 1 : 4, 256, 1f, 3e-4, 2, 2, 0.2, 0.2, 0.1, 1.0, 0.95, 0.05, 0,
                10000, 1.0, 0, 1.0, 10, 10, 1);
    }

    /** A copy of these settings to change by name; {@link Builder#build} validates the result. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Settings changed by name, starting from {@link #defaults} or another config. */
    public static final class Builder {
        private Estimator estimator;
        private int iterations;
        private int prompts;
        private int samplesPerPrompt;
        private int maxNewTokens;
        private float temperature;
        private double lr;
        private int epochs;
        private int minibatches;
        private double clipRange;
        private double clipRangeValue;
        private double vfCoef;
        private double gamma;
        private double lambda;
        private double klCoef;
        private double klTarget;
        private double klHorizon;
        private double missingEosPenalty;
        private double rewardClip;
        private double gradClip;
        private double maxRatio;
        private int saveEvery;
        private long seed;

        private Builder(RlConfig c) {
            estimator = c.estimator;
            iterations = c.iterations;
            prompts = c.prompts;
            samplesPerPrompt = c.samplesPerPrompt;
            maxNewTokens = c.maxNewTokens;
            temperature = c.temperature;
            lr = c.lr;
            epochs = c.epochs;
            minibatches = c.minibatches;
            clipRange = c.clipRange;
            clipRangeValue = c.clipRangeValue;
            vfCoef = c.vfCoef;
            gamma = c.gamma;
            lambda = c.lambda;
            klCoef = c.klCoef;
            klTarget = c.klTarget;
            klHorizon = c.klHorizon;
            missingEosPenalty = c.missingEosPenalty;
            rewardClip = c.rewardClip;
            gradClip = c.gradClip;
            maxRatio = c.maxRatio;
            saveEvery = c.saveEvery;
            seed = c.seed;
        }

        public Builder iterations(int iterations) {
            this.iterations = iterations;
            return this;
        }

        public Builder prompts(int prompts) {
            this.prompts = prompts;
            return this;
        }

        public Builder samplesPerPrompt(int samplesPerPrompt) {
            this.samplesPerPrompt = samplesPerPrompt;
            return this;
        }

        public Builder maxNewTokens(int maxNewTokens) {
            this.maxNewTokens = maxNewTokens;
            return this;
        }

        public Builder temperature(float temperature) {
            this.temperature = temperature;
            return this;
        }

        public Builder lr(double lr) {
            this.lr = lr;
            return this;
        }

        public Builder klCoef(double klCoef) {
            this.klCoef = klCoef;
            return this;
        }

        public Builder klTarget(double klTarget) {
            this.klTarget = klTarget;
            return this;
        }

        public Builder missingEosPenalty(double missingEosPenalty) {
            this.missingEosPenalty = missingEosPenalty;
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

        public RlConfig build() {
            return new RlConfig(estimator, iterations, prompts, samplesPerPrompt, maxNewTokens, temperature, lr, epochs, minibatches,
                    clipRange, clipRangeValue, vfCoef, gamma, lambda, klCoef, klTarget, klHorizon, missingEosPenalty, rewardClip,
                    gradClip, maxRatio, saveEvery, seed);
        }
    }
}
