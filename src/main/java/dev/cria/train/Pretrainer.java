package dev.cria.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cria.autograd.Grad;
import dev.cria.autograd.Ops;
import dev.cria.autograd.Tensor;
import dev.cria.checkpoint.ModelDirectory;
import dev.cria.checkpoint.TrainingState;
import dev.cria.data.Batch;
import dev.cria.data.WindowSampler;
import dev.cria.io.LinePlot;
import dev.cria.model.Llama;
import dev.cria.tokenizer.Tokenizer;
import dev.cria.util.CriaException;
import dev.cria.util.Rng;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Causal-LM pretraining: AdamW on random fixed-length windows of a packed token stream, with warmup and
 * cosine decay, gradient clipping and accumulation, periodic validation, checkpoints that resume exactly,
 * metrics as JSONL and a loss curve as PNG.
 *
 * <p>One step is: (1) sum gradients over {@code gradAccum} micro-batches, (2) clip their global norm,
 * (3) stop if the loss or the norm is not finite, (4) update with AdamW, (5) log, validate and save on
 * schedule, or save and return early when asked to stop (Ctrl-C).
 */
public final class Pretrainer {
    public static final String METRICS = "metrics.jsonl";
    public static final String LOSS_PLOT = "loss.png";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How a run ended. */
    public record Result(long steps, double trainLoss, double valLoss, double tokensPerSecond, double seconds, boolean interrupted) {
        public double valPerplexity() {
            return Math.exp(valLoss);
        }
    }

    private final Llama model;
    private final Tokenizer tokenizer;
    private final WindowSampler train;
    private final WindowSampler val;
    private final PretrainConfig config;
    private final Path runDir;
    private final AdamW optimizer;
    private final Rng rng;
    private final MetricsLog metrics;
    private long step;
    private long tokensSeen;
    private double elapsedBefore;

    private Pretrainer(Llama model, Tokenizer tokenizer, int[] trainTokens, int[] valTokens, PretrainConfig config, Path runDir, Rng rng) {
        if (config.seqLen() > model.config().maxSeqLen()) {
            throw new CriaException("--seq-len " + config.seqLen() + " exceeds the model's maxSeqLen " + model.config().maxSeqLen());
        }
        if (tokenizer.vocabSize() > model.config().vocab()) {
            throw new CriaException("tokenizer has " + tokenizer.vocabSize() + " tokens but the model's vocab is " + model.config().vocab());
        }
        this.model = model;
        this.tokenizer = tokenizer;
        this.train = new WindowSampler(trainTokens, config.seqLen());
        this.val = new WindowSampler(valTokens, config.seqLen());
        this.config = config;
        this.runDir = runDir;
        this.rng = rng;
        this.optimizer = new AdamW(model.parameters(), (float) config.beta1(), (float) config.beta2(), 1e-8f, (float) config.weightDecay());
        this.metrics = new MetricsLog(runDir.resolve(METRICS));
        try {
            java.nio.file.Files.createDirectories(runDir);
        } catch (java.io.IOException e) {
            throw new CriaException("cannot create run directory " + runDir + ": " + e.getMessage(), e);
        }
    }

    /** A new run: the model is already initialised; batches are drawn from a generator seeded by the config. */
    public static Pretrainer start(Llama model, Tokenizer tokenizer, int[] trainTokens, int[] valTokens, PretrainConfig config, Path runDir) {
        return new Pretrainer(model, tokenizer, trainTokens, valTokens, config, runDir, new Rng(config.seed() ^ 0x5EEDL));
    }

    /**
     * Continues a run from its checkpoint: weights, optimizer moments, step and sampler state are restored,
     * so the remaining steps are exactly those the uninterrupted run would have taken.
     */
    public static Pretrainer resume(ModelDirectory.Loaded checkpoint, int[] trainTokens, int[] valTokens, PretrainConfig config, Path runDir) {
        TrainingState state = checkpoint.state().orElseThrow(() ->
                new CriaException(checkpoint.dir() + ": has no " + ModelDirectory.STATE + ", so there is no run to resume"));
        var trainer = new Pretrainer(checkpoint.model(), checkpoint.tokenizer(), trainTokens, valTokens, config, runDir,
                Rng.fromState(state.rngState()));
        for (AdamW.Slot slot : trainer.optimizer.slots()) {
            restoreMoment(checkpoint, slot.name() + ".exp_avg", slot.m());
            restoreMoment(checkpoint, slot.name() + ".exp_avg_sq", slot.v());
        }
        trainer.optimizer.setStepCount(state.optimizerStep());
        trainer.step = state.step();
        trainer.tokensSeen = state.tokensSeen();
        trainer.elapsedBefore = state.elapsedSeconds();
        trainer.metrics.truncateAfter(state.step());
        return trainer;
    }

    private static void restoreMoment(ModelDirectory.Loaded checkpoint, String name, float[] into) {
        var saved = checkpoint.optimizer().get(name);
        if (saved == null || saved.data().length != into.length) {
            throw new CriaException(checkpoint.dir().resolve(ModelDirectory.OPTIMIZER) + ": optimizer state '" + name + "' is missing or has the wrong size");
        }
        System.arraycopy(saved.data(), 0, into, 0, into.length);
    }

