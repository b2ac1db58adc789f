package dev.cria.cli;

import dev.cria.serve.RoundConfig;
import dev.cria.serve.RoundMethod;
import dev.cria.util.CriaException;
import picocli.CommandLine.Option;

/** Flags of a human-feedback training round, shared by {@code serve} (its train action) and {@code rlhf}. */
final class RoundOptions {
    private static final RoundConfig D = RoundConfig.defaults();

    @Option(names = "--method", defaultValue = "ppo", description = "ppo (reward model, then PPO), dpo, kto (from the ratings of single answers) or online-dpo (from the pairs the current policy wrote). Default: ${DEFAULT-VALUE}.")
    String method;

    @Option(names = "--reward-steps", description = "Reward-model steps. Default: 200.")
    Integer rewardSteps;

    @Option(names = "--reward-lr", description = "Reward-model learning rate. Default: 1e-3.")
    Double rewardLr;

    @Option(names = "--ppo-iterations", description = "PPO iterations (rollout and update) in a round. Default: 20.")
    Integer ppoIterations;

    @Option(names = "--ppo-prompts", description = "Prompts per PPO iteration. Default: 16.")
    Integer ppoPrompts;

    @Option(names = "--ppo-lr", description = "PPO learning rate. Default: 1e-4.")
    Double ppoLr;

    @Option(names = "--kl-coef", description = "β of PPO's KL penalty. Default: 0.05.")
    Double klCoef;

    @Option(names = "--dpo-steps", description = "Steps of DPO, online DPO and KTO. Default: 100.")
    Integer dpoSteps;

    @Option(names = "--dpo-lr", description = "Learning rate of DPO, online DPO and KTO. Default: 1e-4.")
    Double dpoLr;

    @Option(names = "--round-max-new-tokens", description = "PPO response length limit. Default: 128.")
    Integer maxNewTokens;

    @Option(names = "--judge-prompts", description = "Built-in prompts on which the simulated annotator compares the new policy with the old (0 = skip). Default: 64.")
    Integer judgePrompts;

    @Option(names = "--round-seed", description = "Seed of the round's training. Default: 1.")
    Long seed;

    RoundConfig config() {
        RoundMethod m = RoundMethod.byId(method);
        if (m == null) throw new CriaException("--method must be " + RoundMethod.choices() + ": " + method);
        return new RoundConfig(m, or(rewardSteps, D.rewardSteps()), D.rewardBatch(), or(rewardLr, D.rewardLr()), or(ppoIterations, D.ppoIterations()),
                or(ppoPrompts, D.ppoPrompts()), or(ppoLr, D.ppoLr()), or(klCoef, D.klCoef()), or(dpoSteps, D.dpoSteps()), or(dpoLr, D.dpoLr()), D.dpoBeta(),
                or(maxNewTokens, D.maxNewTokens()), D.temperature(), D.heldOutEvery(), or(judgePrompts, D.judgePrompts()), or(seed, D.seed()));
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }
}
