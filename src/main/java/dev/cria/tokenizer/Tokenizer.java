package dev.cria.tokenizer;

import dev.cria.util.CriaException;
import java.nio.file.Path;

/**
 * Turns text into token ids and back. Implementations: {@link ByteTokenizer} (one token per byte),
 * {@link BpeTokenizer} (byte-level BPE, trainable, saved as a Hugging Face {@code tokenizer.json}) and
 * {@link HfTokenizer} (another model's {@code tokenizer.json}; its specials may be -1).
 *
 * <p>Encoding never produces special tokens from plain text: the string {@code "<|eos|>"} inside a story
 * is encoded as ordinary bytes. Specials are added by callers through their ids ({@link #bosId()} ...).
 * {@code decodeBytes(encodeBytes(b))} equals {@code b} for any byte array, valid UTF-8 or not.
 */
public interface Tokenizer {
    int[] encode(String text);

    int[] encodeBytes(byte[] utf8);

    /**
     * Encodes as Hugging Face {@code tokenizers} does by default: special added tokens written in the text
     * become their ids, and with {@code addSpecialTokens} the file's post-processor adds its tokens (Llama
     * 2's {@code <s>}). Cria's own tokenizers match no specials in text and have no post-processor: for
     * them this is {@link #encode} with bos in front when asked.
     */
    default int[] encodeAllowingSpecials(String text, boolean addSpecialTokens) {
        int[] ids = encode(text);
        if (!addSpecialTokens) return ids;
        int[] withBos = new int[ids.length + 1];
        withBos[0] = bosId();
        System.arraycopy(ids, 0, withBos, 1, ids.length);
        return withBos;
    }

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

    /**
     * The rank of the first BPE merge that makes token {@code id} (rank 0 applies first), or -1 for a
     * token no merge makes (a byte, a special, a sentencepiece base character). For formats that order
     * merges by a score per token instead of a merge list (llama2.c's tokenizer.bin).
     */
    default int mergeRank(int id) {
        return -1;
    }

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

    /**
     * A text's ids as a model continues them: bos in front, or the ids alone for a tokenizer without bos
     * (Qwen's), as transformers encodes a prompt for it.
     */
    default int[] startingWithBos(int[] ids) {
        if (bosId() < 0) return ids;
        int[] withBos = new int[ids.length + 1];
        withBos[0] = bosId();
        System.arraycopy(ids, 0, withBos, 1, ids.length);
        return withBos;
    }

    /**
     * bos for a caller that writes it into a sequence; another model's tokenizer without one (Qwen names
     * no bos_token) fails here, with {@code use} in the message, instead of emitting -1.
     */
    default int requireBos(String use) {
        return required(bosId(), "bos", use);
    }

    /** As {@link #requireBos}, for eos. */
    default int requireEos(String use) {
        return required(eosId(), "eos", use);
    }

    private static int required(int id, String name, String use) {
        if (id < 0) {
            throw new CriaException("the tokenizer has no " + name + " token (its tokenizer_config.json names no " + name
                    + "_token); " + use + " needs one");
        }
        return id;
    }

    /** Writes {@code tokenizer.json} (Hugging Face format) to the given file, atomically. */
    void save(Path tokenizerJson);
}
