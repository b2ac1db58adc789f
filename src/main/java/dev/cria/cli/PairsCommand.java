package dev.cria.cli;

import dev.cria.align.SampledPairs;
import dev.cria.chat.AlignmentJsonl;
import dev.cria.checkpoint.ModelDirectory;
import dev.cria.train.ProgressBar;
import dev.cria.util.CriaException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cria pairs}: preference pairs from a model's own answers, labelled by a judge (the simulated annotator by default). */
@Command(name = "pairs", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write preference pairs from a model's own answers: each prompt is answered --samples times, and the",
                "judge's best answer is paired against its worst (prompts whose answers tie give no pair).",
                "A judge that scores (annotator, reward-model) ranks by score; model: and remote: judges compare every two answers.",
                "Output: TRL JSONL {\"prompt\",\"chosen\",\"rejected\"}, for dpo --data or reward --data."})
final class PairsCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Model or run directory that answers.")
    Path model;

    @Option(names = "--out", required = true, description = "Output .jsonl file.")
    Path out;

    @Option(names = "--prompts", description = "Prompt JSONL. Default: built-in instructions with --seed.")
    Path prompts;

    @Option(names = "--num-prompts", defaultValue = "2000", description = "Built-in prompts. Default: ${DEFAULT-VALUE}.")
    int numPrompts;

    @Option(names = "--samples", defaultValue = "4", description = "Answers per prompt (at least 2). Default: ${DEFAULT-VALUE}.")
    int samples;

    @Option(names = "--seed", defaultValue = "5", description = "Seed of the built-in prompts and of sampling. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--max-new-tokens", defaultValue = "256", description = "Answer length limit. Default: ${DEFAULT-VALUE}.")
    int maxNewTokens;

    @Option(names = "--temperature", defaultValue = "1.0", description = "Sampling temperature (above 0). Default: ${DEFAULT-VALUE}.")
    float temperature;

    @Mixin
    QuantizeOptions quantize;

    @Mixin
    JudgeSpec judge;

    @Override
    public Integer call() {
        judge.check();
        if (samples < 2) throw new CriaException("--samples must be at least 2 to make a pair: " + samples);
        if (!(temperature > 0)) throw new CriaException("--temperature must be above 0, or every answer is the same: " + temperature);
        if (maxNewTokens <= 0) throw new CriaException("--max-new-tokens must be positive: " + maxNewTokens);
        var texts = AlignData.promptTexts(prompts, "story", numPrompts, seed);
        var loaded = ModelDirectory.loadFrozen(model, quantize.kind());
        var pairJudge = judge.load(quantize.kind());
        var bar = new ProgressBar("answers", 0, (long) samples * texts.size());
        var result = SampledPairs.generate(loaded.model(), loaded.chat(), texts, samples, maxNewTokens, temperature, seed, pairJudge,
                done -> bar.update(done, ""));
        AlignmentJsonl.writePreferences(out, result.pairs());
        System.out.printf("wrote %,d pairs to %s (%,d of %,d prompts had answers %s could not tell apart)%n",
                result.pairs().size(), out, result.tied(), texts.size(), judge.isAnnotator() ? "the annotator" : pairJudge.name());
        return 0;
    }
}
