package dev.cria.data;

import dev.cria.util.CriaException;
import dev.cria.util.Rng;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Cuts training batches out of one packed token stream (documents joined as {@code <bos> ... <eos>}).
 *
 * <p>Training ({@link #sample}): each row is a window of T+1 consecutive tokens at a uniformly random
 * offset, inputs are its first T tokens and targets its last T. Windows cross document boundaries;
 * the bos/eos tokens tell the model where one story ends ("constant-length packing", as in nanoGPT).
 * Validation ({@link #sequential}): windows one after another from the start, each sharing its last
 * token with the next one's first, so every target in the covered part is predicted exactly once.
 *
 * <p>Legend: B = batch rows, T = sequence length. No padding, no attention masks, no shuffling of
 * documents; it is only a view over an {@code int[]} and keeps no state but the stream.
 */
public final class WindowSampler {
    private final int[] tokens;
    private final int seqLen;

    public WindowSampler(int[] tokens, int seqLen) {
        if (seqLen <= 0) throw new IllegalArgumentException("seqLen must be positive: " + seqLen);
        if (tokens.length < seqLen + 1) {
            throw new CriaException("token stream has " + tokens.length + " tokens, fewer than one window of seqLen + 1 = "
                    + (seqLen + 1) + "; use more data or a shorter sequence length");
        }
        this.tokens = tokens;
        this.seqLen = seqLen;
    }

    public int seqLen() {
        return seqLen;
    }

    /** Tokens in the stream. */
    public int size() {
        return tokens.length;
    }

    /** B random windows, drawn from {@code rng}; the same rng state gives the same batch. */
    public Batch sample(int batchSize, Rng rng) {
        if (batchSize <= 0) throw new IllegalArgumentException("batchSize must be positive: " + batchSize);
        int[] inputs = new int[batchSize * seqLen];
        int[] targets = new int[batchSize * seqLen];
        sampleInto(rng, inputs, targets);
        return new Batch(inputs, targets, batchSize, seqLen);
    }

    /**
     * Fills caller-owned (B, T) arrays with B = inputs.length / T random windows, so a training loop
     * need not allocate per step.
     */
    public void sampleInto(Rng rng, int[] inputs, int[] targets) {
        if (inputs.length != targets.length || inputs.length == 0 || inputs.length % seqLen != 0) {
            throw new IllegalArgumentException("inputs (" + inputs.length + ") and targets (" + targets.length
                    + ") must have the same positive length, a multiple of seqLen " + seqLen);
        }
        int rows = inputs.length / seqLen;
        // Offsets 0 .. size - (T + 1) inclusive: every full window is equally likely.
        int offsets = tokens.length - seqLen;
        for (int b = 0; b < rows; b++) {
            int start = rng.nextInt(offsets);
            System.arraycopy(tokens, start, inputs, b * seqLen, seqLen);
            System.arraycopy(tokens, start + 1, targets, b * seqLen, seqLen);
        }
    }

    /**
     * Windows the sequential pass covers: window w has inputs [wT, wT+T) and targets [wT+1, wT+T],
     * so there are (size - 1) / T of them and the last (size - 1) % T targets are left out.
     */
    public int windowCount() {
        return (tokens.length - 1) / seqLen;
    }

    /**
     * The stream once, in order, as batches of up to B windows (the last batch may have fewer rows).
     * Deterministic; each {@code iterator()} starts again from the beginning.
     */
    public Iterable<Batch> sequential(int batchSize) {
        if (batchSize <= 0) throw new IllegalArgumentException("batchSize must be positive: " + batchSize);
        return () -> new Iterator<>() {
            private int nextWindow = 0;

            @Override
            public boolean hasNext() {
                return nextWindow < windowCount();
            }

            @Override
            public Batch next() {
                if (!hasNext()) throw new NoSuchElementException("all " + windowCount() + " windows already returned");
                int rows = Math.min(batchSize, windowCount() - nextWindow);
                int[] inputs = new int[rows * seqLen];
                int[] targets = new int[rows * seqLen];
                for (int b = 0; b < rows; b++) {
                    int start = (nextWindow + b) * seqLen;
                    System.arraycopy(tokens, start, inputs, b * seqLen, seqLen);
                    System.arraycopy(tokens, start + 1, targets, b * seqLen, seqLen);
                }
                nextWindow += rows;
                return new Batch(inputs, targets, rows, seqLen);
            }
        };
    }
}
