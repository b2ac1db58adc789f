package dev.cria.cli;

import dev.cria.align.KtoConfig;
import dev.cria.align.KtoTrainer;
import dev.cria.align.LabelledExample;
import dev.cria.model.Llama;
import dev.cria.train.RunDirectory;
import dev.cria.train.StopSignal;
import dev.cria.train.TrainingLoop;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cria kto}: Kahneman–Tversky optimisation on answers judged good or bad, against a frozen reference. */
@Command(name = "kto", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Kahneman-Tversky optimisation: trains the policy on single answers labelled good or bad (thumbs up or down),"
                + " against a frozen reference, with no pairs and no reward model.",
                "Logs kl, rewards/chosen, rewards/rejected, rewards/margins, logps/chosen and logps/rejected as TRL does."})
final class KtoCommand implements Callable<Integer> {
    @Option(names = "--model", description = "Policy to start from, usually the SFT model (not needed with --resume).")
    Path model;

    @Option(names = "--reference", description = "Frozen reference model. Default: a copy of --model (with --lora: the base, adapters off).")
    Path reference;

    @Option(names = "--out", required = true, description = "Run directory.")
    Path out;

    @Option(names = "--resume", description = "Continue the run in --out from its last checkpoint.")
    boolean resume;

    @Option(names = "--data", description = "JSONL of {\"prompt\", \"completion\", \"label\": true|false}. Default: built-in pairs, each"
            + " giving a good (chosen) and a bad (rejected) example.")
    Path data;

    @Option(names = "--pairs", defaultValue = "1000", description = "Built-in pairs when no --data. Default: ${DEFAULT-VALUE}.")
    int pairs;

    @Option(names = "--beta", description = "β, the strength of the pull to the reference. Default: ${DEFAULT-VALUE}.")
    double beta = KtoConfig.defaults().beta();

    @Option(names = "--desirable-weight", description = "Weight of the good examples' losses (λ_D). Default: ${DEFAULT-VALUE}.")
    double desirableWeight = KtoConfig.defaults().desirableWeight();

    @Option(names = "--undesirable-weight", description = "Weight of the bad examples' losses (λ_U). Default: ${DEFAULT-VALUE}.")
    double undesirableWeight = KtoConfig.defaults().undesirableWeight();

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
        var config = new KtoConfig(options.run(), beta, desirableWeight, undesirableWeight);
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
        var chat = loaded.chat();
        var split = AlignData.unpaired(data, pairs, options.valFraction, options.seed);
        int maxLen = options.maxLen(policy.config());
        var train = AlignData.tokenizeUnpaired(chat, split.train(), maxLen);
        warnIfUnbalanced(train, config);
        var trainer = new KtoTrainer(policy, ref, loaded.tokenizer(), train, AlignData.tokenizeUnpaired(chat, split.val(), maxLen),
                config, RunDirectory.at(out));
        if (resume) trainer.resumeFrom(loaded.state().orElseThrow(), loaded.optimizer(), loaded.dir());
        try (var stop = StopSignal.install()) {
            TrainingLoop.Result result = trainer.run(stop);
            AlignRuns.finish(result, policy, loaded.tokenizer(), out, lora);
            System.out.printf("held-out examples: rewards/margins %.3f, kl %.3f%n", result.metric("eval/rewards/margins"), result.metric("eval/kl"));
            System.out.flush();
        }
        return 0;
    }

    /** TRL's advice: weights such that λ_D·n_D / (λ_U·n_U) lies in [1, 4/3]; says which --desirable-weight would. */
    private static void warnIfUnbalanced(List<LabelledExample> train, KtoConfig config) {
        long good = train.stream().filter(LabelledExample::desirable).count(), bad = train.size() - good;
        if (good == 0 || bad == 0) {
            System.err.printf("warning: all %,d training examples are %s; KTO learns best from both kinds%n", train.size(), good == 0 ? "bad" : "good");
            return;
        }
        double ratio = config.desirableWeight() * good / (config.undesirableWeight() * bad);
        if (ratio < 1 || ratio > 4.0 / 3) {
            double low = config.undesirableWeight() * bad / good;
            System.err.printf("warning: %,d good and %,d bad examples weigh %.2f to 1; TRL advises 1 to 4/3: try --desirable-weight %.2f to %.2f%n",
                    good, bad, ratio, low, low * 4 / 3);
        }
    }
}
