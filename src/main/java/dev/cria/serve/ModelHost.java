package dev.cria.serve;

import dev.cria.kernels.QuantMatrix;
import dev.cria.chat.ChatFormat;
import dev.cria.checkpoint.ModelDirectory;
import dev.cria.generate.Generator;
import dev.cria.model.Llama;
import dev.cria.tokenizer.Tokenizer;
import dev.cria.util.CriaException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Owns the loaded models and the one thread that uses them. Llama objects, their decoders and the
 * trainers are not made for concurrent use, so every generation and every training round runs as a
 * task on this single worker, in order. While a round trains, interactive requests are refused with
 * 503 instead of waiting minutes; queued pair generation simply waits its turn.
 */
public final class ModelHost implements AutoCloseable {
    /**
     * A model ready to use, under the concrete name its answers are recorded with, and the generator its
     * requests share (its decoder and cache are reused from one request to the next).
     */
    public record Loaded(String name, Path dir, Llama model, Tokenizer tokenizer, ChatFormat chat, Generator generator) {
        Loaded(String name, Path dir, Llama model, Tokenizer tokenizer, ChatFormat chat) {
            this(name, dir, model, tokenizer, chat, new Generator(model));
        }
    }

    private static final int CACHED_MODELS = 3;
    private final RunDir run;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "cria-model");
        t.setDaemon(true);
        return t;
    });
    // touched only on the worker thread
    private final Map<Path, Loaded> cache = new LinkedHashMap<>(4, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Path, Loaded> eldest) {
            return size() > CACHED_MODELS;
        }
    };
    private volatile String training;
    private final QuantMatrix.Kind quantize;

    /** Serves the models of {@code run}, each held quantized to {@code quantize} (null: as stored). */
    public ModelHost(RunDir run, QuantMatrix.Kind quantize) {
        this.run = run;
        this.quantize = quantize;
    }

    /** Runs an interactive task on the worker; 503 while a round is training. */
    public <T> T call(Callable<T> task) {
        String busy = training;
        if (busy != null) throw new ApiError(503, null, "the model is busy training " + busy + "; try again when it has finished");
        return await(worker.submit(task));
    }

    /** Runs a background task on the worker, waiting behind any training. */
    public <T> T callQueued(Callable<T> task) {
        return await(worker.submit(task));
    }

    /** Starts a training task; interactive calls are refused until it ends, and cached models are dropped after it. */
    public <T> Future<T> train(String what, Callable<T> task) {
        return worker.submit(() -> {
            // subtle: a file channel closes itself under an interrupted thread, so no stale interrupt may reach the trainers' writes
            Thread.interrupted();
            training = what;
            try {
                return task.call();
            } finally {
                cache.clear();
                training = null;
            }
        });
    }

    public String training() {
        return training;
    }

    /** Loads (or reuses) a model by name; call from a worker task. */
    public Loaded load(String name) {
        String concrete = run.concrete(name);
        Path dir = run.modelDir(concrete).toAbsolutePath().normalize();
        return cache.computeIfAbsent(dir, d -> {
            ModelDirectory.Loaded loaded = ModelDirectory.loadFrozen(d, quantize);
            return new Loaded(concrete, d, loaded.model(), loaded.tokenizer(), loaded.chat());
        });
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(false);   // never interrupt the worker: it may be writing a checkpoint
            throw new ApiError(503, null, "interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) throw r;
            throw new CriaException(cause.toString(), cause);
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
