package dev.cria.tokenizer;

/**
 * Ids of the special tokens every Cria tokenizer has. The pad id is never the eos id: a model trained
 * with pad == eos and the pad positions masked never learns to stop. Another model's tokenizer
 * ({@link HfTokenizer}) has -1 for each it lacks: the chat markers always, bos/eos/pad unless its
 * {@code tokenizer_config.json} names them.
 *
 * <p>Names: {@code <|bos|> <|eos|> <|pad|> <|system|> <|user|> <|assistant|> <|end|>}; the last four
 * frame chat turns in later stages.
 */
public record SpecialTokens(int bos, int eos, int pad, int system, int user, int assistant, int end) {
    public static final String BOS = "<|bos|>";
    public static final String EOS = "<|eos|>";
    public static final String PAD = "<|pad|>";
    public static final String SYSTEM = "<|system|>";
    public static final String USER = "<|user|>";
    public static final String ASSISTANT = "<|assistant|>";
    public static final String END = "<|end|>";

    /** Names in id order, as they follow the ordinary tokens. */
    public static final String[] NAMES = {BOS, EOS, PAD, SYSTEM, USER, ASSISTANT, END};

    /** Specials placed consecutively from {@code firstId}, in the order of {@link #NAMES}. */
    public static SpecialTokens startingAt(int firstId) {
        return new SpecialTokens(firstId, firstId + 1, firstId + 2, firstId + 3, firstId + 4, firstId + 5, firstId + 6);
    }

    public int[] ids() {
        return new int[] {bos, eos, pad, system, user, assistant, end};
    }
}