    public long step() {
        return step;
    }

    public Llama model() {
        return model;
    }

    /** Runs until {@code config.steps()} or until {@code stop} is raised; saves a checkpoint either way. */
    public Result run(StopSignal stop) {
        return runUntil(config.steps(), stop);
    }

    /**
     * Runs until step {@code stepLimit} (at most {@code config.steps()}), as if the run were stopped there:
     * saves a checkpoint that {@link #resume} continues from.
     */
    public Result runUntil(long stepLimit, StopSignal stop) {
        var schedule = config.schedule();
        var params = model.parameters().values();
        int B = config.batchSize(), T = config.seqLen();
        int[] inputs = new int[B * T], targets = new int[B * T];
        var progress = new ProgressBar("pretrain", step, config.steps());
        long startNanos = System.nanoTime();
        long startTokens = tokensSeen;
        double lastLoss = Double.NaN, lastVal = Double.NaN;
        boolean interrupted = false;
        long limit = Math.min(stepLimit, config.steps());
        while (step < limit) {
            if (stop.requested()) {
                interrupted = true;
                System.err.printf("%nstopping: saving a checkpoint at step %d%n", step);
                break;
            }
            double lr = schedule.at((int) step);
            optimizer.zeroGrad();
            double lossSum = 0;
            for (int micro = 0; micro < config.gradAccum(); micro++) {
                train.sampleInto(rng, inputs, targets);
                Tensor loss = model.loss(inputs, targets, B, T);
                lossSum += loss.item();
                Ops.scale(loss, 1f / config.gradAccum()).backward();
            }
            double loss = lossSum / config.gradAccum();
            double gradNorm = GradClip.clip(params, config.gradClip());
            if (!Double.isFinite(loss) || !Double.isFinite(gradNorm)) throw new TrainingDiverged(step, lr, loss, gradNorm);
            optimizer.step((float) lr);
            step++;
            tokensSeen += config.tokensPerStep();
            lastLoss = loss;

            double seconds = (System.nanoTime() - startNanos) / 1e9;
            double tokensPerSecond = (tokensSeen - startTokens) / Math.max(seconds, 1e-9);
            var record = new LinkedHashMap<String, Number>();
            record.put("train/loss", loss);
            record.put("train/lr", lr);
            record.put("train/grad_norm", gradNorm);
            record.put("train/tokens_per_sec", tokensPerSecond);
            boolean last = step == config.steps();
            if (last || (config.evalEvery() > 0 && step % config.evalEvery() == 0)) {
                lastVal = validate();
                record.put("val/loss", lastVal);
                record.put("val/ppl", Math.exp(lastVal));
            }
            metrics.append(step, record);
            progress.update(step, String.format("loss %.3f%s  %,.0f tok/s", loss,
                    Double.isNaN(lastVal) ? "" : String.format("  val %.3f", lastVal), tokensPerSecond));
            if (!last && config.saveEvery() > 0 && step % config.saveEvery() == 0) save(seconds);
        }
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        save(seconds);
        writeLossPlot();
        double tokensPerSecond = (tokensSeen - startTokens) / Math.max(seconds, 1e-9);
        return new Result(step, lastLoss, lastVal, tokensPerSecond, seconds, interrupted);
    }

    /** Mean next-token loss over the first {@code evalBatches} batches of the validation stream. */
    public double validate() {
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
        return sum / count;
    }

    private void save(double secondsThisSession) {
        var shapes = new LinkedHashMap<String, int[]>();
        for (AdamW.Slot slot : optimizer.slots()) {
            shapes.put(slot.name() + ".exp_avg", slot.param().shape());
            shapes.put(slot.name() + ".exp_avg_sq", slot.param().shape());
        }
        var state = new TrainingState("pretrain", step, optimizer.stepCount(), rng.state(), tokensSeen,
                elapsedBefore + secondsThisSession, runConfig());
        ModelDirectory.saveCheckpoint(runDir, model, tokenizer, optimizer.state(), shapes, state);
    }

    private com.fasterxml.jackson.databind.JsonNode runConfig() {
        var node = JSON.createObjectNode();
        node.set("train", JSON.valueToTree(config));
        node.set("model", JSON.valueToTree(model.config()));
        return node;
    }

    /** Draws train and validation loss against step into loss.png. */
    public void writeLossPlot() {
        var records = metrics.read();
        double[][] trainLoss = MetricsLog.series(records, "train/loss");
        double[][] valLoss = MetricsLog.series(records, "val/loss");
        var plot = new LinePlot("Cria pretraining", "step", "loss (nats/token)");
        if (trainLoss[0].length > 0) plot.add("train", trainLoss[0], trainLoss[1]);
        if (valLoss[0].length > 0) plot.add("validation", valLoss[0], valLoss[1]);
        plot.save(runDir.resolve(LOSS_PLOT), 900, 540);
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
