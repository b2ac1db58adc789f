package dev.cria.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything a byte-level BPE tokenizer is: what {@code tokenizer.json} stores and what training produces.
 * It is plain data, checked by whoever builds it ({@link TokenizerJson} checks files; training is correct
 * by construction); encoding lives in {@link BpeTokenizer}.
 *
 * @param tokens       the bytes of every token, indexed by id (ids are dense); a special's bytes are the
 *                     UTF-8 of its name
 * @param merges       in rank order: the pair (left, right) of ids becomes result
 * @param specials     ids of the special tokens
 * @param splitPattern the regex that pre-splits text into chunks no token crosses
 */
record ByteLevelBpe(byte[][] tokens, List<Merge> merges, SpecialTokens specials, String splitPattern) {

    record Merge(int left, int right, int result) {}

    /**
     * Our own layout: ids 0..255 are the bytes, merge r makes id 256 + r, and the specials follow.
     * {@code pairs[r]} is the merged pair as {@link PairMap#key}.
     */
    static ByteLevelBpe ofByteMerges(long[] pairs, String splitPattern) {
        int specialsStart = 256 + pairs.length;
        byte[][] tokens = new byte[specialsStart + SpecialTokens.NAMES.length][];
        for (int b = 0; b < 256; b++) tokens[b] = new byte[] {(byte) b};
        List<Merge> merges = new ArrayList<>(pairs.length);
        for (int r = 0; r < pairs.length; r++) {
            int left = PairMap.left(pairs[r]);
            int right = PairMap.right(pairs[r]);
            tokens[256 + r] = concat(tokens[left], tokens[right]);
            merges.add(new Merge(left, right, 256 + r));
        }
        for (int s = 0; s < SpecialTokens.NAMES.length; s++) {
            tokens[specialsStart + s] = SpecialTokens.NAMES[s].getBytes(StandardCharsets.UTF_8);
        }
        return new ByteLevelBpe(tokens, List.copyOf(merges), SpecialTokens.startingAt(specialsStart), splitPattern);
    }

    boolean isSpecial(int id) {
        for (int s : specials.ids()) {
            if (s == id) return true;
        }
        return false;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
