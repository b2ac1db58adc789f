package dev.cria.train;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cria.autograd.Tensor;
import dev.cria.checkpoint.TrainingState;
import dev.cria.io.TensorData;
import dev.cria.model.Llama;
import dev.cria.tokenizer.Tokenizer;
import dev.cria.util.Rng;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The optimisation loop every trainer shares. One step is: (1) the objective accumulates gradients
 * (over its micro-batches) and reports its loss, (2) the global gradient norm is clipped, (3) a
 * non-finite loss or norm stops the run, keeping the last good checkpoint, (4) AdamW updates the
 * trainable parameters at the scheduled learning rate, (5) metrics are logged, validation and
 * checkpoints happen on schedule, and a stop request (Ctrl-C) saves and returns.
 *
 * <p>Everything random in a step comes from the loop's generator, whose state is saved with the weights
 * and the optimizer moments, so a resumed run takes exactly the steps an uninterrupted one would.
 */
public final class TrainingLoop {
    /** What is being optimised. */
    public interface Objective {
        /** Computes one step's gradients (accumulated into the parameters) and returns its metrics. */
        StepResult step(Rng rng);

        /** Validation metrics, computed without gradients; empty when there is nothing to validate. */
        Map<String, Double> evaluate();
    }

    /** A step's loss, the tokens it consumed, and any further metrics to log under their own names. */
    public record StepResult(double loss, long tokens, Map<String, Double> metrics) {
        public StepResult(double loss, long tokens) {
            this(loss, tokens, Map.of());
        }
    }

    /**
     * @param stage      name saved in the checkpoint and shown on the progress bar (pretrain, sft, reward, ...)
     * @param steps      total optimizer steps
     * @param schedule   learning rate by step
     * @param gradClip   global norm limit, 0 = off
     * @param evalEvery  steps between validations (0 = only at the end)
     * @param saveEvery  steps between checkpoints (0 = only at the end)
     * @param plots      curves drawn when the run ends
     */
    public record Settings(String stage, int steps, LrSchedule schedule, double gradClip, double beta1, double beta2,
                           double weightDecay, int evalEvery, int saveEvery, List<RunDirectory.Plot> plots) {
    }

    /** How a run ended; {@code metrics} holds the last value of every logged metric. */
    public record Result(long steps, double trainLoss, Map<String, Double> metrics, double tokensPerSecond, double seconds,
                         boolean interrupted) {
        public double metric(String key) {
            return metrics.getOrDefault(key, Double.NaN);
        }
    }

    private final Llama model;
    private final Tokenizer tokenizer;
    private final Objective objective;
    private final Settings settings;
    private final RunDirectory run;
    private final JsonNode runConfig;
    private final AdamW optimizer;
    private final Rng rng;
    private long step;
    private long tokensSeen;
    private double elapsedBefore;

    public TrainingLoop(Llama model, Tokenizer tokenizer, Objective objective, Settings settings, RunDirectory run, JsonNode runConfig, Rng rng) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.objective = objective;
        this.settings = settings;
        this.run = run;
        this.runConfig = runConfig;
        this.rng = rng;
        this.optimizer = new AdamW(model.trainableParameters(), (float) settings.beta1(), (float) settings.beta2(), AdamW.EPS,
                (float) settings.weightDecay());
    }

    /** Continues from a checkpoint's training state and optimizer moments. */
    public TrainingLoop resumeFrom(TrainingState state, Map<String, TensorData> optimizerState, Path source) {
        run.resume(settings.stage(), state, optimizer, optimizerState, source);
        rng.setState(state.rngState());
        step = state.step();
        tokensSeen = state.tokensSeen();
        elapsedBefore = state.elapsedSeconds();
        return this;
    }

    public long step() {
        return step;
    }

    public Result run(StopSignal stop) {
        return runUntil(settings.steps(), stop);
    }

    /** Runs until step {@code stepLimit} (at most the configured steps) and saves a checkpoint that resumes there. */
    public Result runUntil(long stepLimit, StopSignal stop) {
        var params = model.trainableParameters().values();
        var progress = new ProgressBar(settings.stage(), step, settings.steps());
        long startNanos = System.nanoTime();
        long startTokens = tokensSeen;
        double lastLoss = Double.NaN;
        var last = new LinkedHashMap<String, Double>();
        boolean interrupted = false;
        long limit = Math.min(stepLimit, settings.steps());
        try (var training = model.training(rng)) {
            while (step < limit) {
                if (stop.requested()) {
                    interrupted = true;
                    System.err.printf("%nstopping: saving a checkpoint at step %d%n", step);
                    break;
                }
                double lr = settings.schedule().at((int) step);
                optimizer.zeroGrad();
                StepResult result = objective.step(rng);
                double gradNorm = GradClip.globalNorm(params);
                if (!Double.isFinite(result.loss()) || !Double.isFinite(gradNorm)) {
                    throw new TrainingDiverged(step, lr, result.loss(), gradNorm);
                }
                optimizer.step((float) lr, GradClip.scale(gradNorm, settings.gradClip()));
                step++;
                tokensSeen += result.tokens();
                lastLoss = result.loss();

                double seconds = (System.nanoTime() - startNanos) / 1e9;
                double tokensPerSecond = (tokensSeen - startTokens) / Math.max(seconds, 1e-9);
                var record = new LinkedHashMap<String, Number>();
                record.put("train/loss", result.loss());
                record.put("train/lr", lr);
                record.put("train/grad_norm", gradNorm);
                record.put("train/tokens_per_sec", tokensPerSecond);
                record.putAll(result.metrics());
                boolean end = step == settings.steps();
                if (end || (settings.evalEvery() > 0 && step % settings.evalEvery() == 0)) {
                    try (var eval = model.evaluation()) {
                        record.putAll(objective.evaluate());
                    }
                }
                record.forEach((k, v) -> last.put(k, v.doubleValue()));
                run.log(step, record);
                progress.update(step, status(result.loss(), last, tokensPerSecond));
                if (!end && settings.saveEvery() > 0 && step % settings.saveEvery() == 0) save(seconds);
            }
        }
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        save(seconds);
        writePlots();
        return new Result(step, lastLoss, last, (tokensSeen - startTokens) / Math.max(seconds, 1e-9), seconds, interrupted);
    }

    private static String status(double loss, Map<String, Double> last, double tokensPerSecond) {
        var s = new StringBuilder(String.format("loss %.3f", loss));
        for (var e : last.entrySet()) {
            String k = e.getKey();
            boolean headline = k.endsWith("loss") || k.endsWith("accuracy") || k.endsWith("accuracies");
            if ((k.startsWith("val/") || k.startsWith("eval/")) && headline) s.append(String.format("  %s %.3f", e.getKey(), e.getValue()));
        }
        return s.append(String.format("  %,.0f tok/s", tokensPerSecond)).toString();
    }

    private void save(double secondsThisSession) {
        var state = new TrainingState(settings.stage(), step, optimizer.stepCount(), rng.state(), tokensSeen,
                elapsedBefore + secondsThisSession, runConfig);
        run.saveCheckpoint(model, tokenizer, optimizer, state);
    }

    /** Draws the configured curves from metrics.jsonl. */
    public void writePlots() {
        run.drawPlots(settings.plots(), "step");
    }

    /** The trainable tensors, for tests. */
    Map<String, Tensor> trainable() {
        return model.trainableParameters();
    }
}
