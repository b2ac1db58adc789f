package dev.cria.cli;

import dev.cria.align.ReferenceFreeConfig;
import dev.cria.align.ReferenceFreeLoss;
import dev.cria.align.ReferenceFreeTrainer;
import dev.cria.model.Llama;
import dev.cria.train.RunDirectory;
import dev.cria.train.StopSignal;
import dev.cria.train.TrainingLoop;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What {@code cria orpo} and {@code cria simpo} share: the flags and the run of a preference trainer with
 * no reference model. Each subclass adds its loss's hyperparameters. No --reference: none is loaded.
 */
abstract class ReferenceFreeCommand implements Callable<Integer> {
    @Option(names = "--model", description = "Policy to start from, usually the SFT model (not needed with --resume).")
    Path model;

    @Option(names = "--out", required = true, description = "Run directory.")
    Path out;

    @Option(names = "--resume", description = "Continue the run in --out from its last checkpoint.")
    boolean resume;

    @Option(names = "--data", description = "Preference JSONL file. Default: built-in pairs.")
    Path data;

    @Option(names = "--pairs", defaultValue = "2000", description = "Built-in pairs when no --data. Default: ${DEFAULT-VALUE}.")
    int pairs;

    @Mixin
    AlignOptions options;

    @Mixin
    LoraOptions lora;

    @Mixin
    QuantizeOptions quantize;

    @Mixin
    SaveOptions save;

    /** The loss, as this command's flags set it. */
    abstract ReferenceFreeLoss loss();

    @Mixin
    PrecisionOptions precision;

    @Override
    public Integer call() {
        precision.apply();
        var config = new ReferenceFreeConfig(options.run(), loss());
        options.check();
        lora.check();
        save.check();
        if (data == null) Flags.positive("--pairs", pairs);
        var loaded = AlignRuns.start(model, out, resume, lora.enabled, quantize.kind());
        Llama policy = loaded.model();
        lora.apply(policy, options.seed);
        options.applyTo(policy);
        save.apply(policy);
        var chat = loaded.chat();
        var split = AlignData.split(AlignData.preferences(data, pairs, options.seed), options.valFraction);
        int maxLen = options.maxLen(policy.config());
        var trainer = new ReferenceFreeTrainer(policy, loaded.tokenizer(), AlignData.tokenizePairs(chat, split.train(), maxLen),
                AlignData.tokenizePairs(chat, split.val(), maxLen), config, RunDirectory.at(out));
        if (resume) trainer.resumeFrom(loaded.state().orElseThrow(), loaded.optimizer(), loaded.dir());
        try (var stop = StopSignal.install()) {
            TrainingLoop.Result result = trainer.run(stop);
            AlignRuns.finish(result, policy, loaded.tokenizer(), out, lora);
            System.out.printf("held-out pairs: rewards/accuracies %.3f, rewards/margins %.3f%n",
                    result.metric("eval/rewards/accuracies"), result.metric("eval/rewards/margins"));
            System.out.flush();
        }
        return 0;
    }
}
