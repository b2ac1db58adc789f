package dev.cria.cli;

import dev.cria.align.Estimator;
import dev.cria.align.RlConfig;
import dev.cria.model.Llama;
import picocli.CommandLine.Option;

/** Flags of the RL commands (ppo, grpo), named after TRL's settings where TRL has them. */
final class RlOptions {
    /** The flags start from RL's own defaults (the estimator does not change these). */
    private static final RlConfig DEFAULTS = RlConfig.defaults(new Estimator.Ppo());

    @Option(names = "--iterations", description = "Rollout-and-update rounds. Default: ${DEFAULT-VALUE}.")
    int iterations = DEFAULTS.iterations();

    @Option(names = "--prompts-per-round", description = "Prompts per round. Default: ${DEFAULT-VALUE}.")
    int promptsPerRound = DEFAULTS.prompts();

    @Option(names = "--max-new-tokens", description = "Response length limit. Default: ${DEFAULT-VALUE}.")
    int maxNewTokens = DEFAULTS.maxNewTokens();

    @Option(names = "--temperature", description = "Sampling temperature, also applied to every log-prob. Default: ${DEFAULT-VALUE}.")
    float temperature = DEFAULTS.temperature();

    @Option(names = "--lr", description = "Learning rate. Default: ${DEFAULT-VALUE}.")
    double lr = DEFAULTS.lr();

    @Option(names = "--epochs", description = "PPO epochs per round. Default: ${DEFAULT-VALUE}.")
    int epochs = DEFAULTS.epochs();

    @Option(names = "--minibatches", description = "Minibatches per epoch. Default: ${DEFAULT-VALUE}.")
    int minibatches = DEFAULTS.minibatches();

    @Option(names = "--clip-range", description = "ε of the clipped surrogate. Default: ${DEFAULT-VALUE}.")
    double clipRange = DEFAULTS.clipRange();

    @Option(names = "--clip-range-value", description = "ε of the clipped value loss. Default: ${DEFAULT-VALUE}.")
    double clipRangeValue = DEFAULTS.clipRangeValue();

    @Option(names = "--vf-coef", description = "Weight of the value loss. Default: ${DEFAULT-VALUE}.")
    double vfCoef = DEFAULTS.vfCoef();

    @Option(names = "--gamma", description = "GAE discount γ. Default: ${DEFAULT-VALUE}.")
    double gamma = DEFAULTS.gamma();

    @Option(names = "--lam", description = "GAE λ. Default: ${DEFAULT-VALUE}.")
    double lambda = DEFAULTS.lambda();

    @Option(names = "--kl-coef", description = "Initial β of the KL penalty (GRPO: weight of the k3 term). Default: ${DEFAULT-VALUE}.")
    double klCoef = DEFAULTS.klCoef();

    @Option(names = "--kl-target", description = "Target KL of the adaptive controller; 0 keeps β fixed. Default: ${DEFAULT-VALUE}.")
    double klTarget = DEFAULTS.klTarget();

    @Option(names = "--kl-horizon", description = "Horizon of the adaptive KL controller. Default: ${DEFAULT-VALUE}.")
    double klHorizon = DEFAULTS.klHorizon();

    @Option(names = "--missing-eos-penalty", description = "Subtracted from a response that never emitted eos. Default: ${DEFAULT-VALUE}.")
    double missingEosPenalty = DEFAULTS.missingEosPenalty();

    @Option(names = "--reward-clip", description = "Clip scores to ±this; 0 = off. Default: ${DEFAULT-VALUE}.")
    double rewardClip = DEFAULTS.rewardClip();

    @Option(names = "--grad-clip", description = "Global gradient-norm clip per model. Default: ${DEFAULT-VALUE}.")
    double gradClip = DEFAULTS.gradClip();

    @Option(names = "--max-ratio", description = "Skip a minibatch whose mean policy ratio exceeds this. Default: ${DEFAULT-VALUE}.")
    double maxRatio = DEFAULTS.maxRatio();

    @Option(names = "--save-every", description = "Rounds between checkpoints. Default: ${DEFAULT-VALUE}.")
    int saveEvery = DEFAULTS.saveEvery();

    @Option(names = "--gradient-checkpointing",
            description = "Recompute each block's activations in the backward pass instead of keeping them: less memory for long sequences, about a third more time.")
    boolean gradientCheckpointing;

    /** Sets what these flags say about how the model trains (activation checkpointing). */
    void applyTo(Llama model) {
        model.checkpointActivations(gradientCheckpointing);
    }

    @Option(names = "--seed", description = "Seed. Default: ${DEFAULT-VALUE}.")
    long seed = DEFAULTS.seed();

    RlConfig config(Estimator estimator, int samplesPerPrompt) {
        return new RlConfig(estimator, iterations, promptsPerRound, samplesPerPrompt, maxNewTokens, temperature, lr, epochs, minibatches,
                clipRange, clipRangeValue, vfCoef, gamma, lambda, klCoef, klTarget, klHorizon, missingEosPenalty, rewardClip, gradClip,
                maxRatio, saveEvery, seed);
    }
}
