package dev.cria.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cria.autograd.Grad;
import dev.cria.autograd.Ops;
import dev.cria.autograd.Tensor;
import dev.cria.checkpoint.ModelDirectory;
import dev.cria.checkpoint.TrainingState;
import dev.cria.data.Batch;
import dev.cria.data.WindowSampler;
import dev.cria.model.Llama;
import dev.cria.tokenizer.Tokenizer;
import dev.cria.util.CriaException;
import dev.cria.util.Rng;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Causal-LM pretraining: next-token cross-entropy on random fixed-length windows of a packed token
 * stream, accumulated over {@code gradAccum} micro-batches per step, validated on the held-out stream.
 * The optimisation itself (AdamW, schedule, clipping, checkpoints, resume) is the shared
 * {@link TrainingLoop}.
 */
public final class Pretrainer {
    public static final String METRICS = RunDirectory.METRICS;
    public static final String LOSS_PLOT = "loss.png";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How a run ended. */
    public record Result(long steps, double trainLoss, double valLoss, double tokensPerSecond, double seconds, boolean interrupted) {
        public double valPerplexity() {
            return Math.exp(valLoss);
        }
    }

    private final Llama model;
    private final PretrainConfig config;
    private final TrainingLoop loop;

    private Pretrainer(Llama model, Tokenizer tokenizer, int[] trainTokens, int[] valTokens, PretrainConfig config, RunDirectory run, Rng rng) {
        if (config.seqLen() > model.config().maxSeqLen()) {
            throw new CriaException("--seq-len " + config.seqLen() + " exceeds the model's maxSeqLen " + model.config().maxSeqLen());
        }
        if (tokenizer.vocabSize() > model.config().vocab()) {
            throw new CriaException("tokenizer has " + tokenizer.vocabSize() + " tokens but the model's vocab is " + model.config().vocab());
        }
        this.model = model;
        this.config = config;
        var objective = new NextToken(model, new WindowSampler(trainTokens, config.seqLen()), new WindowSampler(valTokens, config.seqLen()), config);
        var settings = new TrainingLoop.Settings("pretrain", config.steps(), config.schedule(), config.gradClip(), config.beta1(),
                config.beta2(), config.weightDecay(), config.evalEvery(), config.saveEvery(),
                List.of(new RunDirectory.Plot(LOSS_PLOT, "Cria pretraining", "loss (nats/token)", List.of("train/loss", "val/loss"))));
        var runConfig = JSON.createObjectNode();
        runConfig.set("train", JSON.valueToTree(config));
        runConfig.set("model", JSON.valueToTree(model.config()));
        this.loop = new TrainingLoop(model, tokenizer, objective, settings, run, runConfig, rng);
    }

    /** Next-token loss on random windows; validation over the held-out stream in order. */
    private record NextToken(Llama model, WindowSampler train, WindowSampler val, PretrainConfig config) implements TrainingLoop.Objective {
        @Override
        public TrainingLoop.StepResult step(Rng rng) {
            int B = config.batchSize(), T = config.seqLen();
            int[] inputs = new int[B * T], targets = new int[B * T];
            double lossSum = 0;
            for (int micro = 0; micro < config.gradAccum(); micro++) {
                train.sampleInto(rng, inputs, targets);
                Tensor loss = model.loss(inputs, targets, B, T);
                lossSum += loss.item();
                Ops.scale(loss, 1f / config.gradAccum()).backward();
            }
            return new TrainingLoop.StepResult(lossSum / config.gradAccum(), config.tokensPerStep());
        }

        @Override
        public Map<String, Double> evaluate() {
            double sum = 0;
            long count = 0;
            int batches = 0;
            try (var off = Grad.off()) {
                for (Batch batch : val.sequential(config.batchSize())) {
                    if (batches++ >= config.evalBatches()) break;
                    float loss = model.loss(batch.inputs(), batch.targets(), batch.rows(), batch.seqLen()).item();
                    sum += (double) loss * batch.inputs().length;
                    count += batch.inputs().length;
                }
            }
            double loss = sum / count;
            return Map.of("val/loss", loss, "val/ppl", Math.exp(loss));
        }
    }

    /** A new run: the model is already initialised; batches are drawn from a generator seeded by the config. */
    public static Pretrainer start(Llama model, Tokenizer tokenizer, int[] trainTokens, int[] valTokens, PretrainConfig config, RunDirectory run) {
        return new Pretrainer(model, tokenizer, trainTokens, valTokens, config, run, new Rng(config.seed() ^ 0x5EEDL));
    }

    /**
     * Continues a run from its checkpoint: weights, optimizer moments, step and sampler state are restored,
     * so the remaining steps are exactly those the uninterrupted run would have taken.
     */
    public static Pretrainer resume(ModelDirectory.Loaded checkpoint, int[] trainTokens, int[] valTokens, PretrainConfig config, RunDirectory run) {
        TrainingState state = checkpoint.state().orElseThrow(() ->
                new CriaException(checkpoint.dir() + ": has no " + ModelDirectory.STATE + ", so there is no run to resume"));
        var trainer = new Pretrainer(checkpoint.model(), checkpoint.tokenizer(), trainTokens, valTokens, config, run, new Rng(0));
        trainer.loop.resumeFrom(state, checkpoint.optimizer(), checkpoint.dir());
        return trainer;
    }

    public long step() {
        return loop.step();
    }

    public Llama model() {
        return model;
    }

    /** Runs until {@code config.steps()} or until {@code stop} is raised; saves a checkpoint either way. */
    public Result run(StopSignal stop) {
        return runUntil(config.steps(), stop);
    }

    /** Runs until step {@code stepLimit}, as if the run were stopped there; {@link #resume} continues it. */
    public Result runUntil(long stepLimit, StopSignal stop) {
        TrainingLoop.Result r = loop.runUntil(stepLimit, stop);
        return new Result(r.steps(), r.trainLoss(), r.metric("val/loss"), r.tokensPerSecond(), r.seconds(), r.interrupted());
    }

    /** The resolved configuration saved in a checkpoint's trainer_state.json. */
    public static PretrainConfig configOf(TrainingState state, String source) {
        try {
            return JSON.treeToValue(state.runConfig().get("train"), PretrainConfig.class);
        } catch (Exception e) {
            throw new CriaException(source + ": run_config.train is not a valid pretraining config: " + e.getMessage());
        }
    }
}
