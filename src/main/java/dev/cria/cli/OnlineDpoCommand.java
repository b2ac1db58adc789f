package dev.cria.cli;

import dev.cria.align.OnlineDpoConfig;
import dev.cria.align.OnlineDpoTrainer;
import dev.cria.align.PreferenceLoss;
import dev.cria.model.Llama;
import dev.cria.train.RunDirectory;
import dev.cria.train.StopSignal;
import dev.cria.train.TrainingLoop;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cria online-dpo}: DPO on pairs the policy samples and a judge labels, fresh every step. */
@Command(name = "online-dpo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Online DPO (Guo et al. 2024, TRL's OnlineDPOTrainer): each step samples two answers per prompt from the",
                "current policy, --judge picks the better, and the DPO loss against a frozen reference trains on that pair.",
                "--batch is prompts per step. There is no held-out set, so --val-fraction, --eval-every and --max-len do not apply.",
                "Logs objective/kl, objective/entropy, rewards/*, logps/*, val/contain_eos_token and judge/* (ties, confidence,",
                "agreement with the simulated annotator)."})
final class OnlineDpoCommand implements Callable<Integer> {
    private static final OnlineDpoConfig DEFAULTS = OnlineDpoConfig.defaults();

    @Option(names = "--model", description = "Policy to start from, usually the SFT model (not needed with --resume).")
    Path model;

    @Option(names = "--reference", description = "Frozen reference model. Default: a copy of --model (with --lora: the base, adapters off).")
    Path reference;

    @Option(names = "--out", required = true, description = "Run directory.")
    Path out;

    @Option(names = "--resume", description = "Continue the run in --out from its last checkpoint.")
    boolean resume;

    @Option(names = "--prompts", description = "Prompt JSONL. Default: built-in story instructions with --seed.")
    Path prompts;

    @Option(names = "--num-prompts", defaultValue = "2000", description = "Built-in prompts to draw from. Default: ${DEFAULT-VALUE}.")
    int numPrompts;

    @Option(names = "--beta", description = "β, the strength of the pull to the reference. Default: ${DEFAULT-VALUE}.")
    double beta = DEFAULTS.beta();

    @Option(names = "--loss", defaultValue = "sigmoid", description = "sigmoid, ipo or hinge. Default: ${DEFAULT-VALUE}.")
    String loss;

    @Option(names = "--label-smoothing", defaultValue = "0.0", description = "Label smoothing of the sigmoid loss. Default: ${DEFAULT-VALUE}.")
    double labelSmoothing;

    @Option(names = "--max-new-tokens", description = "Answer length limit while sampling. Default: ${DEFAULT-VALUE}.")
    int maxNewTokens = DEFAULTS.maxNewTokens();

    @Option(names = "--temperature", description = "Sampling temperature of the two answers (above 0). Default: ${DEFAULT-VALUE}.")
    float temperature = DEFAULTS.temperature();

    @Mixin
    JudgeSpec judge;

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
        var config = new OnlineDpoConfig(options.run(), beta, PreferenceLoss.parse(loss, labelSmoothing), maxNewTokens, temperature);
        judge.check();
        options.check();
        lora.check();
        save.check();
        var texts = AlignData.promptTexts(prompts, "story", numPrompts, options.seed);
        var loaded = AlignRuns.start(model, out, resume, lora.enabled, quantize.kind());
        Llama policy = loaded.model();
        lora.apply(policy, options.seed);
        options.applyTo(policy);
        save.apply(policy);
        var ref = AlignRuns.reference(reference, model, policy, resume, quantize.kind());
        var trainer = new OnlineDpoTrainer(policy, ref, loaded.chat(), texts, judge.load(quantize.kind()), config, RunDirectory.at(out));
        if (resume) trainer.resumeFrom(loaded.state().orElseThrow(), loaded.optimizer(), loaded.dir());
        try (var stop = StopSignal.install()) {
            TrainingLoop.Result result = trainer.run(stop);
            AlignRuns.finish(result, policy, loaded.tokenizer(), out, lora);
            System.out.printf("last step: rewards/margins %.3f, objective/kl %.3f, judge/annotator_agreement %.3f%n",
                    result.metric("rewards/margins"), result.metric("objective/kl"), result.metric("judge/annotator_agreement"));
            System.out.flush();
        }
        return 0;
    }
}
