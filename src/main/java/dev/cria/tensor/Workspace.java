package dev.cria.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A pool of float arrays by size, so the activations and gradients of a training step (the logits of a
 * batch alone are hundreds of megabytes at a 32K vocabulary) are allocated in the first steps and then
 * reused, not churned through the garbage collector. {@link #take} hands out an array that nobody else holds; {@link #give} returns it.
 * An array taken and never given back is simply collected.
 *
 * <p>subtle: arrays are pooled by exact size, and batches of varying length (fine-tuning pads each batch
 * to its own longest example) bring new sizes every step. The pool therefore holds at most a quarter of
 * the heap; when a returned array would pass that, the pool is emptied first, so the sizes of the
 * current workload take over from those of an earlier one.
 */
public final class Workspace {
    private static final Map<Integer, ArrayDeque<float[]>> FREE = new HashMap<>();
    /** Keep at most this many spare arrays of one size: a training step holds dozens of one shape. */
    private static final int SPARES = 256;
    private static long maxPooledBytes = Runtime.getRuntime().maxMemory() / 4;
    private static long pooledBytes;

    private Workspace() {
    }

    /** An array of exactly {@code size} floats, with arbitrary contents. */
    public static synchronized float[] take(int size) {
        ArrayDeque<float[]> free = FREE.get(size);
        float[] a = free == null ? null : free.poll();
        if (a == null) a = new float[size];
        else pooledBytes -= 4L * a.length;
        Scratch scratch = SCRATCH.get();
        if (scratch != null) scratch.taken.add(a);
        return a;
    }

    private static final ThreadLocal<Scratch> SCRATCH = new ThreadLocal<>();

    /**
     * Until it closes, every array this thread takes is scratch: given back when the scope closes, except
     * those {@link Scratch#keep kept}. For a computation whose intermediates nobody holds afterwards (a
     * forward pass with gradients off), which would otherwise leave them all to the garbage collector.
     */
    public static Scratch scratch() {
        Scratch scratch = new Scratch(SCRATCH.get());
        SCRATCH.set(scratch);
        return scratch;
    }

    /** See {@link #scratch()}. */
    public static final class Scratch implements AutoCloseable {
        private final List<float[]> taken = new ArrayList<>();
        private final Scratch outer;

        private Scratch(Scratch outer) {
            this.outer = outer;
        }

        /** {@code a} outlives the scope (the result): it is not given back. */
        public void keep(float[] a) {
            taken.removeIf(t -> t == a);
        }

        @Override
        public void close() {
            SCRATCH.set(outer);
            for (float[] a : taken) give(a);
            taken.clear();
        }
    }

    /** Bytes held by the pool now. */
    public static synchronized long pooledBytes() {
        return pooledBytes;
    }

    /** Caps the pool (the default is a quarter of the heap); for tests. */
    static synchronized void limit(long bytes) {
        maxPooledBytes = bytes;
    }

    /** Returns an array for reuse; the caller must not touch it afterwards. */
    public static synchronized void give(float[] a) {
        if (4L * a.length > maxPooledBytes) return;
        if (pooledBytes + 4L * a.length > maxPooledBytes) {
            FREE.clear();
            pooledBytes = 0;
        }
        ArrayDeque<float[]> free = FREE.computeIfAbsent(a.length, k -> new ArrayDeque<>());
        if (free.size() < SPARES) {
            free.push(a);
            pooledBytes += 4L * a.length;
        }
    }
}
