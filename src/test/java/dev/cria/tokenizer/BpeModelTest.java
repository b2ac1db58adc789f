package dev.cria.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The queue-based merge (long words) gives the naive loop's ids, and a long SentencePiece-style line is fast. */
class BpeModelTest {
    private static BpeModel modelOf(BpeTokenizer trained) {
        ByteLevelBpe bpe = trained.bpe();
        Map<String, Integer> vocab = new HashMap<>();
        for (int id = 0; id < bpe.tokens().length; id++) {
            if (!bpe.isSpecial(id)) vocab.put(ByteLevelAlphabet.toToken(bpe.tokens()[id]), id);
        }
        List<ByteLevelBpe.Merge> merges = bpe.merges();
        PairMap ranks = new PairMap(merges.size());
        int[] results = new int[merges.size()];
        for (int r = 0; r < merges.size(); r++) {
            ranks.putIfAbsent(merges.get(r).left(), merges.get(r).right(), r);
            results[r] = merges.get(r).result();
        }
        int[] noBytes = new int[256];
        Arrays.fill(noBytes, -1);
        return new BpeModel(vocab, ranks, results, -1, false, noBytes, false);
    }

    @Test
    void queueMergeEqualsTheNaiveLoop() {
        BpeTokenizer trained = BpeTokenizer.train(StoryText.stories(300, 3), 500);
        BpeModel model = modelOf(trained);
        Random rng = new Random(7);
        String text = String.join(" ", StoryText.stories(50, 9));
        for (int trial = 0; trial < 200; trial++) {
            int from = rng.nextInt(text.length() - 400);
            byte[] bytes = text.substring(from, from + 1 + rng.nextInt(399)).getBytes();
            int[] ids = new int[bytes.length];
            for (int i = 0; i < ids.length; i++) ids[i] = bytes[i] & 0xFF; // ids 0..255 are the bytes
            assertThat(model.mergeWithQueue(ids.clone())).containsExactly(model.merge(ids.clone()));
        }
    }

    @Test
    void aLongWordEncodesQuickly() {
        BpeTokenizer trained = BpeTokenizer.train(StoryText.stories(300, 3), 500);
        BpeModel model = modelOf(trained);
        // no spaces: one word of 200,000 characters, as a SentencePiece line without a pre-tokenizer is
        String word = "thecatsatonthemat".repeat(12_000);

        long start = System.nanoTime();
        IntList out = new IntList(16);
        model.encodeWord(ByteLevelAlphabet.toToken(word.getBytes()), out);
        double seconds = (System.nanoTime() - start) / 1e9;

        assertThat(trained.decode(out.toArray())).isEqualTo(word);
        assertThat(seconds).as("seconds for a 200k-character word").isLessThan(5);
    }
}
