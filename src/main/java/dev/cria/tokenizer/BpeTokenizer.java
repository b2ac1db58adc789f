package dev.cria.tokenizer;

import dev.cria.util.CriaException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte-level BPE in the style of minbpe's {@code RegexTokenizer} and GPT-4: text is split by a regex into
 * chunks (words with their leading space, number groups, punctuation runs, whitespace), each chunk's
 * UTF-8 bytes start as one token per byte, and merges apply inside a chunk, lowest rank first.
 *
 * <p>Ids of a trained tokenizer: 0..255 are the bytes, then the merges in training order, then the seven
 * specials. A loaded {@code tokenizer.json} may number its tokens differently (GPT-2 does); ids then come
 * from the file. Plain text never encodes to a special id.
 *
 * <p>Strings with lone surrogates encode their WTF-8 bytes (see {@link Wtf8}) and decode back to the same
 * string. Byte arrays that are not UTF-8 are split into valid runs, which are encoded as text, and
 * invalid bytes, each a chunk of its own, so {@code decodeBytes(encodeBytes(b))} is {@code b}.
 *
 * <p>Immutable and thread-safe; the chunk cache is a concurrent map. Unlike Hugging Face
 * {@code tokenizers}, special-token names inside text are not matched.
 */
public final class BpeTokenizer implements Tokenizer {
    /** GPT-4's ({@code cl100k_base}) pre-split regex, as in minbpe; Cria wrote it into its files until it wrote {@link #SPLIT_PATTERN}. */
    public static final String GPT4_SPLIT_PATTERN =
            "'(?i:[sdmt]|ll|ve|re)|[^\\r\\n\\p{L}\\p{N}]?+\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]++[\\r\\n]*|\\s*[\\r\\n]|\\s+(?!\\S)|\\s+";

    /** Java's Unicode {@code \s} (White_Space) spelled out: JavaScript's {@code \s} lacks U+0085 and adds U+FEFF. */
    private static final String SPACE = "\\t\\n\\u000B\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000";

