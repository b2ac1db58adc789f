package dev.cria.tensor;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * A pool of float arrays by size, so the activations and gradients of a training step (the logits of a
 * batch alone are hundreds of megabytes at a 32K vocabulary) are allocated in the first steps and then
 * reused, not churned through the garbage collector. {@link #take} hands out an array that nobody else holds; {@link #give} returns it.
 * An array taken and never given back is simply collected.
 */
public final class Workspace {
    private static final Map<Integer, ArrayDeque<float[]>> FREE = new HashMap<>();
    /** Keep at most this many spare arrays of one size: a training step holds dozens of one shape. */
    private static final int SPARES = 256;

    private Workspace() {
    }

    /** An array of exactly {@code size} floats, with arbitrary contents. */
    public static synchronized float[] take(int size) {
        ArrayDeque<float[]> free = FREE.get(size);
        float[] a = free == null ? null : free.poll();
        return a != null ? a : new float[size];
    }

    /** Returns an array for reuse; the caller must not touch it afterwards. */
    public static synchronized void give(float[] a) {
        ArrayDeque<float[]> free = FREE.computeIfAbsent(a.length, k -> new ArrayDeque<>());
        if (free.size() < SPARES) free.push(a);
    }
}
