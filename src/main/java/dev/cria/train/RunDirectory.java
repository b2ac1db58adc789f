package dev.cria.train;

import dev.cria.backend.Backends;
import dev.cria.checkpoint.ModelDirectory;
import dev.cria.checkpoint.TrainingState;
import dev.cria.io.LinePlot;
import dev.cria.io.TensorData;
import dev.cria.model.Llama;
import dev.cria.tokenizer.Tokenizer;
import dev.cria.util.CriaException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A training run's directory, and the one owner of its layout:
 * <pre>
 *   metrics.jsonl      one line per step (see {@link MetricsLog})
 *   *.png              curves drawn from it when the run ends
 *   model/             the checkpoint: weights, tokenizer, optimizer moments, trainer state
 * </pre>
 * Every trainer, the optimisation loop and the RL trainer alike, logs, saves, resumes and plots through
 * it, so a run directory means the same thing whatever wrote it. The command line and the web app make
 * it and hand it to the trainer.
 */
public final class RunDirectory {
    public static final String METRICS = "metrics.jsonl";

    /** A PNG drawn when the run ends: the named metrics against the step. */
    public record Plot(String file, String title, String yLabel, List<String> keys) {
    }

    private final Path dir;
    private final MetricsLog metrics;
    private boolean backendNamed;

    private RunDirectory(Path dir) {
        this.dir = dir;
        this.metrics = new MetricsLog(dir.resolve(METRICS));
    }

    /** The run directory at {@code dir}, created if missing. */
    public static RunDirectory at(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new CriaException("cannot create run directory " + dir + ": " + e.getMessage(), e);
        }
        return new RunDirectory(dir);
    }

    public Path path() {
        return dir;
    }

    /** A run nested inside this one (PPO's value model keeps its checkpoint in {@code critic/}). */
    public RunDirectory nested(String name) {
        return at(dir.resolve(name));
    }

    /** Appends one step's metrics; the first record this process writes also names the backend. */
    public void log(long step, Map<String, ? extends Number> values) {
        if (backendNamed) {
            metrics.append(step, values);
        } else {
            metrics.append(step, Map.of("backend", Backends.current().label()), values);
            backendNamed = true;
        }
    }

    /** Saves weights, tokenizer, the optimizer's moments and the trainer's state as one checkpoint, atomically. */
    public void saveCheckpoint(Llama model, Tokenizer tokenizer, AdamW optimizer, TrainingState state) {
        var shapes = new LinkedHashMap<String, int[]>();
        for (AdamW.Slot slot : optimizer.slots()) {
            shapes.put(slot.name() + ".exp_avg", slot.param().shape());
            shapes.put(slot.name() + ".exp_avg_sq", slot.param().shape());
        }
        ModelDirectory.saveCheckpoint(dir, model, tokenizer, optimizer.state(), shapes, state);
    }

    /**
     * Prepares to continue from a checkpoint of this run: checks that it was written by the same kind of
     * trainer, restores the optimizer's moments and step, and drops metrics logged after the checkpoint.
     *
     * @param source the checkpoint's directory, named in errors
     */
    public void resume(String stage, TrainingState state, AdamW optimizer, Map<String, TensorData> saved, Path source) {
        if (!state.stage().equals(stage)) {
            throw new CriaException(source + ": the checkpoint is from a '" + state.stage() + "' run, not '" + stage + "'");
        }
        restoreMoments(optimizer, state, saved, source);
        metrics.truncateAfter(state.step());
    }

    /** Restores an optimizer's moments and step from a checkpoint (PPO's value model has one of its own). */
    public static void restoreMoments(AdamW optimizer, TrainingState state, Map<String, TensorData> saved, Path source) {
        for (AdamW.Slot slot : optimizer.slots()) {
            restore(saved, slot.name() + ".exp_avg", slot.m(), source);
            restore(saved, slot.name() + ".exp_avg_sq", slot.v(), source);
        }
        optimizer.setStepCount(state.optimizerStep());
    }

    private static void restore(Map<String, TensorData> saved, String name, float[] into, Path source) {
        TensorData t = saved.get(name);
        if (t == null || t.data().length != into.length) {
            throw new CriaException(source.resolve(ModelDirectory.OPTIMIZER) + ": optimizer state '" + name + "' is missing or has the wrong size");
        }
        System.arraycopy(t.data(), 0, into, 0, into.length);
    }

    /** Draws each plot from metrics.jsonl, against {@code xLabel}; a plot none of whose metrics was logged is skipped. */
    public void drawPlots(List<Plot> plots, String xLabel) {
        var records = metrics.read();
        for (Plot p : plots) {
            var plot = new LinePlot(p.title(), xLabel, p.yLabel());
            boolean any = false;
            for (String key : p.keys()) {
                double[][] series = MetricsLog.series(records, key);
                if (series[0].length > 0) {
                    plot.add(key, series[0], series[1]);
                    any = true;
                }
            }
            if (any) plot.save(dir.resolve(p.file()), 900, 540);
        }
    }
}