    /**
     * {@link #GPT4_SPLIT_PATTERN} spelled so JavaScript (transformers.js) compiles it too, with the same
     * matches in Java (SplitPatternTest checks every code point): no possessive quantifiers (here they never
     * change a match: what they keep could not start the next part anyway), the case-insensitive group as
     * classes (with 'ſ', which Java's Unicode case folding matches to 's'), and {@code \s} as {@link #SPACE}.
     * What Cria trains with and writes.
     */
    public static final String SPLIT_PATTERN = "'(?:[sdmtSDMT\u017F]|[lL][lL]|[vV][eE]|[rR][eE])"
            + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^" + SPACE + "\\p{L}\\p{N}]+[\\r\\n]*"
            + "|[" + SPACE + "]*[\\r\\n]|[" + SPACE + "]+(?![^" + SPACE + "])|[" + SPACE + "]+";

    // Stories reuse a few thousand words, so most chunks hit the cache; clearing it when full bounds memory
    // without the bookkeeping of an LRU.
    private static final int CACHE_ENTRIES = 1 << 16;
    private static final int CACHE_MAX_CHUNK_CHARS = 48;

    /** Called after each merge during training; the last call has done < total if the text ran out of pairs. */
    @FunctionalInterface
    public interface Progress {
        void onMerge(int done, int total);
    }

    private final ByteLevelBpe model;
    private final Pattern split;
    private final int[] byteToId = new int[256];
    private final PairMap ranks;
    private final int[] firstRanks; // by id: the rank of the first merge that makes it, or -1
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    BpeTokenizer(ByteLevelBpe model) {
        this.model = model;
        this.split = compileSplit(model.splitPattern());
        byte[][] tokens = model.tokens();
        for (int id = 0; id < tokens.length; id++) {
            if (tokens[id].length == 1 && !model.isSpecial(id)) byteToId[tokens[id][0] & 0xFF] = id;
        }
        List<ByteLevelBpe.Merge> merges = model.merges();
        ranks = new PairMap(merges.size());
        for (int r = 0; r < merges.size(); r++) ranks.putIfAbsent(merges.get(r).left(), merges.get(r).right(), r);
        firstRanks = new int[tokens.length];
        Arrays.fill(firstRanks, -1);
        for (int r = merges.size() - 1; r >= 0; r--) firstRanks[merges.get(r).result()] = r;
    }

    /** Trains on the texts; see {@link #train(Iterable, int, Progress)}. */
    public static BpeTokenizer train(Iterable<String> texts, int vocabSize) {
        return train(texts, vocabSize, null);
    }

    /**
     * Learns {@code vocabSize - 256 - 7} merges from the texts (each text is split on its own; no chunk
     * spans two texts). The vocabulary comes out smaller only if the texts run out of pairs to merge.
     *
     * @param vocabSize all ids: 256 bytes + merges + 7 specials; 512 gives 249 merges
     * @param progress  told after each merge, or null
     */
    public static BpeTokenizer train(Iterable<String> texts, int vocabSize, Progress progress) {
        int minimum = 256 + SpecialTokens.NAMES.length;
        if (vocabSize < minimum) {
            throw new CriaException("vocab size must be at least " + minimum + " (256 bytes + "
                    + SpecialTokens.NAMES.length + " special tokens): " + vocabSize);
        }
        long[] pairs = BpeTrainer.train(texts, compileSplit(SPLIT_PATTERN), vocabSize - minimum, progress);
        return new BpeTokenizer(ByteLevelBpe.ofByteMerges(pairs, SPLIT_PATTERN));
    }

    static Pattern compileSplit(String regex) {
        // Unicode \s and \S, as in Python's regex module and Hugging Face's Oniguruma; Java's default \s
        // is ASCII-only and would glue U+3000 or NBSP onto words.
        return Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
    }

    /** Everything this tokenizer is, as saved to {@code tokenizer.json}. */
    ByteLevelBpe bpe() {
        return model;
    }

    public int mergeCount() {
        return model.merges().size();
    }

    @Override
    public int[] encode(String text) {
        IntList out = new IntList(text.length() / 3 + 4);
        encodeText(text, out);
        return out.toArray();
    }

    @Override
    public int[] encodeBytes(byte[] utf8) {
        IntList out = new IntList(utf8.length / 3 + 4);
        int i = 0;
        while (i < utf8.length) {
            int run = Wtf8.validRunLength(utf8, i);
            if (run > 0) {
                encodeText(new String(utf8, i, run, StandardCharsets.UTF_8), out);
                i += run;
            } else {
                out.add(byteToId[utf8[i] & 0xFF]); // an invalid byte is a chunk of its own
                i++;
            }
        }
        return out.toArray();
    }

    private void encodeText(String text, IntList out) {
        Matcher m = split.matcher(text);
        while (m.find()) out.addAll(encodeChunk(m.group()));
    }

    private int[] encodeChunk(String chunk) {
        boolean cacheable = chunk.length() <= CACHE_MAX_CHUNK_CHARS;
        if (cacheable) {
            int[] cached = cache.get(chunk);
            if (cached != null) return cached;
        }
        int[] ids = applyMerges(Wtf8.encode(chunk));
        if (cacheable) {
            if (cache.size() >= CACHE_ENTRIES) cache.clear();
            cache.put(chunk, ids);
        }
        return ids;
    }

    /** minbpe's encode loop: merge every occurrence of the lowest-rank pair until no pair has a rank. */
    private int[] applyMerges(byte[] bytes) {
        int[] ids = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) ids[i] = byteToId[bytes[i] & 0xFF];
        int n = ids.length;
        List<ByteLevelBpe.Merge> merges = model.merges();
        while (n >= 2) {
            int best = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < n; i++) {
                int rank = ranks.get(ids[i], ids[i + 1]);
                if (rank >= 0 && rank < best) best = rank;
            }
            if (best == Integer.MAX_VALUE) break;
            ByteLevelBpe.Merge merge = merges.get(best);
            int j = 0;
            for (int i = 0; i < n; ) {
                if (i + 1 < n && ids[i] == merge.left() && ids[i + 1] == merge.right()) {
                    ids[j++] = merge.result();
                    i += 2;
                } else {
                    ids[j++] = ids[i++];
                }
            }
            n = j;
        }
        return n == ids.length ? ids : Arrays.copyOf(ids, n);
    }

    @Override
    public String decode(int[] ids) {
        return Wtf8.decode(decodeBytes(ids));
    }

    @Override
    public byte[] decodeBytes(int[] ids) {
        byte[][] tokens = model.tokens();
        int length = 0;
        for (int id : ids) length += token(id).length;
        byte[] out = new byte[length];
        int at = 0;
        for (int id : ids) {
            System.arraycopy(tokens[id], 0, out, at, tokens[id].length);
            at += tokens[id].length;
        }
        return out;
    }

    @Override
    public byte[] tokenBytes(int id) {
        return token(id).clone();
    }

    private byte[] token(int id) {
        byte[][] tokens = model.tokens();
        if (id < 0 || id >= tokens.length) {
            throw new IllegalArgumentException("token id out of range [0, " + tokens.length + "): " + id);
        }
        return tokens[id];
    }

    @Override
    public int mergeRank(int id) {
        return id >= 0 && id < firstRanks.length ? firstRanks[id] : -1;
    }

    @Override
    public int vocabSize() {
        return model.tokens().length;
    }

    @Override
    public SpecialTokens specials() {
        return model.specials();
    }

    @Override
    public void save(Path tokenizerJson) {
        TokenizerJson.write(model, tokenizerJson);
    }
}
