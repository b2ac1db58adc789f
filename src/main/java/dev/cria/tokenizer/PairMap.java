package dev.cria.tokenizer;

import java.util.Arrays;

/**
 * A map from a pair of token ids to an int (the merge rank), with open addressing on primitive keys.
 * Encoding looks a pair up for every adjacent position of every chunk, so boxing {@code Long} keys in a
 * {@code HashMap} would dominate; this does no allocation on lookup.
 *
 * <p>Built once and then read-only, which makes it safe to share between threads. Not a general map: no
 * removal and no resizing after construction.
 */
final class PairMap {
    private static final long EMPTY = -1L;
    private final long[] keys;
    private final int[] values;
    private final int mask;
    private final int shift;

    PairMap(int expectedSize) {
        int capacity = Integer.highestOneBit(Math.max(4, expectedSize * 2 - 1)) << 1;
        keys = new long[capacity];
        values = new int[capacity];
        mask = capacity - 1;
        shift = 64 - Integer.numberOfTrailingZeros(capacity);
        Arrays.fill(keys, EMPTY);
    }

    /** The pair as one non-negative long, ordered by (left, right); the trainer breaks ties with it. */
    static long key(int left, int right) {
        return ((long) left << 32) | right;
    }

    static int left(long key) {
        return (int) (key >>> 32);
    }

    static int right(long key) {
        return (int) key;
    }

    /** Stores the value unless the pair is already present; returns false in that case. */
    boolean putIfAbsent(int left, int right, int value) {
        long key = key(left, right);
        int slot = slot(key);
        while (keys[slot] != EMPTY) {
            if (keys[slot] == key) return false;
            slot = (slot + 1) & mask;
        }
        keys[slot] = key;
        values[slot] = value;
        return true;
    }

    /** The value for the pair, or -1 if absent. */
    int get(int left, int right) {
        long key = key(left, right);
        int slot = slot(key);
        while (true) {
            long k = keys[slot];
            if (k == key) return values[slot];
            if (k == EMPTY) return -1;
            slot = (slot + 1) & mask;
        }
    }

    private int slot(long key) {
        // Fibonacci hashing: the top bits of key * 2^64/phi spread consecutive ids well.
        return (int) ((key * 0x9E3779B97F4A7C15L) >>> shift);
    }
}
