package dev.cria.cli;

import dev.cria.align.BestOfN;
import dev.cria.align.reward.Reward;
import dev.cria.chat.ChatFormat;
import dev.cria.checkpoint.GenerationConfig;
import dev.cria.checkpoint.HfConfig;
import dev.cria.checkpoint.ModelDirectory;
import dev.cria.generate.Generator;
import dev.cria.generate.Sampler;
import dev.cria.generate.TextStream;
import dev.cria.tokenizer.Tokenizer;
import dev.cria.util.CriaException;
import dev.cria.util.Rng;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cria generate}: sample text from a model, streaming it to stdout. */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Generate text from a model directory (or a run directory), streaming tokens to stdout.",
                "Several samples are decoded together as one batch with a KV cache.",
                "A generation_config.json in the model directory sets the defaults of --max-new-tokens, --temperature (0 when its",
                "do_sample is false), --top-k, --top-p and the end-of-sequence ids (eos_token_id, one or a list); flags win over it.",
                "--best-of N --reward SPEC samples N answers and prints the one the reward scores highest (best-of-n sampling)."})
final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Model or run directory.")
    Path model;

    @Option(names = "--prompt", defaultValue = "Once upon a time", description = "Prompt text. Default: \"${DEFAULT-VALUE}\".")
    String prompt;

    @Option(names = "--chat", description = {"Send --prompt as one user turn in the model's chat format and print only the reply:",
            "Cria's chat tokens for Cria's tokenizers, else the model's own chat template (tokenizer_config.json, chat_template.jinja)."})
    boolean chat;

    @Option(names = "--max-new-tokens", description = "Most tokens to generate per sample. Default: generation_config.json's, else 200.")
    Integer maxNewTokens;

    @Option(names = "--temperature", description = "Sampling temperature; 0 = greedy. Default: generation_config.json's, else 0.8.")
    Float temperature;

    @Option(names = "--top-k", description = "Sample among the k most likely tokens; 0 = all. Default: generation_config.json's, else 0.")
    Integer topK;

    @Option(names = "--top-p", description = "Nucleus sampling mass in (0, 1]; 1 = off. Default: generation_config.json's, else 1.0.")
    Float topP;

    @Option(names = "--seed", defaultValue = "42", description = "Sampling seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--num-samples", defaultValue = "1", description = "Samples to draw, decoded as one batch. Default: ${DEFAULT-VALUE}.")
    int numSamples;

    @Option(names = "--best-of", description = "Sample this many answers (as one batch) and print the one --reward scores highest.")
    Integer bestOf;

    @Option(names = "--reward", description = "With --best-of: the reward that ranks the answers, as ppo and grpo take it (model, keyword:WORD, copy, annotator, weighted sums).")
    String reward;

    @Option(names = "--reward-model", description = "With --best-of and --reward model: the reward model directory.")
    Path rewardModel;

    @Mixin
    QuantizeOptions quantize;

    @Option(names = "--no-stop", description = "Keep going past the end-of-sequence tokens (the tokenizer's and config.json's eos_token_id).")
    boolean noStop;

    /** What generation runs with: each flag, else generation_config.json's value, else the built-in default. */
    record Settings(int maxNewTokens, float temperature, int topK, float topP, List<Integer> eosIds) {
    }

    Settings settings(GenerationConfig shipped, int tokenizerEos) {
        List<Integer> eos = shipped.eosTokenIds().isEmpty() ? List.of(tokenizerEos) : shipped.eosTokenIds();
        return new Settings(
                maxNewTokens != null ? maxNewTokens : shipped.maxNewTokens() != null ? shipped.maxNewTokens() : 200,
                temperature != null ? temperature : shipped.temperatureOr(0.8f),
                topK != null ? topK : shipped.topK() != null ? shipped.topK() : 0,
                topP != null ? topP : shipped.topP() != null ? shipped.topP() : 1.0f,
                noStop ? List.of() : eos);
    }

    @Override
    public Integer call() {
        Flags.positive("--num-samples", numSamples);
        if (bestOf != null) {
            Flags.atLeast("--best-of", bestOf, 2);
            if (reward == null) throw new CriaException("--best-of needs --reward SPEC to rank the answers, e.g. --reward annotator");
            if (numSamples != 1) throw new CriaException("--best-of prints one answer; drop --num-samples " + numSamples);
        } else if (reward != null) {
            throw new CriaException("--reward ranks the answers of --best-of N; add --best-of");
        }
        // Flags given are checked before the model loads; values from generation_config.json after.
        if (maxNewTokens != null) Flags.positive("--max-new-tokens", maxNewTokens);
        if (temperature != null) Flags.nonNegative("--temperature", temperature);
        if (topK != null) Flags.nonNegative("--top-k", topK);
        if (topP != null) Flags.topP("--top-p", topP);
        var loaded = ModelDirectory.loadFrozen(model, quantize.kind());
        Tokenizer tokenizer = loaded.tokenizer();
        Settings s = settings(GenerationConfig.read(loaded.dir()), tokenizer.eosId());
        Flags.positive("--max-new-tokens", s.maxNewTokens());
        Flags.nonNegative("--temperature", s.temperature());
        Flags.nonNegative("--top-k", s.topK());
        Flags.topP("--top-p", s.topP());
        var sampler = new Sampler(s.temperature(), s.topK(), s.topP());
        ChatFormat format = chat ? loaded.chat() : null;
        int[] promptIds = chat ? format.promptTokens(prompt) : promptTokens(tokenizer, prompt);
        String shown = chat ? "" : prompt;
        var prompts = new ArrayList<int[]>();
        for (int i = 0; i < numSamples; i++) prompts.add(promptIds);
        var generator = new Generator(loaded.model());
        int[] stop = noStop ? new int[0]
                : stopTokens(s.eosIds(), HfConfig.readContents(loaded.dir().resolve(ModelDirectory.CONFIG)).tokens().eos(),
                chat ? format.stopTokens() : new int[0]);
        if (bestOf != null) {
            printBest(generator, promptIds, s.maxNewTokens(), sampler, stop, RewardSpec.parse(reward, rewardModel, tokenizer, quantize.kind()), format, tokenizer, shown);
        } else if (numSamples == 1) {
            System.out.print(shown);
            var stream = new TextStream(tokenizer, System.out);
            generator.generate(prompts, s.maxNewTokens(), sampler, new Rng(seed), stop, (sequence, token) -> stream.accept(token));
            stream.finish();
            System.out.println();
        } else {
            List<Generator.Completion> out = generator.generate(prompts, s.maxNewTokens(), sampler, new Rng(seed), stop, null);
            for (int i = 0; i < out.size(); i++) System.out.printf("--- sample %d%n%s%s%n", i + 1, shown, tokenizer.decode(out.get(i).tokens()));
        }
        return 0;
    }

    /** Samples --best-of answers, scores them with the reward, prints the best and reports its score on stderr. */
    private void printBest(Generator generator, int[] promptIds, int maxNew, Sampler sampler, int[] stop, Reward score, ChatFormat format,
                           Tokenizer tokenizer, String shown) {
        var prompts = new ArrayList<int[]>();
        for (int i = 0; i < bestOf; i++) prompts.add(promptIds);
        List<Generator.Completion> out = generator.generate(prompts, maxNew, sampler, new Rng(seed), stop, null);
        var samples = new ArrayList<Reward.Sample>();
        for (Generator.Completion c : out) {
            String text = format != null ? format.decodeResponse(c.tokens()) : tokenizer.decode(c.tokens());
            samples.add(new Reward.Sample(prompt, text, promptIds, c.tokens(), c.finish() == Generator.Finish.STOP_TOKEN));
        }
        float[] scores = score.score(samples);
        int best = BestOfN.best(scores);
        System.out.println(shown + samples.get(best).response());
        System.err.printf("best of %d by %s: sample %d, score %.3f (all: %s)%n", bestOf, score.name(), best + 1, scores[best],
                java.util.Arrays.toString(scores));
    }

    /**
     * generation_config.json's end ids (else the tokenizer's eos), every id of config.json's eos_token_id
     * (Llama 3.1 lists three) and, in a chat, the template's end of turn, without repeats: a sequence ends
     * at any of them.
     */
    static int[] stopTokens(List<Integer> generationEos, List<Integer> configEos, int[] chatStops) {
        return IntStream.concat(Stream.concat(generationEos.stream(), configEos.stream()).mapToInt(Integer::intValue), IntStream.of(chatStops))
                .distinct().toArray();
    }

    /**
     * bos followed by the prompt's tokens, as documents were trained ({@code <bos> text <eos>}); for a
     * model whose tokenizer has no bos (Qwen), the prompt's tokens alone, as transformers encodes them.
     */
    static int[] promptTokens(Tokenizer tokenizer, String prompt) {
        int[] ids = tokenizer.startingWithBos(tokenizer.encode(prompt));
        if (ids.length == 0) throw new CriaException("--prompt is empty and the tokenizer has no bos token to start from; give some text");
        return ids;
    }
}
