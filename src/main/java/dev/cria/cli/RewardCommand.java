package dev.cria.cli;

import dev.cria.align.RewardConfig;
import dev.cria.align.RewardScores;
import dev.cria.align.RewardTrainer;
import dev.cria.checkpoint.ModelDirectory;
import dev.cria.train.RunDirectory;
import dev.cria.train.StopSignal;
import dev.cria.train.TrainingLoop;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cria reward}: a reward model from pairwise preferences, fully or with LoRA adapters and a fully trained head. */
@Command(name = "reward", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a reward model (the Llama trunk with a scalar head) on preference pairs with the Bradley–Terry loss.",
                "Data: TRL JSONL {\"prompt\",\"chosen\",\"rejected\"}, or built-in pairs labelled by the simulated annotator.",
                "With --lora, as TRL's reward trainer with PEFT: the base stays frozen, the adapters and the new score head train.",
                "Reports accuracy and mean margin on held-out pairs; writes OUT/model/ with score.weight and reward_stats.json."})
final class RewardCommand implements Callable<Integer> {
    @Option(names = "--model", description = "Model to start from, usually the SFT model (not needed with --resume).")
    Path model;

    @Option(names = "--out", required = true, description = "Run directory.")
    Path out;

    @Option(names = "--resume", description = "Continue the run in --out from its last checkpoint.")
    boolean resume;

    @Option(names = "--data", description = "Preference JSONL file. Default: built-in pairs.")
    Path data;

    @Option(names = "--pairs", defaultValue = "2000", description = "Built-in pairs when no --data. Default: ${DEFAULT-VALUE}.")
    int pairs;

    @Option(names = "--built-in-pairs", defaultValue = "story",
            description = {"Built-in pairs when no --data: story (whole stories, every kind of flaw), request-check (stories of",
                    "one to three sentences with the wrong animal or name: a first stage that teaches the check) or",
                    "whole-request-check (the same check on whole stories: the second stage). Default: ${DEFAULT-VALUE}."})
    String builtInPairs;

    @Option(names = "--request-checks", defaultValue = "0",
            description = {"Built-in whole-story request checks added to the training pairs, not to the held-out ones, so the",
                    "check of the story's animal and name against the prompt is kept while the other flaws are learned. Default: ${DEFAULT-VALUE}."})
    int requestChecks;

    @Option(names = "--margin", description = "Required score margin in the loss. Default: ${DEFAULT-VALUE}.")
    double margin = RewardConfig.defaults().margin();

    @Option(names = "--center-coef", description = "Weight of the centring term mean((r_c + r_r)²). Default: ${DEFAULT-VALUE}.")
    double centerCoef = RewardConfig.defaults().centeringCoef();

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
        var config = new RewardConfig(options.run(), margin, centerCoef);
        options.check();
        lora.check();
        save.check();
        if (data == null) {
            Flags.positive("--pairs", pairs);
            Flags.oneOf("--built-in-pairs", builtInPairs, "story", "request-check", "whole-request-check");
        }
        Flags.nonNegative("--request-checks", requestChecks);
        var loaded = AlignRuns.start(model, out, resume, lora.enabled, quantize.kind());
        var tokenizer = loaded.tokenizer();
        var chat = loaded.chat();
        lora.apply(loaded.model(), options.seed);
        options.applyTo(loaded.model());
        save.apply(loaded.model());
        var split = AlignData.split(AlignData.preferences(data, builtInPairs, pairs, options.seed), options.valFraction);
        var train = AlignData.withRequestChecks(split.train(), requestChecks, options.seed);
        int maxLen = options.maxLen(loaded.model().config());
        var trainer = new RewardTrainer(loaded.model(), tokenizer, AlignData.tokenizePairs(chat, train, maxLen),
                AlignData.tokenizePairs(chat, split.val(), maxLen), config, RunDirectory.at(out));
        if (resume) trainer.resumeFrom(loaded.state().orElseThrow(), loaded.optimizer(), loaded.dir());
        try (var stop = StopSignal.install()) {
            TrainingLoop.Result result = trainer.run(stop);
            Path checkpoint = out.resolve(ModelDirectory.RUN_CHECKPOINT);
            // merging the adapters saves the model anew, replacing the directory that holds the score statistics
            RewardScores.Stats stats = RewardScores.read(checkpoint);
            AlignRuns.finish(result, loaded.model(), tokenizer, out, lora);
            RewardScores.write(checkpoint, stats);
            System.out.printf("held-out pairs: accuracy %.3f, mean margin %.3f%n", result.metric("eval/accuracy"), result.metric("eval/margin"));
            System.out.flush();
        }
        return 0;
    }
}
