package dev.cria.cli;

import dev.cria.align.RejectionSamplingConfig;
import dev.cria.align.RejectionSamplingTrainer;
import dev.cria.checkpoint.ModelDirectory;
import dev.cria.model.Llama;
import dev.cria.train.RunDirectory;
import dev.cria.train.StopSignal;
import dev.cria.util.CriaException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cria rejection-sampling}: rounds of best-of-n sampling and SFT on the kept answers ({@link RejectionSamplingTrainer}). */
@Command(name = "rejection-sampling", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Rejection-sampling fine-tuning (Llama 2's rejection sampling, RAFT): for --rounds rounds, the current model answers",
                "each prompt --samples times, --reward keeps the best answer, and SFT (--steps per round) trains on those.",
                "Writes OUT/round-N/ (its SFT run and best.jsonl, the kept answers), OUT/metrics.jsonl (mean and best scores per round)",
                "and the final model in OUT/model/. Not resumable: a stopped run keeps the rounds it finished.",
                "There is no held-out set, so --val-fraction and --eval-every do not apply."})
final class RejectionSamplingCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Model to start from, usually the SFT model.")
    Path model;

    @Option(names = "--out", required = true, description = "Run directory.")
    Path out;

    @Option(names = "--reward", defaultValue = "annotator",
            description = "Reward that ranks the answers, as ppo and grpo take it: model, keyword:WORD, copy, annotator, weighted sums. Default: ${DEFAULT-VALUE}.")
    String reward;

    @Option(names = "--reward-model", description = "Reward model directory for --reward model.")
    Path rewardModel;

    @Option(names = "--samples", defaultValue = "4", description = "Answers per prompt (n of best-of-n, at least 2). Default: ${DEFAULT-VALUE}.")
    int samples;

    @Option(names = "--rounds", defaultValue = "2", description = "Rounds of sampling and fine-tuning. Default: ${DEFAULT-VALUE}.")
    int rounds;

    @Option(names = "--prompts", description = "Prompt JSONL. Default: built-in story instructions with --seed.")
    Path prompts;

    @Option(names = "--num-prompts", defaultValue = "200", description = "Built-in prompts answered each round. Default: ${DEFAULT-VALUE}.")
    int numPrompts;

    @Option(names = "--max-new-tokens", defaultValue = "256", description = "Answer length limit. Default: ${DEFAULT-VALUE}.")
    int maxNewTokens;

    @Option(names = "--temperature", defaultValue = "1.0", description = "Sampling temperature (above 0). Default: ${DEFAULT-VALUE}.")
    float temperature;

    @Mixin
    AlignOptions options;

    @Mixin
    LoraOptions lora;

    @Mixin
    QuantizeOptions quantize;

    @Mixin
    SaveOptions save;

    @Mixin
    PrecisionOptions precision;

    @Override
    public Integer call() {
        precision.apply();
        var config = new RejectionSamplingConfig(options.run(), samples, rounds, maxNewTokens, temperature);
        options.check();
        lora.check();
        save.check();
        if (Files.exists(out.resolve(ModelDirectory.RUN_CHECKPOINT))) {
            throw new CriaException(out + " already holds a finished run; choose another --out");
        }
        var texts = AlignData.promptTexts(prompts, "story", numPrompts, options.seed);
        var loaded = lora.enabled ? ModelDirectory.loadFrozen(model, quantize.kind()) : ModelDirectory.load(model);
        Llama policy = loaded.model();
        lora.apply(policy, options.seed);
        options.applyTo(policy);
        save.apply(policy);
        var score = RewardSpec.parse(reward, rewardModel, loaded.tokenizer(), quantize.kind());
        var trainer = new RejectionSamplingTrainer(policy, loaded.chat(), texts, score, config, options.maxLen(policy.config()), RunDirectory.at(out));
        try (var stop = StopSignal.install()) {
            trainer.run(stop, round -> System.out.printf("round %d: mean score %.3f, best of %d %.3f; SFT %s at step %d, train loss %.4f%n",
                    round.round(), round.meanScore(), samples, round.bestScore(), round.sft().interrupted() ? "stopped" : "finished",
                    round.sft().steps(), round.sft().trainLoss()));
        }
        if (lora.merge && policy.hasAdapters()) policy.mergeLora();
        ModelDirectory.save(out.resolve(ModelDirectory.RUN_CHECKPOINT), policy, loaded.tokenizer());
        System.out.printf("model: %s   metrics: %s%n", out.resolve(ModelDirectory.RUN_CHECKPOINT), out.resolve(RunDirectory.METRICS));
        return 0;
    }
}
