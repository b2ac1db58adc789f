package dev.cria.cli;

import dev.cria.checkpoint.HfConfig;
import dev.cria.checkpoint.ModelDirectory;
import dev.cria.generate.Generator;
import dev.cria.generate.Sampler;
import dev.cria.generate.TextStream;
import dev.cria.tokenizer.Tokenizer;
import dev.cria.util.Rng;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cria generate}: sample text from a model, streaming it to stdout. */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Generate text from a model directory (or a run directory), streaming tokens to stdout.",
                "Several samples are decoded together as one batch with a KV cache."})
final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Model or run directory.")
    Path model;

    @Option(names = "--prompt", defaultValue = "Once upon a time", description = "Prompt text. Default: \"${DEFAULT-VALUE}\".")
    String prompt;

    @Option(names = "--max-new-tokens", defaultValue = "200", description = "Most tokens to generate per sample. Default: ${DEFAULT-VALUE}.")
    int maxNewTokens;

    @Option(names = "--temperature", defaultValue = "0.8", description = "Sampling temperature; 0 = greedy. Default: ${DEFAULT-VALUE}.")
    float temperature;

    @Option(names = "--top-k", defaultValue = "0", description = "Sample among the k most likely tokens; 0 = all. Default: ${DEFAULT-VALUE}.")
    int topK;

    @Option(names = "--top-p", defaultValue = "1.0", description = "Nucleus sampling mass in (0, 1]; 1 = off. Default: ${DEFAULT-VALUE}.")
    float topP;

    @Option(names = "--seed", defaultValue = "42", description = "Sampling seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--num-samples", defaultValue = "1", description = "Samples to draw, decoded as one batch. Default: ${DEFAULT-VALUE}.")
    int numSamples;

    @Option(names = "--no-stop", description = "Keep going past the end-of-sequence tokens (the tokenizer's and config.json's eos_token_id).")
    boolean noStop;

    @Override
    public Integer call() {
        Flags.positive("--num-samples", numSamples);
        Flags.positive("--max-new-tokens", maxNewTokens);
        Flags.nonNegative("--temperature", temperature);
        Flags.nonNegative("--top-k", topK);
        Flags.topP("--top-p", topP);
        var loaded = ModelDirectory.load(model);
        Tokenizer tokenizer = loaded.tokenizer();
        var sampler = new Sampler(temperature, topK, topP);
        int[] promptIds = promptTokens(tokenizer, prompt);
        var prompts = new ArrayList<int[]>();
        for (int i = 0; i < numSamples; i++) prompts.add(promptIds);
        var generator = new Generator(loaded.model());
        int[] stop = noStop ? new int[0]
                : stopTokens(tokenizer.eosId(), HfConfig.readContents(loaded.dir().resolve(ModelDirectory.CONFIG)).tokens().eos());
        if (numSamples == 1) {
            System.out.print(prompt);
            var stream = new TextStream(tokenizer, System.out);
            generator.generate(prompts, maxNewTokens, sampler, new Rng(seed), stop, (seq, token) -> stream.accept(token));
            stream.finish();
            System.out.println();
        } else {
            List<Generator.Completion> out = generator.generate(prompts, maxNewTokens, sampler, new Rng(seed), stop, null);
            for (int i = 0; i < out.size(); i++) {
                System.out.printf("--- sample %d%n%s%s%n", i + 1, prompt, tokenizer.decode(out.get(i).tokens()));
            }
        }
        return 0;
    }

    /**
     * The tokenizer's eos and every id of config.json's eos_token_id (Llama 3.1 lists three), without
     * repeats: a sequence ends at any of them.
     */
    static int[] stopTokens(int tokenizerEos, List<Integer> configEos) {
        return java.util.stream.IntStream.concat(java.util.stream.IntStream.of(tokenizerEos),
                configEos.stream().mapToInt(Integer::intValue)).distinct().toArray();
    }

    /** bos followed by the prompt's tokens: documents were trained as {@code <bos> text <eos>}. */
    static int[] promptTokens(Tokenizer tokenizer, String prompt) {
        int[] ids = tokenizer.encode(prompt);
        int[] withBos = new int[ids.length + 1];
        withBos[0] = tokenizer.bosId();
        System.arraycopy(ids, 0, withBos, 1, ids.length);
        return withBos;
    }
}
