package dev.cria.tokenizer;

import java.nio.file.Path;

/**
 * Turns text into token ids and back. Implementations: {@link ByteTokenizer} (one token per byte) and
 * {@link BpeTokenizer} (byte-level BPE, trainable, saved as a Hugging Face {@code tokenizer.json}).
 *
 * <p>Encoding never produces special tokens from plain text: the string {@code "<|eos|>"} inside a story
 * is encoded as ordinary bytes. Specials are added by callers through their ids ({@link #bosId()} ...).
 * {@code decodeBytes(encodeBytes(b))} equals {@code b} for any byte array, valid UTF-8 or not.
 */
public interface Tokenizer {
    int[] encode(String text);

    int[] encodeBytes(byte[] utf8);

    /**
     * Decodes to a string; invalid UTF-8 is replaced by U+FFFD. Special tokens decode to their names. The
     * one exception: a 3-byte encoded surrogate (WTF-8, which {@link #encode} uses for lone surrogates)
     * decodes to that surrogate, so {@code decode(encode(s))} equals {@code s} for every string.
     */
    String decode(int[] ids);

    byte[] decodeBytes(int[] ids);

    /** The bytes of one token; a special token gives the UTF-8 of its name. Used to stream text. */
    byte[] tokenBytes(int id);

    int vocabSize();

    SpecialTokens specials();

    default int bosId() {
        return specials().bos();
    }

    default int eosId() {
        return specials().eos();
    }

    default int padId() {
        return specials().pad();
    }

    /** Writes {@code tokenizer.json} (Hugging Face format) to the given file, atomically. */
    void save(Path tokenizerJson);
}
