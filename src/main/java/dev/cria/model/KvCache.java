package dev.cria.model;

/**
 * Keys and values of past positions for a batch of sequences, so decoding a new token costs one row of
 * work instead of a forward over the whole prefix. Layout per layer: (slots, capacity, KVH·HS).
 */
public final class KvCache {
    final float[][] keys;   // [layer] (slots, capacity, kvDim)
    final float[][] values; // [layer] (slots, capacity, kvDim)
    final int slots;
    final int capacity;
    final int kvDim;
    private final int[] lengths;

    public KvCache(LlamaConfig config, int slots, int capacity) {
        if (slots <= 0) throw new IllegalArgumentException("slots must be positive: " + slots);
        if (capacity <= 0 || capacity > config.maxSeqLen()) {
            throw new IllegalArgumentException("capacity must be in 1.." + config.maxSeqLen() + ": " + capacity);
        }
        this.slots = slots;
        this.capacity = capacity;
        this.kvDim = config.kvDim();
        this.keys = new float[config.layers()][(int) Math.multiplyExact((long) slots * capacity, kvDim)];
        this.values = new float[config.layers()][keys[0].length];
        this.lengths = new int[slots];
    }

    public int slots() {
        return slots;
    }

    public int capacity() {
        return capacity;
    }

    /** Number of positions already cached for a slot. */
    public int length(int slot) {
        return lengths[slot];
    }

    void setLength(int slot, int length) {
        lengths[slot] = length;
    }

    /** Forgets a slot's positions so it can hold a new sequence. */
    public void reset(int slot) {
        lengths[slot] = 0;
    }

    /** Forgets every slot's positions, so the cache can serve a new batch without new memory. */
    public void clear() {
        java.util.Arrays.fill(lengths, 0);
    }
}
