package dev.cria.generate;

import dev.cria.model.Decoder;
import dev.cria.model.KvCache;
import dev.cria.model.Llama;
import dev.cria.tensor.Parallel;
import dev.cria.util.CriaException;
import dev.cria.util.Rng;
import java.lang.ref.SoftReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Batched generation with a KV cache. All prompts are prefilled in one forward (they may differ in
 * length); then each step decodes one token for every sequence still running, so a step's weight reads
 * serve the whole batch. A sequence stops at a stop token, at its token budget, when the model's
 * context is full, or when the listener ends it (a stop string, say).
 *
 * <p>Each sequence draws from its own generator split from the caller's, so a sequence's sample does
 * not depend on what else is in the batch. Each call sees the model's current weights.
 */
public final class Generator {
    /** Receives each new token as soon as it is chosen (for streaming). */
    @FunctionalInterface
    public interface Listener {
        void onToken(int sequence, int token);

        /**
         * The same event with the logits row the token was drawn from: {@code vocab} raw logits (before
         * temperature) from {@code offset}, valid only during the call. Return false to end the sequence
         * after this token ({@link Finish#LISTENER}). By default: {@link #onToken(int, int)}, and go on.
         */
        default boolean onStep(int sequence, int token, float[] logits, int offset) {
            onToken(sequence, token);
            return true;
        }
    }

    /** Why a sequence stopped: a stop token, its token budget or the full context, or its listener said so. */
    public enum Finish { STOP_TOKEN, LENGTH, LISTENER }

    /**
     * The new tokens of one sequence (the stop token excluded), why it ended, and the stop token that
     * ended it (-1 unless finish is STOP_TOKEN).
     */
    public record Completion(int[] tokens, Finish finish, int stopToken) {
    }

    private final Llama model;
    private final int vocab;
    private final int maxSeqLen;
    /**
     * The decoder and cache of the last call, kept for the next: their tens of megabytes (weight copies,
     * packed weights, keys and values) are overwritten rather than allocated again, which spares the
     * collector copying them into fresh pages on every call. Softly held, so memory that another model
     * needs more is not pinned between calls; a concurrent call finds none and makes its own.
     */
    private final AtomicReference<SoftReference<Workspace>> idle = new AtomicReference<>();

    private record Workspace(Decoder decoder, KvCache cache) {
    }

    public Generator(Llama model) {
        this.model = model;
        this.vocab = model.config().vocab();
        this.maxSeqLen = model.config().maxSeqLen();
    }

    /**
     * @param stopToken token that ends a sequence, or -1 for none
     */
    public List<Completion> generate(List<int[]> prompts, int maxNewTokens, Sampler sampler, Rng rng, int stopToken, Listener listener) {
        return generate(prompts, maxNewTokens, sampler, rng, stopToken < 0 ? new int[0] : new int[] {stopToken}, listener);
    }

    /**
     * @param stopTokens tokens that each end a sequence, e.g. every id of a config.json's eos_token_id
     *                   list (Llama 3.1 has three); empty for none. Ids outside the vocabulary are ignored.
     */
    public List<Completion> generate(List<int[]> prompts, int maxNewTokens, Sampler sampler, Rng rng, int[] stopTokens, Listener listener) {
        if (stopTokens == null) throw new IllegalArgumentException("stopTokens is null; pass an empty array for none");
        boolean[] stops = new boolean[vocab];
        // an id outside the vocabulary can never be sampled, so it stops nothing (as -1 always has)
        for (int t : stopTokens) if (t >= 0 && t < vocab) stops[t] = true;
        int B = prompts.size();
        if (B == 0) return List.of();
        if (maxNewTokens < 0) throw new CriaException("max new tokens must be >= 0: " + maxNewTokens);
        int longest = 0, totalPrompt = 0;
        for (int b = 0; b < B; b++) {
            int[] p = prompts.get(b);
            if (p.length == 0) throw new CriaException("prompt " + b + " is empty; start it with the bos token");
            if (p.length >= maxSeqLen) {
                throw new CriaException("prompt " + b + " has " + p.length + " tokens; the model's context is only " + maxSeqLen);
            }
            longest = Math.max(longest, p.length);
            totalPrompt += p.length;
        }
        int capacity = Math.min(maxSeqLen, longest + maxNewTokens);
        SoftReference<Workspace> held = idle.getAndSet(null);
        Workspace kept = held == null ? null : held.get();
        // the decoder snapshots the weights, so a kept one takes them again: training may have changed them
        var decoder = kept != null ? kept.decoder().refresh() : new Decoder(model);
        KvCache cache;
        if (kept != null && kept.cache().slots() == B && kept.cache().capacity() == capacity) {
            cache = kept.cache();
            cache.clear();
        } else {
            cache = new KvCache(model.config(), B, capacity);
        }
        try {
            return generateWith(decoder, cache, prompts, maxNewTokens, sampler, rng, stops, listener, totalPrompt);
        } finally {
            idle.set(new SoftReference<>(new Workspace(decoder, cache)));
        }
    }

