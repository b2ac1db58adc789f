package dev.cria.cli;

import dev.cria.checkpoint.ModelDirectory;
import dev.cria.model.Llama;
import dev.cria.model.LlamaConfig;
import dev.cria.train.RunDirectory;
import dev.cria.train.PretrainConfig;
import dev.cria.train.Pretrainer;
import dev.cria.train.StopSignal;
import dev.cria.util.CriaException;
import dev.cria.util.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cria pretrain}: causal-LM pretraining from scratch, or resuming a run. */
@Command(name = "pretrain", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Pretrain a model from scratch on text (default: the built-in stories), or resume a run.",
                "Writes OUT/model/ (a Hugging Face model directory plus optimizer and trainer state), OUT/metrics.jsonl and OUT/loss.png.",
                "Ctrl-C saves a checkpoint and exits; --resume continues exactly where it stopped."})
final class PretrainCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, description = "Run directory.")
    Path out;

    @Option(names = "--resume", description = "Continue the run in --out from its last checkpoint.")
    boolean resume;

    @Option(names = "--data", split = ",", description = "Text or JSONL ({\"text\"}) files. Default: built-in stories.")
    List<Path> data;

    @Option(names = "--stories", defaultValue = "20000", description = "Built-in stories to generate when no --data. Default: ${DEFAULT-VALUE}.")
    int stories;

    @Option(names = "--stories-seed", defaultValue = "1", description = "Seed of the built-in stories. Default: ${DEFAULT-VALUE}.")
    long storiesSeed;

    @Option(names = "--tokenizer", description = "Use this tokenizer.json instead of training a BPE one.")
    Path tokenizerFile;

    @Option(names = "--byte-tokenizer", description = "Use the byte tokenizer (vocab 263) instead of BPE.")
    boolean byteTokenizer;

    @Option(names = "--val-fraction", defaultValue = "0.05", description = "Share of documents held out for validation. Default: ${DEFAULT-VALUE}.")
    double valFraction;

    @Mixin
    ModelShapeOptions shape;

    @Mixin
    TrainingOptions training;

    @Mixin
    SaveOptions save;

    @Mixin
    PrecisionOptions precision;

    @Override
    public Integer call() {
        precision.apply();
        Pretrainer trainer;
        save.check();
        if (resume) {
            if (training.steps != null) Flags.positive("--steps", training.steps);
            var checkpoint = ModelDirectory.load(out);
            save.apply(checkpoint.model());
            var state = checkpoint.state().orElseThrow(() -> new CriaException(checkpoint.dir() + ": no trainer_state.json to resume from"));
            PretrainConfig config = Pretrainer.configOf(state, checkpoint.dir().resolve(ModelDirectory.STATE).toString());
            if (training.steps != null) config = training.withSteps(config, training.steps);
            int[][] tokens = Corpus.load(out);
            trainer = Pretrainer.resume(checkpoint, tokens[0], tokens[1], config, RunDirectory.at(out));
            System.err.printf("resuming %s at step %d of %d%n", out, trainer.step(), config.steps());
        } else {
            // every flag is checked before the stories are generated and the tokenizer trained
            LlamaConfig requested = shape.resolve();
            PretrainConfig trainConfig = training.resolve(requested);
            Flags.heldOutShare("--val-fraction", valFraction);
            if (data == null || data.isEmpty()) Flags.atLeast("--stories", stories, 2);
            if (Files.exists(out.resolve(ModelDirectory.RUN_CHECKPOINT))) {
                throw new CriaException(out + " already holds a run; pass --resume to continue it, or choose another --out");
            }
            var docs = Corpus.documents(data, stories, storiesSeed);
            var tokenizer = Corpus.tokenizer(docs, tokenizerFile, byteTokenizer, requested.vocab());
            var prepared = Corpus.pack(tokenizer, docs, out, valFraction);
            LlamaConfig config = requested.withVocab(tokenizer.vocabSize());
            Llama model = Llama.initialize(config, new Rng(trainConfig.seed()));
            save.apply(model);
            System.err.printf("model: %,d parameters (dim %d, %d layers, %d heads, %d kv heads, hidden %d, vocab %d)%n",
                    config.parameterCount(), config.dim(), config.layers(), config.heads(), config.kvHeads(), config.hiddenDim(), config.vocab());
            trainer = Pretrainer.start(model, tokenizer, prepared.train(), prepared.val(), trainConfig, RunDirectory.at(out));
        }
        // The summary is printed before the stop signal is released: after Ctrl-C the JVM exits as soon as it is.
        try (var stop = StopSignal.install()) {
            Pretrainer.Result result = trainer.run(stop);
            System.out.printf("%s at step %d: train loss %.4f, val loss %.4f (perplexity %.2f), %,.0f tokens/s, %.1fs%n",
                    result.interrupted() ? "stopped (checkpoint saved; --resume continues)" : "finished", result.steps(),
                    result.trainLoss(), result.valLoss(), result.valPerplexity(), result.tokensPerSecond(), result.seconds());
            System.out.printf("peak resident memory: %s%n", dev.cria.util.Memory.format(dev.cria.util.Memory.peakResidentBytes()));
            System.out.printf("model: %s   metrics: %s   plot: %s%n", out.resolve(ModelDirectory.RUN_CHECKPOINT),
                    out.resolve(Pretrainer.METRICS), out.resolve(Pretrainer.LOSS_PLOT));
            System.out.flush();
        }
        return 0;
    }
}
