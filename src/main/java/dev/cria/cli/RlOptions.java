package dev.cria.cli;

import dev.cria.align.Estimator;
import dev.cria.align.RlConfig;
import picocli.CommandLine.Option;

/** Flags of the RL commands (ppo, grpo), named after TRL's settings where TRL has them. */
final class RlOptions {
    @Option(names = "--iterations", defaultValue = "50", description = "Rollout-and-update rounds. Default: ${DEFAULT-VALUE}.")
    int iterations;

    @Option(names = "--prompts-per-round", defaultValue = "16", description = "Prompts per round. Default: ${DEFAULT-VALUE}.")
    int promptsPerRound;

    @Option(names = "--max-new-tokens", defaultValue = "256", description = "Response length limit. Default: ${DEFAULT-VALUE}.")
    int maxNewTokens;

    @Option(names = "--temperature", defaultValue = "1.0", description = "Sampling temperature, also applied to every log-prob. Default: ${DEFAULT-VALUE}.")
    float temperature;

    @Option(names = "--lr", defaultValue = "3e-4", description = "Learning rate. Default: ${DEFAULT-VALUE}.")
    double lr;

    @Option(names = "--epochs", defaultValue = "2", description = "PPO epochs per round. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--minibatches", defaultValue = "2", description = "Minibatches per epoch. Default: ${DEFAULT-VALUE}.")
    int minibatches;

    @Option(names = "--clip-range", defaultValue = "0.2", description = "ε of the clipped surrogate. Default: ${DEFAULT-VALUE}.")
    double clipRange;

    @Option(names = "--clip-range-value", defaultValue = "0.2", description = "ε of the clipped value loss. Default: ${DEFAULT-VALUE}.")
    double clipRangeValue;

    @Option(names = "--vf-coef", defaultValue = "0.1", description = "Weight of the value loss. Default: ${DEFAULT-VALUE}.")
    double vfCoef;

    @Option(names = "--gamma", defaultValue = "1.0", description = "GAE discount γ. Default: ${DEFAULT-VALUE}.")
    double gamma;

    @Option(names = "--lam", defaultValue = "0.95", description = "GAE λ. Default: ${DEFAULT-VALUE}.")
    double lambda;

    @Option(names = "--kl-coef", defaultValue = "0.05", description = "Initial β of the KL penalty (GRPO: weight of the k3 term). Default: ${DEFAULT-VALUE}.")
    double klCoef;

    @Option(names = "--kl-target", defaultValue = "0", description = "Target KL of the adaptive controller; 0 keeps β fixed. Default: ${DEFAULT-VALUE}.")
    double klTarget;

    @Option(names = "--kl-horizon", defaultValue = "10000", description = "Horizon of the adaptive KL controller. Default: ${DEFAULT-VALUE}.")
    double klHorizon;

    @Option(names = "--missing-eos-penalty", defaultValue = "1.0", description = "Subtracted from a response that never emitted eos. Default: ${DEFAULT-VALUE}.")
    double missingEosPenalty;

    @Option(names = "--reward-clip", defaultValue = "0", description = "Clip scores to ±this; 0 = off. Default: ${DEFAULT-VALUE}.")
    double rewardClip;

    @Option(names = "--grad-clip", defaultValue = "1.0", description = "Global gradient-norm clip per model. Default: ${DEFAULT-VALUE}.")
    double gradClip;

    @Option(names = "--max-ratio", defaultValue = "10", description = "Skip a minibatch whose mean policy ratio exceeds this. Default: ${DEFAULT-VALUE}.")
    double maxRatio;

    @Option(names = "--save-every", defaultValue = "10", description = "Rounds between checkpoints. Default: ${DEFAULT-VALUE}.")
    int saveEvery;

    @Option(names = "--seed", defaultValue = "1", description = "Seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    RlConfig config(Estimator estimator, int samplesPerPrompt) {
        return new RlConfig(estimator, iterations, promptsPerRound, samplesPerPrompt, maxNewTokens, temperature, lr, epochs, minibatches,
                clipRange, clipRangeValue, vfCoef, gamma, lambda, klCoef, klTarget, klHorizon, missingEosPenalty, rewardClip, gradClip,
                maxRatio, saveEvery, seed);
    }
}
