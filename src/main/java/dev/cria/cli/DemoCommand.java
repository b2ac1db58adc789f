package dev.cria.cli;

import dev.cria.checkpoint.ModelDirectory;
import dev.cria.generate.Generator;
import dev.cria.generate.Sampler;
import dev.cria.model.Llama;
import dev.cria.model.LlamaConfig;
import dev.cria.tokenizer.Tokenizer;
import dev.cria.train.RunDirectory;
import dev.cria.train.PretrainConfig;
import dev.cria.train.Pretrainer;
import dev.cria.train.StopSignal;
import dev.cria.util.Rng;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cria demo}: the whole job from nothing on built-in data: stories, tokenizer, pretraining of the
 * tiny model, samples before and after, validation loss and a loss curve.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the whole pipeline on built-in data, from nothing.",
                "Generates stories, trains a BPE tokenizer, pretrains the tiny model and prints samples from before and after;",
                "then SFT, a reward model, PPO and DPO, judged in OUT/report.md. About 11 minutes on 2 cores (--no-align: 3)."})
final class DemoCommand implements Callable<Integer> {
    private static final String PROMPT = "Once upon a time";

    @Option(names = "--out", defaultValue = "runs/demo", description = "Run directory (replaced if it holds an earlier demo). Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--stories", defaultValue = "20000", description = "Built-in stories to generate. Default: ${DEFAULT-VALUE}.")
    int stories;

    @Option(names = "--steps", defaultValue = "1000", description = "Pretraining steps. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--batch", defaultValue = "16", description = "Sequences per step. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--seq-len", defaultValue = "256", description = "Tokens per sequence. Default: ${DEFAULT-VALUE}.")
    int seqLen;

    @Option(names = "--seed", defaultValue = "1337", description = "Seed of everything random. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--align", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Go on to SFT, a reward model, PPO and DPO, and write report.md (--no-align stops after pretraining). Default: ${DEFAULT-VALUE}.")
    boolean align;

    @Option(names = "--align-scale", defaultValue = "1", description = "Divide the alignment stages' steps by this, for a quick look. Default: ${DEFAULT-VALUE}.")
    int alignScale;

    @Override
    public Integer call() throws IOException {
        Flags.atLeast("--stories", stories, 2);
        Flags.atLeast("--align-scale", alignScale, 1);
        PretrainConfig trainConfig = pretraining();
        long start = System.nanoTime();
        clearEarlierDemo();
        System.out.println("== 1. data: built-in children's stories");
        List<String> docs = Corpus.documents(null, stories, seed);
        System.out.println("example: " + docs.get(0));

        LlamaConfig config = LlamaConfig.tiny();
        System.out.println("\n== 2. tokenizer: byte-level BPE with " + config.vocab() + " tokens");
        Tokenizer tokenizer = Corpus.tokenizer(docs, null, false, config.vocab());
        var prepared = Corpus.pack(tokenizer, docs, out, 0.05);
        int[] sample = tokenizer.encode(docs.get(0));
        System.out.printf("the example is %d tokens for %d bytes%n", sample.length, docs.get(0).getBytes(java.nio.charset.StandardCharsets.UTF_8).length);

        System.out.println("\n== 3. model: tiny Llama");
        Llama model = Llama.initialize(config, new Rng(seed));
        System.out.printf("%,d parameters: dim %d, %d layers, %d heads, %d kv heads, hidden %d, vocab %d%n", config.parameterCount(),
                config.dim(), config.layers(), config.heads(), config.kvHeads(), config.hiddenDim(), config.vocab());
        printSamples("before training", model, tokenizer);

        System.out.println("\n== 4. pretraining");
        var trainer = Pretrainer.start(model, tokenizer, prepared.train(), prepared.val(), trainConfig, RunDirectory.at(out));
        Pretrainer.Result result;
        try (var stop = StopSignal.install()) {
            result = trainer.run(stop);
        }
        printSamples("after training", model, tokenizer);

        System.out.println("\n== 5. results");
        System.out.printf("validation loss %.3f (perplexity %.2f) after %d steps, %,d tokens%n", result.valLoss(), result.valPerplexity(),
                result.steps(), (long) result.steps() * trainConfig.tokensPerStep());
        System.out.printf("training: %.0fs at %,.0f tokens/s; whole demo: %.0fs%n", result.seconds(), result.tokensPerSecond(),
                (System.nanoTime() - start) / 1e9);
        System.out.println("peak resident memory: " + dev.cria.util.Memory.format(dev.cria.util.Memory.peakResidentBytes()));
        System.out.println("model:   " + out.resolve(ModelDirectory.RUN_CHECKPOINT) + "   (try: ./cria generate --model " + out + ")");
        System.out.println("metrics: " + out.resolve(Pretrainer.METRICS));
        System.out.println("plot:    " + out.resolve(Pretrainer.LOSS_PLOT));
        if (align) new AlignmentDemo(out, tokenizer, seed, alignScale).run(model);
        return 0;
    }

    /** The pretraining settings, built (and so checked) before the demo starts. */
    private PretrainConfig pretraining() {
        if (seqLen > LlamaConfig.tiny().maxSeqLen()) {
            throw new dev.cria.util.CriaException("--seq-len must be at most the tiny model's " + LlamaConfig.tiny().maxSeqLen() + ": " + seqLen);
        }
        PretrainConfig d = PretrainConfig.defaults();
        int warmup = Math.min(d.warmupSteps(), steps / 10), evalEvery = Math.max(1, steps / 6), saveOnlyAtTheEnd = 0;
        return new PretrainConfig(batch, seqLen, d.gradAccum(), steps, d.lr(), d.minLr(), warmup, d.weightDecay(), d.beta1(), d.beta2(),
                d.gradClip(), evalEvery, d.evalBatches(), saveOnlyAtTheEnd, seed);
    }

    private void printSamples(String when, Llama model, Tokenizer tokenizer) {
        var generator = new Generator(model);
        int[] prompt = GenerateCommand.promptTokens(tokenizer, PROMPT);
        var greedy = generator.generate(List.of(prompt), 256, Sampler.greedy(), new Rng(seed), tokenizer.eosId(), null);
        var sampled = generator.generate(List.of(prompt, prompt), 256, new Sampler(0.8f, 0, 1f), new Rng(seed), tokenizer.eosId(), null);
        System.out.println("\n-- samples " + when + " (prompt: \"" + PROMPT + "\")");
        System.out.println("greedy:    " + PROMPT + tokenizer.decode(greedy.get(0).tokens()));
        for (int i = 0; i < sampled.size(); i++) {
            System.out.println("sampled " + (i + 1) + ": " + PROMPT + tokenizer.decode(sampled.get(i).tokens()));
        }
    }

    /** The demo always starts from nothing; it only removes a directory that holds an earlier demo run. */
    private void clearEarlierDemo() throws IOException {
        if (!Files.exists(out)) return;
        boolean earlierRun = Files.exists(out.resolve(Pretrainer.METRICS)) || Files.exists(out.resolve(ModelDirectory.RUN_CHECKPOINT))
                || Files.exists(out.resolve(Corpus.DATA_DIR));
        try (Stream<Path> entries = Files.list(out)) {
            if (!earlierRun && entries.findAny().isPresent()) {
                throw new dev.cria.util.CriaException(out + " is not empty and holds no earlier demo; choose another --out");
            }
        }
        System.out.println("replacing the earlier demo run in " + out);
        try (Stream<Path> walk = Files.walk(out)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
