package dev.cria.cli;

import dev.cria.align.SftConfig;
import dev.cria.align.SftTrainer;
import dev.cria.checkpoint.ModelDirectory;
import dev.cria.train.RunDirectory;
import dev.cria.train.StopSignal;
import dev.cria.train.TrainingLoop;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cria sft}: supervised fine-tuning on (prompt, response) pairs, fully or with LoRA. */
@Command(name = "sft", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Supervised fine-tuning: trains the response tokens (and the final eos) of (prompt, response) pairs.",
                "Data: TRL JSONL ({\"prompt\",\"response\"} or {\"messages\":[...]}), or built-in instructions. Writes OUT/model/."})
final class SftCommand implements Callable<Integer> {
    @Option(names = "--model", description = "Model or run directory to start from (not needed with --resume).")
    Path model;

    @Option(names = "--out", required = true, description = "Run directory.")
    Path out;

    @Option(names = "--resume", description = "Continue the run in --out from its last checkpoint.")
    boolean resume;

    @Option(names = "--data", description = "SFT JSONL file. Default: built-in instructions.")
    Path data;

    @Option(names = "--examples", defaultValue = "2000", description = "Built-in examples when no --data. Default: ${DEFAULT-VALUE}.")
    int examples;

    @Option(names = "--echo-share", defaultValue = "0.1",
            description = "Share of built-in examples that are echo requests (the copy task's data). Default: ${DEFAULT-VALUE}.")
    double echoShare;

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
        var config = new SftConfig(options.run());
        options.check();
        lora.check();
        save.check();
        if (data == null) {
            Flags.positive("--examples", examples);
            Flags.share("--echo-share", echoShare);
        }
        var loaded = AlignRuns.start(model, out, resume, lora.enabled, quantize.kind());
        var policy = loaded.model();
        lora.apply(policy, options.seed);
        options.applyTo(policy);
        save.apply(policy);
        var tokenizer = loaded.tokenizer();
        var chat = loaded.chat();
        var split = AlignData.split(AlignData.sft(data, examples, echoShare, options.seed), options.valFraction);
        int maxLen = options.maxLen(policy.config());
        var trainer = new SftTrainer(policy, tokenizer, AlignData.tokenizeSft(chat, split.train(), maxLen),
                AlignData.tokenizeSft(chat, split.val(), maxLen), config, RunDirectory.at(out));
        if (resume) trainer.resumeFrom(loaded.state().orElseThrow(), loaded.optimizer(), loaded.dir());
        try (var stop = StopSignal.install()) {
            TrainingLoop.Result result = trainer.run(stop);
            AlignRuns.finish(result, policy, tokenizer, out, lora);
            System.out.printf("val/loss %.4f on response tokens%n", result.metric("val/loss"));
            System.out.flush();
        }
        return 0;
    }
}
