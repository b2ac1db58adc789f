package dev.cria.align;

import dev.cria.util.CriaException;

/**
 * How an RL iteration turns scores into advantages: with a learned critic (PPO), or critic-free from the
 * sampled sequences alone. A switch over this sealed interface is exhaustive.
 */
public sealed interface Estimator {
    /** PPO (Schulman et al. 2017; Ziegler et al. 2019): per-token KL penalty, value model, GAE(γ, λ). */
    record Ppo() implements Estimator {
    }

    /** REINFORCE with a KL penalty in the reward and the batch's mean reward as baseline. */
    record Reinforce() implements Estimator {
    }

    /** RLOO (Ahmadian et al. 2024): k samples per prompt, each baselined by the mean of the other k−1. */
    record Rloo() implements Estimator {
    }

    /** GRPO (Shao et al. 2024): group-normalised scores, KL as a k3 term in the loss instead of the reward. */
    record Grpo() implements Estimator {
    }

    default String name() {
        return switch (this) {
            case Ppo p -> "ppo";
            case Reinforce r -> "reinforce";
            case Rloo r -> "rloo";
            case Grpo g -> "grpo";
        };
    }

    default boolean needsCritic() {
        return this instanceof Ppo;
    }

    static Estimator parse(String name) {
        return switch (name) {
            case "ppo" -> new Ppo();
            case "reinforce" -> new Reinforce();
            case "rloo" -> new Rloo();
            case "grpo" -> new Grpo();
            default -> throw new CriaException("unknown algorithm '" + name + "': use ppo, reinforce, rloo or grpo");
        };
    }
}
