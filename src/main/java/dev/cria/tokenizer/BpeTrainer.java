package dev.cria.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Learns byte-level BPE merges the way minbpe's {@code RegexTokenizer.train} does (split text into
 * chunks, then repeatedly merge the most frequent adjacent pair inside chunks), but fast enough for
 * megabytes of text:
 * <ol>
 *   <li>split every text once and count each distinct chunk ("words"), so " the" seen 80,000 times is
 *       one word of weight 80,000;</li>
 *   <li>count pairs once over the distinct words, and keep an index from each pair to the words that
 *       contain it;</li>
 *   <li>for each merge, touch only the words in the chosen pair's index and update the pair counts by the
 *       difference those words make; a max-heap with stale entries skipped finds the next pair.</li>
 * </ol>
 * Ties in count go to the smallest pair (left id, then right id), so training is reproducible and does
 * not depend on hash or input order. Wikipedia's {@code aaabdaaabac} gives aa, then ab, then aa+ab.
 *
 * <p>It produces merges only; it does not encode. Not thread-safe, and not meant to be: one call, one
 * thread.
 */
final class BpeTrainer {
    private final int[][] symbols; // symbols[w]: the current token ids of distinct chunk w
    private final int[] lengths; // lengths[w]: how many of symbols[w] are in use
    private final long[] weights; // weights[w]: how often chunk w occurs in the texts
    private final Map<Long, Long> pairCounts = new HashMap<>();
    private final Map<Long, IntList> wordsWithPair = new HashMap<>();
    private final PriorityQueue<Candidate> heap = new PriorityQueue<>();

    /** A pair and its count when pushed; stale once the count changes (a newer entry then exists). */
    private record Candidate(long count, long pair) implements Comparable<Candidate> {
        @Override
        public int compareTo(Candidate o) {
            if (count != o.count) return Long.compare(o.count, count); // larger count first
            return Long.compare(pair, o.pair); // then smaller (left, right)
        }
    }

    private BpeTrainer(Map<String, long[]> chunkCounts) {
        List<int[]> words = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        for (var e : chunkCounts.entrySet()) {
            byte[] bytes = Wtf8.encode(e.getKey());
            if (bytes.length < 2) continue; // no pairs: nothing to learn from
            int[] ids = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) ids[i] = bytes[i] & 0xFF;
            words.add(ids);
            counts.add(e.getValue()[0]);
        }
        symbols = words.toArray(new int[0][]);
        lengths = new int[symbols.length];
        weights = new long[symbols.length];
        for (int w = 0; w < symbols.length; w++) {
            lengths[w] = symbols[w].length;
            weights[w] = counts.get(w);
        }
    }

    /**
     * Learns up to {@code merges} merges over ids 0..255 (the bytes); merge r creates id 256 + r. Returns
     * the merged pairs as {@link PairMap#key}s, fewer than asked if the texts run out of pairs.
     */
    static long[] train(Iterable<String> texts, Pattern split, int merges, BpeTokenizer.Progress progress) {
        BpeTrainer trainer = new BpeTrainer(countChunks(texts, split));
        return trainer.run(merges, progress);
    }

    private static Map<String, long[]> countChunks(Iterable<String> texts, Pattern split) {
        Map<String, long[]> counts = new HashMap<>();
        for (String text : texts) {
            Matcher m = split.matcher(text);
            while (m.find()) counts.computeIfAbsent(m.group(), k -> new long[1])[0]++;
        }
        return counts;
    }

    private long[] run(int merges, BpeTokenizer.Progress progress) {
        for (int w = 0; w < symbols.length; w++) {
            for (int i = 0; i + 1 < lengths[w]; i++) {
                long pair = PairMap.key(symbols[w][i], symbols[w][i + 1]);
                pairCounts.merge(pair, weights[w], Long::sum);
                index(pair, w);
            }
        }
        pairCounts.forEach((pair, count) -> heap.add(new Candidate(count, pair)));

        long[] learned = new long[merges];
        for (int r = 0; r < merges; r++) {
            Candidate best = pollBest();
            if (best == null) return Arrays.copyOf(learned, r);
            learned[r] = best.pair;
            merge(best.pair, 256 + r);
            if (progress != null) progress.onMerge(r + 1, merges);
        }
        return learned;
    }

    private Candidate pollBest() {
        while (!heap.isEmpty()) {
            Candidate top = heap.poll();
            Long current = pairCounts.get(top.pair);
            if (current != null && current == top.count) return top;
        }
        return null;
    }

    /** Replaces the pair by {@code newId} in every word that has it, updating counts and the index. */
    private void merge(long pair, int newId) {
        int a = PairMap.left(pair);
        int b = PairMap.right(pair);
        Map<Long, Long> delta = new HashMap<>();
        IntList candidates = wordsWithPair.remove(pair);
        for (int k = 0; k < candidates.size(); k++) {
            int w = candidates.get(k);
            int[] s = symbols[w];
            int n = lengths[w];
            if (!contains(s, n, a, b)) continue; // stale: an earlier merge took one side of the pair
            long weight = weights[w];
            // subtle: subtracting all of the word's pairs and adding back the new ones keeps overlapping
            // cases right ("aaa" has (a,a) twice but merges once) without special-casing them.
            for (int i = 0; i + 1 < n; i++) delta.merge(PairMap.key(s[i], s[i + 1]), -weight, Long::sum);
            int j = 0;
            for (int i = 0; i < n; ) {
                if (i + 1 < n && s[i] == a && s[i + 1] == b) {
                    s[j++] = newId;
                    i += 2;
                } else {
                    s[j++] = s[i++];
                }
            }
            lengths[w] = j;
            for (int i = 0; i + 1 < j; i++) {
                long p = PairMap.key(s[i], s[i + 1]);
                delta.merge(p, weight, Long::sum);
                // Only pairs with the new id are new to this word; the index already has the others.
                if (s[i] == newId || s[i + 1] == newId) index(p, w);
            }
        }
        delta.forEach((p, d) -> {
            if (d == 0) return;
            long count = pairCounts.getOrDefault(p, 0L) + d;
            if (count > 0) {
                pairCounts.put(p, count);
                heap.add(new Candidate(count, p));
            } else {
                // A pair that disappears never comes back: new adjacencies always involve the newest id.
                pairCounts.remove(p);
                wordsWithPair.remove(p);
            }
        });
    }

    private void index(long pair, int w) {
        IntList words = wordsWithPair.computeIfAbsent(pair, k -> new IntList(4));
        if (words.isEmpty() || words.last() != w) words.add(w); // a word's pairs are indexed together
    }

    private static boolean contains(int[] s, int n, int a, int b) {
        for (int i = 0; i + 1 < n; i++) {
            if (s[i] == a && s[i + 1] == b) return true;
        }
        return false;
    }
}
