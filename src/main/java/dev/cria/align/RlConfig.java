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
}
