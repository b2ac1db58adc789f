package dev.cria.serve;

import dev.cria.util.CriaException;

/**
 * Settings of one training round.
 *
 * @param method         what the round learns from and how: see {@link RoundMethod}
 * @param rewardSteps    reward-model steps
 * @param rewardBatch    preference pairs per reward-model step (and pairs per DPO step, rated answers per KTO step)
 * @param rewardLr       reward-model learning rate
 * @param ppoIterations  PPO rollout-and-update rounds
 * @param ppoPrompts     prompts per PPO round
 * @param ppoLr          PPO learning rate
 * @param klCoef         β of PPO's KL penalty
 * @param dpoSteps       steps of DPO, online DPO and KTO
 * @param dpoLr          learning rate of DPO, online DPO and KTO
 * @param dpoBeta        β of DPO, online DPO and KTO (the pull towards the round's starting policy)
 * @param maxNewTokens   PPO response length limit
 * @param temperature    PPO sampling temperature
 * @param heldOutEvery   every n-th item's labels are held out to measure the reward model, DPO or KTO (0: none)
 * @param judgePrompts   built-in prompts on which the simulated annotator compares new and old policy (0: skip)
 * @param seed           seed of every stage
 */
public record RoundConfig(RoundMethod method, int rewardSteps, int rewardBatch, double rewardLr, int ppoIterations, int ppoPrompts, double ppoLr,
                          double klCoef, int dpoSteps, double dpoLr, double dpoBeta, int maxNewTokens, float temperature, int heldOutEvery,
                          int judgePrompts, long seed) {
    public RoundConfig {
        if (method == null) throw new CriaException("--method must be " + RoundMethod.choices());
        positive("--reward-steps", rewardSteps);
        positive("reward batch", rewardBatch);
        positive("--ppo-iterations", ppoIterations);
        positive("--ppo-prompts", ppoPrompts);
        positive("--dpo-steps", dpoSteps);
        positive("--round-max-new-tokens", maxNewTokens);
        if (!(rewardLr > 0)) throw new CriaException("--reward-lr must be positive: " + rewardLr);
        if (!(ppoLr > 0)) throw new CriaException("--ppo-lr must be positive: " + ppoLr);
        if (!(dpoLr > 0)) throw new CriaException("--dpo-lr must be positive: " + dpoLr);
        if (!(dpoBeta > 0)) throw new CriaException("DPO beta must be positive: " + dpoBeta);
        if (!(klCoef >= 0) || Double.isInfinite(klCoef)) throw new CriaException("--kl-coef must be 0 or more: " + klCoef);
        if (!(temperature > 0)) throw new CriaException("round temperature must be positive: " + temperature);
        if (judgePrompts < 0) throw new CriaException("--judge-prompts must be 0 or more (0 skips judging): " + judgePrompts);
        if (heldOutEvery < 0 || heldOutEvery == 1) throw new CriaException("--held-out-every must be 0 or at least 2: " + heldOutEvery);
    }

    private static void positive(String flag, int value) {
        if (value <= 0) throw new CriaException(flag + " must be positive: " + value);
    }

    public static RoundConfig defaults() {
        return new RoundConfig(RoundMethod.PPO, 200, 8, 1e-3, 20, 16, 1e-4, 0.05, 100, 1e-4, 0.1, 128, 1f, 5, 64, 1);
    }

    public RoundConfig withMethod(RoundMethod m) {
        return new RoundConfig(m, rewardSteps, rewardBatch, rewardLr, ppoIterations, ppoPrompts, ppoLr, klCoef, dpoSteps, dpoLr, dpoBeta,
                maxNewTokens, temperature, heldOutEvery, judgePrompts, seed);
    }
}
