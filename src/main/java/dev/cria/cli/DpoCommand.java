package dev.cria.cli;

import dev.cria.align.DpoConfig;
import dev.cria.align.DpoTrainer;
import dev.cria.align.PreferenceLoss;
import dev.cria.checkpoint.ModelDirectory;
import dev.cria.model.Llama;
import dev.cria.train.RunDirectory;
import dev.cria.train.StopSignal;
import dev.cria.train.TrainingLoop;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cria dpo}: direct preference optimisation against a frozen reference. */
@Command(name = "dpo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Direct preference optimisation: trains the policy on preference pairs against a frozen reference, with no reward model.",
                "Logs rewards/chosen, rewards/rejected, rewards/accuracies and rewards/margins as TRL does."})
final class DpoCommand implements Callable<Integer> {
    @Option(names = "--model", description = "Policy to start from, usually the SFT model (not needed with --resume).")
    Path model;

    @Option(names = "--reference", description = "Frozen reference model. Default: a copy of --model (with --lora: the base, adapters off).")
    Path reference;

    @Option(names = "--out", required = true, description = "Run directory.")
    Path out;

    @Option(names = "--resume", description = "Continue the run in --out from its last checkpoint.")
    boolean resume;

    @Option(names = "--data", description = "Preference JSONL file. Default: built-in pairs.")
    Path data;

    @Option(names = "--pairs", defaultValue = "2000", description = "Built-in pairs when no --data. Default: ${DEFAULT-VALUE}.")
    int pairs;

    @Option(names = "--beta", description = "β, the strength of the pull to the reference. Default: ${DEFAULT-VALUE}.")
    double beta = DpoConfig.defaults().beta();

    @Option(names = "--loss", defaultValue = "sigmoid", description = "sigmoid, ipo or hinge. Default: ${DEFAULT-VALUE}.")
    String loss;

    @Option(names = "--label-smoothing", defaultValue = "0.0", description = "Label smoothing of the sigmoid loss. Default: ${DEFAULT-VALUE}.")
    double labelSmoothing;

    @Option(names = "--rpo-alpha", description = {"Weight of an extra loss: the chosen answers' mean token NLL (RPO,"
            + " TRL's rpo_alpha). It keeps DPO from making the chosen answers less likely along with the rejected ones. 0 = plain DPO."
            + " Default: ${DEFAULT-VALUE}."})
    double rpoAlpha = DpoConfig.defaults().rpoAlpha();

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
        var config = new DpoConfig(options.run(), beta, PreferenceLoss.parse(loss, labelSmoothing), rpoAlpha);
        options.check();
        lora.check();
        save.check();
        if (data == null) Flags.positive("--pairs", pairs);
        var loaded = AlignRuns.start(model, out, resume, lora.enabled, quantize.kind());
        Llama policy = loaded.model();
        lora.apply(policy, options.seed);
        options.applyTo(policy);
        save.apply(policy);
        var ref = AlignRuns.reference(reference, model, policy, resume, quantize.kind());
        var tokenizer = loaded.tokenizer();
        var chat = loaded.chat();
        var split = AlignData.split(AlignData.preferences(data, pairs, options.seed), options.valFraction);
        int maxLen = options.maxLen(policy.config());
        var trainer = new DpoTrainer(policy, ref, tokenizer, AlignData.tokenizePairs(chat, split.train(), maxLen),
                AlignData.tokenizePairs(chat, split.val(), maxLen), config, RunDirectory.at(out));
        if (resume) trainer.resumeFrom(loaded.state().orElseThrow(), loaded.optimizer(), loaded.dir());
        try (var stop = StopSignal.install()) {
            TrainingLoop.Result result = trainer.run(stop);
            AlignRuns.finish(result, policy, tokenizer, out, lora);
            System.out.printf("held-out pairs: rewards/accuracies %.3f, rewards/margins %.3f%n",
                    result.metric("eval/rewards/accuracies"), result.metric("eval/rewards/margins"));
            System.out.flush();
        }
        return 0;
    }
}