    /** The prefill and the decoding steps, on this call's decoder and (empty) cache. */
    private List<Completion> generateWith(Decoder decoder, KvCache cache, List<int[]> prompts, int maxNewTokens, Sampler sampler, Rng rng,
                                          boolean[] stops, Listener listener, int totalPrompt) {
        int B = prompts.size();
        Rng[] rngs = new Rng[B];
        for (int b = 0; b < B; b++) rngs[b] = rng.split();

        int[] tokens = new int[totalPrompt], slots = new int[totalPrompt], lastRows = new int[B];
        int row = 0;
        for (int b = 0; b < B; b++) {
            for (int t : prompts.get(b)) {
                tokens[row] = t;
                slots[row++] = b;
            }
            lastRows[b] = row - 1;
        }
        float[] logits = decoder.forward(tokens, slots, cache, lastRows);

        List<List<Integer>> out = new ArrayList<>();
        Finish[] finish = new Finish[B];
        int[] stoppedBy = new int[B];
        Arrays.fill(stoppedBy, -1);
        int[] active = new int[B];
        for (int b = 0; b < B; b++) {
            out.add(new ArrayList<>());
            active[b] = b;
        }
        int activeCount = maxNewTokens == 0 ? 0 : B;
        if (maxNewTokens == 0) Arrays.fill(finish, Finish.LENGTH);
        while (activeCount > 0) {
            int[] next = new int[activeCount];
            int nextCount = 0;
            int[] nextTokens = new int[activeCount];
            int[] sampled = new int[activeCount];
            int[] sequences = active;
            float[] rowLogits = logits;   // (activeCount, vocab): row i is sequence active[i]
            // each sequence draws from its own generator, so sampling them in parallel stays deterministic
            Parallel.forRange(activeCount, 4, (start, end) -> {
                for (int i = start; i < end; i++) sampled[i] = sampler.sample(rowLogits, i * vocab, vocab, rngs[sequences[i]]);
            });
            for (int i = 0; i < activeCount; i++) {
                int b = active[i];
                int token = sampled[i];
                if (stops[token]) {
                    finish[b] = Finish.STOP_TOKEN;
                    stoppedBy[b] = token;
                    continue;
                }
                out.get(b).add(token);
                if (listener != null && !listener.onStep(b, token, rowLogits, i * vocab)) {
                    finish[b] = Finish.LISTENER;
                    continue;
                }
                if (out.get(b).size() >= maxNewTokens || cache.length(b) >= cache.capacity()) {
                    finish[b] = Finish.LENGTH;
                    continue;
                }
                next[nextCount] = b;
                nextTokens[nextCount++] = token;
            }
            activeCount = nextCount;
            if (activeCount == 0) break;
            active = Arrays.copyOf(next, activeCount);
            int[] rows = new int[activeCount];
            for (int i = 0; i < activeCount; i++) rows[i] = i;
            logits = decoder.forward(Arrays.copyOf(nextTokens, activeCount), active, cache, rows);
        }
        List<Completion> completions = new ArrayList<>();
        for (int b = 0; b < B; b++) {
            completions.add(new Completion(out.get(b).stream().mapToInt(Integer::intValue).toArray(), finish[b], stoppedBy[b]));
        }
        return completions;
    }
}
