package dev.cria.cli;

import dev.cria.align.Estimator;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cria ppo}: PPO with a value model, GAE and a KL penalty against a frozen reference. */
@Command(name = "ppo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"PPO against a reward, with a value model and a KL penalty to a frozen reference.",
                "As InstructGPT / Ziegler et al. and TRL: batched rollouts, per-token KL penalty, a value model (from the reward",
                "model or the policy), GAE, clipped policy and value losses. Writes OUT/model/ and OUT/critic/."})
final class PpoCommand extends RlCommand implements Callable<Integer> {
    @Option(names = "--value-from", description = "Value model's start: reward (needs --reward-model) or policy. Default: reward when --reward-model is given.")
    String valueFrom;

    @Override
    public Integer call() {
        return run(new Estimator.Ppo(), 1, valueFrom != null ? valueFrom : rewardModel != null ? "reward" : "policy");
    }
}
