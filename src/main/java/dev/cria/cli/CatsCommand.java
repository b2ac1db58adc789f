package dev.cria.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cria cats}: the "aligning TinyStories to cats" experiment ({@link CatExperiment}) with its before/after figures. */
@Command(name = "cats", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Aligns an SFT model's stories to cats: REINFORCE with a KL penalty to the SFT model, rewarded by each story's",
                "all-MiniLM-L6-v2 similarity to \"cat\" (--reward embedding:cat). Prints, for " + CatExperiment.HELD_OUT + " held-out prompts before and after:",
                "the mean similarity, the share of stories that mention a cat, the KL to the SFT model, the eos rate and the length.",
                "--lora trains adapters on the frozen SFT model, which is then also the KL reference.",
                "Writes OUT/model/, metrics.jsonl (eval/* at rounds 0 and last), rl_reward.png and rl_kl.png."})
final class CatsCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "The SFT model to start from (./cria sft).")
    Path model;

    @Option(names = "--out", required = true, description = "Run directory.")
    Path out;

    @Option(names = "--rounds", defaultValue = "60", description = "Rollout-and-update rounds of 8 prompts × 4 stories. Default: ${DEFAULT-VALUE}.")
    int rounds;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of prompts, sampling and minibatches. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--lr", description = "Learning rate. Default: the experiment's, ${DEFAULT-VALUE}.")
    double lr = CatExperiment.config(1, 1).lr();

    @Option(names = "--kl-coef", description = "β of the KL penalty to the SFT model. Default: ${DEFAULT-VALUE}.")
    double klCoef = CatExperiment.config(1, 1).klCoef();

    @Mixin
    LoraOptions lora;

    @Mixin
    QuantizeOptions quantize;

    @Override
    public Integer call() {
        Flags.positive("--rounds", rounds);
        Flags.positive("--lr", lr);
        var r = CatExperiment.run(model, CatExperiment.config(rounds, seed).toBuilder().lr(lr).klCoef(klCoef).build(), lora, quantize.kind(), out);
        System.out.printf("%-7s %10s %10s %10s %8s %8s%n", "", "similarity", "cat share", "KL (nats)", "eos", "tokens");
        row("before", r.before());
        row("after", r.after());
        if (lora.enabled && lora.merge) System.out.println("LoRA adapters merged into the weights");
        System.out.printf("%.0f s   model: %s   plots: %s, %s%n", r.seconds(), out.resolve("model"), out.resolve("rl_reward.png"),
                out.resolve("rl_kl.png"));
        return 0;
    }

    private static void row(String label, CatExperiment.Figures f) {
        System.out.printf("%-7s %10.3f %10.3f %10.2f %8.2f %8.1f%n", label, f.similarity(), f.catShare(), f.kl(), f.eosRate(), f.length());
    }
}
