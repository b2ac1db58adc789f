package dev.cria.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code model} of a Hugging Face BPE {@code tokenizer.json}, on token strings rather than bytes: a
 * word (one pre-tokenizer output, already in the vocabulary's spelling) starts as one symbol per code
 * point, then merges apply, lowest rank first. A code point missing from the vocabulary becomes its UTF-8
 * bytes as {@code <0xNN>} tokens when {@code byte_fallback} is on, else the unknown token (runs of them
 * fused into one when {@code fuse_unk}), else it is dropped, as {@code tokenizers} does.
 *
 * <p>{@code ignore_merges} (Llama 3): a word that is itself in the vocabulary is that one token.
 * Not supported: dropout, {@code continuing_subword_prefix} and {@code end_of_word_suffix} (WordPiece-style
 * BPE); the loader rejects them.
 *
 * <p>Immutable apart from its word cache, which is a concurrent map; thread-safe.
 */
final class BpeModel {
    // Most words repeat, so most hit the cache; clearing it when full bounds memory without an LRU. Long
    // words (a whole SentencePiece line is one word) are not kept.
    private static final int CACHE_ENTRIES = 1 << 16;
    private static final int CACHE_MAX_WORD_CHARS = 48;
    /** Longer words merge with a priority queue; the quadratic loop is faster below this. */
    private static final int QUEUE_MIN_SYMBOLS = 64;

    private final Map<String, Integer> vocab;
    private final PairMap ranks;
    private final int[] results;
    private final int unk;
    private final boolean fuseUnk;
    private final int[] byteIds;
    private final boolean ignoreMerges;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();
    private final int[] firstRanks; // by id: the rank of the first merge that makes it, or -1

    /**
     * @param vocab   token string to id
     * @param ranks   (left id, right id) to merge rank
     * @param results by rank: the id the merge makes
     * @param unk     the unknown token's id, or -1
     * @param byteIds by byte value: the id of {@code <0xNN>}, or -1; all -1 without byte fallback
     */
    BpeModel(Map<String, Integer> vocab, PairMap ranks, int[] results, int unk, boolean fuseUnk, int[] byteIds,
             boolean ignoreMerges) {
        this.vocab = vocab;
        this.ranks = ranks;
        this.results = results;
        this.unk = unk;
        this.fuseUnk = fuseUnk;
        this.byteIds = byteIds;
        this.ignoreMerges = ignoreMerges;
        int maxId = -1;
        for (int id : results) maxId = Math.max(maxId, id);
        this.firstRanks = new int[maxId + 1];
        Arrays.fill(firstRanks, -1);
        for (int rank = results.length - 1; rank >= 0; rank--) firstRanks[results[rank]] = rank;
    }

    /** See {@link Tokenizer#mergeRank}. */
    int mergeRank(int id) {
        return id >= 0 && id < firstRanks.length ? firstRanks[id] : -1;
    }

    void encodeWord(String word, IntList out) {
        if (word.length() > CACHE_MAX_WORD_CHARS) {
            out.addAll(encodeUncached(word));
            return;
        }
        int[] cached = cache.get(word);
        if (cached == null) {
            cached = encodeUncached(word);
            if (cache.size() >= CACHE_ENTRIES) cache.clear();
            cache.put(word, cached);
        }
        out.addAll(cached);
    }

    private int[] encodeUncached(String word) {
        if (ignoreMerges) {
            Integer whole = vocab.get(word);
            if (whole != null) return new int[] {whole};
        }
        IntList symbols = new IntList(word.length());
        boolean previousUnk = false;
        for (int i = 0; i < word.length(); ) {
            int cp = word.codePointAt(i);
            String ch = word.substring(i, i + Character.charCount(cp));
            i += ch.length();
            Integer id = vocab.get(ch);
            if (id != null) {
                symbols.add(id);
                previousUnk = false;
            } else if (hasAllBytes(ch)) {
                for (byte b : ch.getBytes(StandardCharsets.UTF_8)) symbols.add(byteIds[b & 0xFF]);
                previousUnk = false;
            } else if (unk >= 0) {
                if (!(fuseUnk && previousUnk)) symbols.add(unk);
                previousUnk = true;
            }
        }
        int[] ids = symbols.toArray();
        return ids.length < QUEUE_MIN_SYMBOLS ? merge(ids) : mergeWithQueue(ids);
    }

    private boolean hasAllBytes(String ch) {
        for (byte b : ch.getBytes(StandardCharsets.UTF_8)) {
            if (byteIds[b & 0xFF] < 0) return false;
        }
        return true;
    }

    /**
     * Merges every occurrence of the lowest-rank pair, left to right, until no adjacent pair has a rank.
     * O(n²); the reference that {@link #mergeWithQueue} is tested against.
     */
    int[] merge(int[] ids) {
        int n = ids.length;
        while (n >= 2) {
            int best = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < n; i++) {
                int rank = ranks.get(ids[i], ids[i + 1]);
                if (rank >= 0 && rank < best) best = rank;
            }
            if (best == Integer.MAX_VALUE) break;
            int j = 0;
            for (int i = 0; i < n; ) {
                if (i + 1 < n && ranks.get(ids[i], ids[i + 1]) == best) {
                    ids[j++] = results[best];
                    i += 2;
                } else {
                    ids[j++] = ids[i++];
                }
            }
            n = j;
        }
        return n == ids.length ? ids : Arrays.copyOf(ids, n);
    }

    /**
     * The same merges in O(n log n), as {@code tokenizers} does it: a queue of adjacent pairs ordered by
     * (rank, position), symbols in a linked list; a popped pair whose symbols changed since it was queued
     * is skipped. Subtle: the same as {@link #merge} because a pair made by merge r has a rank above r in
     * any trained vocabulary, so all of rank r still merge left to right first.
     */
    int[] mergeWithQueue(int[] ids) {
        int n = ids.length;
        if (n == 0) return ids;
        int[] id = ids.clone();
        int[] next = new int[n];
        int[] prev = new int[n];
        for (int i = 0; i < n; i++) {
            next[i] = i + 1 < n ? i + 1 : -1;
            prev[i] = i - 1;
        }
        PriorityQueue<Long> queue = new PriorityQueue<>();
        for (int i = 0; i + 1 < n; i++) offer(queue, id, i, i + 1);
        while (!queue.isEmpty()) {
            long entry = queue.poll();
            int rank = (int) (entry >>> 32);
            int left = (int) entry;
            int right = next[left];
            if (id[left] < 0 || right < 0 || ranks.get(id[left], id[right]) != rank) continue;
            id[left] = results[rank];
            id[right] = -1; // removed
            next[left] = next[right];
            if (next[right] >= 0) prev[next[right]] = left;
            if (prev[left] >= 0) offer(queue, id, prev[left], left);
            if (next[left] >= 0) offer(queue, id, left, next[left]);
        }
        IntList out = new IntList(n);
        for (int i = 0; i >= 0; i = next[i]) out.add(id[i]);
        return out.toArray();
    }

    private void offer(PriorityQueue<Long> queue, int[] id, int left, int right) {
        int rank = ranks.get(id[left], id[right]);
        if (rank >= 0) queue.add(((long) rank << 32) | left);
    }
}
