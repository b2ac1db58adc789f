package dev.cria.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * The one place where Cria uses threads. Work is split into a fixed number of contiguous chunks that
 * depends only on the problem size and the thread count, never on timing, so every kernel that writes
 * disjoint outputs per chunk gives bit-identical results from run to run (and resumed training matches).
 * {@link #forTasks} lets a free thread take over another's tasks, so which thread runs a task depends on
 * timing, but the tasks themselves do not, and each still writes its own outputs: the same bits again.
 *
 * <p>The caller runs the first chunk itself and {@code threads − 1} daemon workers run the others;
 * {@code -Dcria.threads=N} sets the count (default: the machine's cores). Calls made from inside a
 * chunk run inline: nested parallelism would only add overhead on a machine this size. While one
 * caller has the workers, a second caller (another request thread of the server, say) runs its whole
 * range itself, which gives the same results, since chunks write disjoint outputs.
 *
 * <p>The workers stay warm: after a job each keeps polling for the next for {@code -Dcria.spin.micros}
 * (default {@value #DEFAULT_SPIN_MICROS} µs) before it parks. Decoding one token makes about thirty
 * parallel calls a few microseconds apart, and waking a parked thread costs tens of microseconds each time:
 * with a plain executor, B=1 decoding of the small preset spent two thirds of its time handing work over.
 *
 * <p>subtle: the workers are plain daemon threads, not a ForkJoinPool, because a ForkJoinPool stops
 * running tasks once JVM shutdown begins, and Ctrl-C must still be able to finish a step and save.
 */
public final class Parallel {
    /** Body of a parallel loop over the half-open range [start, end). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    private static final int THREADS = Math.max(1, Integer.getInteger("cria.threads", Runtime.getRuntime().availableProcessors()));
    private static final int DEFAULT_SPIN_MICROS = 100;
    private static final long SPIN_NANOS = 1000L * Math.max(0, Integer.getInteger("cria.spin.micros", DEFAULT_SPIN_MICROS));
    private static final ThreadLocal<Boolean> INSIDE = ThreadLocal.withInitial(() -> false);
    private static final Pool POOL = THREADS == 1 ? null : new Pool(THREADS - 1);

    private Parallel() {
    }

    /**
     * Elements per chunk, at least, for a light, memory-bound loop: handing a chunk to another thread costs
     * microseconds, so each chunk gets at least 32K elements of work.
     */
    public static final int ELEMENT_GRAIN = 1 << 15;

    /** Rows per chunk for a light, memory-bound loop over rows of {@code width} elements (see {@link #ELEMENT_GRAIN}). */
    public static int rowGrain(int width) {
        return Math.max(1, ELEMENT_GRAIN / Math.max(1, width));
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
        if (chunks <= 1 || INSIDE.get() || !POOL.tryRun(body, n, chunks)) {
            runInline(body, 0, n);
        }
    }

    /**
     * Runs tasks 0..tasks-1 as {@link #forRange} would, each thread starting on its own contiguous share,
     * but a thread that finishes its share early goes on to take the tasks the others have not started:
     * for work the static shares leave unbalanced (tasks of unequal cost, or a core the VM's host takes
     * away for a while). Each thread that joins calls {@code perThread} once, for a body with its own
     * scratch, and runs that body on every task it takes. Which thread runs a task depends on timing, so
     * a task must write only its own outputs, computed the same way wherever it runs: then results are
     * still bit-identical from run to run.
     */
    public static void forTasks(int tasks, Supplier<IntConsumer> perThread) {
        if (tasks <= 0) return;
        int shares = Math.min(THREADS, tasks);
        // each share's next task, a cache line apart, so that a thread taking its own tasks does not
        // take the line from the others
        var next = new AtomicIntegerArray(shares * INTS_PER_LINE);
        for (int s = 0; s < shares; s++) next.set(s * INTS_PER_LINE, shareStart(tasks, s, shares));
        forRange(shares, 1, (start, end) -> {
            IntConsumer body = null;
            for (int i = 0; i < shares; i++) {
                int share = (start + i) % shares, last = shareStart(tasks, share + 1, shares);
                for (int task; (task = next.getAndIncrement(share * INTS_PER_LINE)) < last; ) {
                    if (body == null) body = perThread.get();
                    body.accept(task);
                }
            }
        });
    }

    private static final int INTS_PER_LINE = 16;

    private static int shareStart(int tasks, int share, int shares) {
        return (int) ((long) tasks * share / shares);
    }

    /**
     * Tells idle workers to park now instead of polling: for a caller about to hand both cores to another
     * thread pool (oneDNN's OpenMP threads), whose threads a polling worker would slow down.
     */
    public static void releaseCores() {
        if (POOL != null) POOL.release = true;
    }

    private static void runInline(RangeBody body, int start, int end) {
        boolean outer = !INSIDE.get();
        INSIDE.set(true);
        try {
            body.run(start, end);
        } finally {
            if (outer) INSIDE.set(false);
        }
    }

    /** One call's work: chunk c covers [n·c/chunks, n·(c+1)/chunks). Numbered, so workers tell calls apart. */
    private record Job(long id, RangeBody body, int n, int chunks, Thread caller, AtomicInteger unfinished, Throwable[] failure) {
        Job(long id, RangeBody body, int n, int chunks) {
            this(id, body, n, chunks, Thread.currentThread(), new AtomicInteger(chunks - 1), new Throwable[1]);
        }

        int start(int chunk) {
            return (int) ((long) n * chunk / chunks);
        }

        void run(int chunk) {
            body.run(start(chunk), start(chunk + 1));
        }
    }

    /** The workers and the one job they share at a time. */
    private static final class Pool {
        private final Worker[] workers;
        private final ReentrantLock owner = new ReentrantLock();
        /** The job being run, or null between jobs (so a finished job's arrays are not kept alive). */
        private volatile Job job;
        /** Set by {@link #releaseCores}: idle workers park at once; the next job clears it. */
        private volatile boolean release;
        private long jobs;

        Pool(int size) {
            workers = new Worker[size];
            for (int i = 0; i < size; i++) {
                workers[i] = new Worker(this, i + 1);
                workers[i].start();
            }
        }

        /** Runs the job with the workers and returns true, or returns false at once if another caller has them. */
        boolean tryRun(RangeBody body, int n, int chunks) {
            if (!owner.tryLock()) return false;
            try {
                Job next = new Job(++jobs, body, n, chunks);
                release = false;
                job = next;
                for (int w = 0; w < next.chunks() - 1; w++) workers[w].wake();
                try {
                    runInline(next.body(), 0, next.start(1));
                } finally {
                    awaitWorkers(next);
                    job = null;
                }
                Throwable failed = next.failure()[0];
                if (failed instanceof RuntimeException r) throw r;
                if (failed instanceof Error e) throw e;
                if (failed != null) throw new IllegalStateException(failed);
                return true;
            } finally {
                owner.unlock();
            }
        }

        /** Spins while the workers are likely to finish soon, then parks until the last one wakes the caller. */
        private static void awaitWorkers(Job job) {
            long deadline = System.nanoTime() + SPIN_NANOS;
            while (job.unfinished().get() > 0) {
                if (System.nanoTime() - deadline < 0) Thread.onSpinWait();
                else LockSupport.park(job);
            }
        }
    }

    private static final class Worker extends Thread {
        private final Pool pool;
        private final int chunk;
        private volatile boolean parked;
        private long seen;

        Worker(Pool pool, int chunk) {
            super("cria-worker-" + chunk);
            this.pool = pool;
            this.chunk = chunk;
            setDaemon(true);
        }

        void wake() {
            if (parked) LockSupport.unpark(this);
        }

        @Override
        public void run() {
            INSIDE.set(true);
            while (true) {
                Job job = nextJob();
                if (chunk >= job.chunks()) continue;
                try {
                    job.run(chunk);
                } catch (Throwable t) {
                    job.failure()[0] = t;
                } finally {
                    if (job.unfinished().decrementAndGet() == 0) LockSupport.unpark(job.caller());
                }
            }
        }

        /**
         * The next job not yet seen: polled for SPIN_NANOS, then parked for. {@code parked} is set before the
         * last look at {@code pool.job}, and the caller sets the job before it looks at {@code parked}, so
         * one of the two always sees the other (no lost wake-up). A job this worker has no chunk of may
         * be over before the worker looks; it is simply missed.
         */
        private Job nextJob() {
            long deadline = System.nanoTime() + SPIN_NANOS;
            Job job;
            while (!isNew(job = pool.job)) {
                if (System.nanoTime() - deadline < 0 && !pool.release) {
                    Thread.onSpinWait();
                } else {
                    parked = true;
                    if (!isNew(pool.job)) LockSupport.park(this);
                    parked = false;
                    deadline = System.nanoTime() + SPIN_NANOS;
                }
            }
            seen = job.id();
            return job;
        }

        private boolean isNew(Job job) {
            return job != null && job.id() != seen;
        }
    }
}
