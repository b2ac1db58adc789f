package dev.cria.cli;

import dev.cria.align.RlConfig;
import dev.cria.align.Estimator;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cria grpo}: the critic-free estimators, GRPO, RLOO and REINFORCE, on PPO's rollout path. */
@Command(name = "grpo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Critic-free RL: GRPO, RLOO or REINFORCE on PPO's rollout path.",
                "GRPO: group-normalised advantages, clipped ratio, k3 KL term. RLOO: leave-one-out baseline over k samples.",
                "REINFORCE: KL-penalised reward with the batch mean as baseline."})
final class GrpoCommand extends RlCommand implements Callable<Integer> {
    @Option(names = "--estimator", defaultValue = "grpo", description = "grpo, rloo or reinforce. Default: ${DEFAULT-VALUE}.")
    String estimator;

    @Option(names = {"-k", "--samples-per-prompt"}, description = "Completions per prompt. Default: ${DEFAULT-VALUE}.")
    int samplesPerPrompt = RlConfig.defaults(new Estimator.Grpo()).samplesPerPrompt();

    @Override
    public Integer call() {
        Estimator e = Estimator.parse(estimator);
        if (e.needsCritic()) throw new dev.cria.util.CriaException("use ./cria ppo for PPO; grpo takes grpo, rloo or reinforce");
        return run(e, samplesPerPrompt, null);
    }
}
