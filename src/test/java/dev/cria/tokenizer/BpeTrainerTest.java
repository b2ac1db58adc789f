package dev.cria.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cria.util.Rng;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Pins the incremental trainer to a slow, obviously correct one that recounts every pair each merge. */
class BpeTrainerTest {
    private static final Pattern SPLIT = BpeTokenizer.compileSplit(BpeTokenizer.GPT4_SPLIT_PATTERN);

    /** minbpe's loop: count all pairs, merge the most frequent (smallest pair on ties) everywhere. */
    private static long[] naiveTrain(List<String> texts, int merges) {
        List<List<Integer>> words = new ArrayList<>();
        for (String text : texts) {
            Matcher m = SPLIT.matcher(text);
            while (m.find()) {
                List<Integer> ids = new ArrayList<>();
                for (byte b : Wtf8.encode(m.group())) ids.add(b & 0xFF);
                words.add(ids);
            }
        }
        List<Long> learned = new ArrayList<>();
        for (int r = 0; r < merges; r++) {
            Map<Long, Long> counts = new HashMap<>();
            for (List<Integer> w : words) {
                for (int i = 0; i + 1 < w.size(); i++) counts.merge(PairMap.key(w.get(i), w.get(i + 1)), 1L, Long::sum);
            }
            if (counts.isEmpty()) break;
            long best = -1;
            for (var e : counts.entrySet()) {
                if (best < 0 || e.getValue() > counts.get(best) || (e.getValue().equals(counts.get(best)) && e.getKey() < best)) {
                    best = e.getKey();
                }
            }
            learned.add(best);
            for (List<Integer> w : words) {
                for (int i = 0; i + 1 < w.size(); i++) {
                    if (w.get(i) == PairMap.left(best) && w.get(i + 1) == PairMap.right(best)) {
                        w.set(i, 256 + r);
                        w.remove(i + 1);
                    }
                }
            }
        }
        return learned.stream().mapToLong(Long::longValue).toArray();
    }

    @Test
    void agreesWithNaiveTrainingOnStories() {
        List<String> texts = StoryText.stories(60, 8);

        assertThat(BpeTrainer.train(texts, SPLIT, 150, null)).containsExactly(naiveTrain(texts, 150));
    }

    @Test
    void agreesWithNaiveTrainingOnRepetitiveUnicode() {
        // Few distinct characters, so overlapping pairs ("aaaa", "🙂🙂") and ties are common.
        Rng rng = new Rng(21);
        String[] pieces = {"a", "aa", "b", " ", "  ", "🙂", "é", "\n", "1", "22", ".", "猫"};
        List<String> texts = new ArrayList<>();
        for (int t = 0; t < 40; t++) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 60; i++) sb.append(pieces[rng.nextInt(pieces.length)]);
            texts.add(sb.toString());
        }

        long[] fast = BpeTrainer.train(texts, SPLIT, 120, null);

        assertThat(fast).containsExactly(naiveTrain(texts, 120));
    }
}
