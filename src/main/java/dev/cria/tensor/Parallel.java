package dev.cria.tensor;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The one place where Cria uses threads. Work is split into a fixed number of contiguous chunks that
 * depends only on the problem size and the thread count, never on timing, so every kernel that writes
 * disjoint outputs per chunk gives bit-identical results from run to run (and resumed training matches).
 *
 * <p>The caller runs the first chunk itself and {@code threads − 1} daemon workers run the others;
 * {@code -Dcria.threads=N} sets the count (default: the machine's cores). Calls made from inside a
 * chunk run inline: nested parallelism would only add overhead on a machine this size.
 *
 * <p>subtle: the workers are a plain fixed pool, not a ForkJoinPool, because a ForkJoinPool stops
 * running tasks once JVM shutdown begins, and Ctrl-C must still be able to finish a step and save.
 */
public final class Parallel {
    /** Body of a parallel loop over the half-open range [start, end). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    private static final int THREADS = Math.max(1, Integer.getInteger("cria.threads", Runtime.getRuntime().availableProcessors()));
    private static final ThreadLocal<Boolean> INSIDE = ThreadLocal.withInitial(() -> false);
    private static final ExecutorService WORKERS = THREADS == 1 ? null : Executors.newFixedThreadPool(THREADS - 1, runnable -> {
        Thread thread = new Thread(() -> {
            INSIDE.set(true);
            runnable.run();
        }, "cria-worker");
        thread.setDaemon(true);
        return thread;
    });

    private Parallel() {
    }

    /**
     * Rows per chunk for a light, memory-bound loop over rows of {@code width} elements: handing a chunk
     * to another thread costs tens of microseconds, so each chunk gets at least 32K elements of work.
     */
    public static int rowGrain(int width) {
        return Math.max(1, (1 << 15) / Math.max(1, width));
    }

    public static int threads() {
        return THREADS;
    }

    /**
     * Runs {@code body} over [0, n) in at most {@link #threads()} chunks of at least {@code grain} items.
     * Small ranges run on the calling thread.
     */
    public static void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) return;
        int chunks = Math.min(THREADS, (n + Math.max(1, grain) - 1) / Math.max(1, grain));
        if (chunks <= 1 || INSIDE.get()) {
            body.run(0, n);
            return;
        }
        @SuppressWarnings("unchecked")
        Future<?>[] others = new Future<?>[chunks - 1];
        for (int c = 1; c < chunks; c++) {
            int start = (int) ((long) n * c / chunks);
            int end = (int) ((long) n * (c + 1) / chunks);
            others[c - 1] = WORKERS.submit(() -> body.run(start, end));
        }
        INSIDE.set(true);
        try {
            body.run(0, (int) ((long) n / chunks));
        } finally {
            INSIDE.set(false);
        }
        for (Future<?> f : others) await(f);
    }

    private static void await(Future<?> f) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    f.get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }
}
