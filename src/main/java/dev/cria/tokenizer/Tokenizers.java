package dev.cria.tokenizer;

import java.nio.file.Path;

/** Loads whichever tokenizer a {@code tokenizer.json} describes. Training lives on {@link BpeTokenizer}. */
public final class Tokenizers {
    private Tokenizers() {}

    /**
     * A {@link ByteTokenizer} if the file is one (256 byte tokens at ids 0..255, no merges, specials at
     * 256..262), otherwise a {@link BpeTokenizer}.
     *
     * @throws dev.cria.util.CriaException naming the file and field if it is missing, malformed, not
     *     byte-level BPE, or lacks any of the seven Cria special tokens
     */
    public static Tokenizer load(Path tokenizerJson) {
        ByteLevelBpe bpe = TokenizerJson.read(tokenizerJson);
        return ByteTokenizer.matches(bpe) ? new ByteTokenizer() : new BpeTokenizer(bpe);
    }
}
