package dev.cria.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cria.align.Judge;
import dev.cria.align.WinRate;
import dev.cria.checkpoint.ModelDirectory;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cria judge}: a model's answers on held-out prompts, judged by the simulated annotator, optionally against another model. */
@Command(name = "judge", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Judge a model's answers to held-out prompts with the simulated annotator.",
                "Prints the mean score, eos rate, keyword share, copy score (tokens that repeat the prompt in place),",
                "the share of answers whose hero is the animal the prompt asked for,",
                "and with --against the win rate of --model over the other model with its 95% interval, by --judge",
                "(the annotator unless told otherwise)."})
final class JudgeCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Model or run directory to judge.")
    Path model;

    @Option(names = "--against", description = "A second model; reports --model's win rate over it.")
    Path against;

    @Option(names = "--prompts", description = "Prompt JSONL. Default: built-in instructions with --seed (not those of training).")
    Path prompts;

    @Option(names = "--num-prompts", defaultValue = "200", description = "Built-in prompts. Default: ${DEFAULT-VALUE}.")
    int numPrompts;

    @Option(names = "--built-in-prompts", defaultValue = "story",
            description = "Kind of built-in prompts: story (instructions) or echo (the copy task's). Default: ${DEFAULT-VALUE}.")
    String builtInPrompts;

    @Option(names = "--seed", defaultValue = "777", description = "Seed of the built-in prompts and of sampling. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--keyword", defaultValue = "cat", description = "Word whose share of mentions is reported. Default: ${DEFAULT-VALUE}.")
    String keyword;

    @Option(names = "--max-new-tokens", defaultValue = "256", description = "Answer length limit. Default: ${DEFAULT-VALUE}.")
    int maxNewTokens;

    @Option(names = "--temperature", defaultValue = "1.0", description = "Sampling temperature (0 = greedy). Default: ${DEFAULT-VALUE}.")
    float temperature;

    @Mixin
    JudgeSpec judge;

    @Mixin
    QuantizeOptions quantize;

    @Override
    public Integer call() throws Exception {
        judge.check();
        Flags.positive("--max-new-tokens", maxNewTokens);
        Flags.nonNegative("--temperature", temperature);
        if (prompts == null) Flags.oneOf("--built-in-prompts", builtInPrompts, "story", "echo");
        var texts = AlignData.promptTexts(prompts, builtInPrompts, numPrompts, seed);
        var a = ModelDirectory.loadFrozen(model, quantize.kind());
        var chatA = a.chat();
        var answersA = Judge.answer(a.model(), chatA, texts, maxNewTokens, temperature, seed);
        var out = new LinkedHashMap<String, Object>();
        out.put("prompts", texts.size());
        out.put("score", Judge.meanScore(texts, answersA));
        out.put("eos_rate", answersA.finished() / (double) texts.size());
        out.put("keyword_share", Judge.keywordShare(answersA, keyword));
        out.put("copy_score", Judge.copyScore(chatA, texts, answersA));
        out.put("requested_animal_share", Judge.requestedAnimalShare(texts, answersA));
        if (against != null) {
            var b = ModelDirectory.loadFrozen(against, quantize.kind());
            var chatB = b.chat();
            var answersB = Judge.answer(b.model(), chatB, texts, maxNewTokens, temperature, seed);
            out.put("against_score", Judge.meanScore(texts, answersB));
            out.put("against_keyword_share", Judge.keywordShare(answersB, keyword));
            out.put("against_copy_score", Judge.copyScore(chatB, texts, answersB));
            out.put("against_requested_animal_share", Judge.requestedAnimalShare(texts, answersB));
            out.put("judge", judge.spec);
            WinRate win = Judge.compare(judge.load(quantize.kind()), texts, answersA, answersB);
            out.put("win_rate", win.rate());
            out.put("win_rate_95", List.of(win.low(), win.high()));
        }
        System.out.println(new ObjectMapper().writeValueAsString(out));
        return 0;
    }
}
