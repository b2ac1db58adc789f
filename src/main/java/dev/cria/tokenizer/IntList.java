package dev.cria.tokenizer;

import java.util.Arrays;

/** A growable {@code int[]}: token ids being collected, or word indices in the trainer's pair index. */
final class IntList {
    private int[] items;
    private int size;

    IntList(int capacity) {
        items = new int[Math.max(capacity, 4)];
    }

    void add(int value) {
        if (size == items.length) items = Arrays.copyOf(items, size * 2);
        items[size++] = value;
    }

    void addAll(int[] values) {
        if (size + values.length > items.length) items = Arrays.copyOf(items, Math.max(size * 2, size + values.length));
        System.arraycopy(values, 0, items, size, values.length);
        size += values.length;
    }

    int get(int index) {
        return items[index];
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    int last() {
        return items[size - 1];
    }

    int[] toArray() {
        return Arrays.copyOf(items, size);
    }
}
