package dev.cria.tokenizer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * One token per byte: ids 0..255 are the UTF-8 bytes (WTF-8 for lone surrogates, see {@link Wtf8}), and
 * ids 256..262 are the specials in {@link SpecialTokens#NAMES} order; vocab 263. The baseline that needs
 * no training, and the tokenizer of tests and the smallest models.
 *
 * <p>Saved as a byte-level BPE {@code tokenizer.json} with no merges, which {@link Tokenizers#load}
 * reads back as a {@code ByteTokenizer}.
 */
public final class ByteTokenizer implements Tokenizer {
    private static final SpecialTokens SPECIALS = SpecialTokens.startingAt(256);
    private static final int VOCAB_SIZE = 256 + SpecialTokens.NAMES.length;

    @Override
    public int[] encode(String text) {
        return encodeBytes(Wtf8.encode(text));
    }

    @Override
    public int[] encodeBytes(byte[] utf8) {
        int[] ids = new int[utf8.length];
        for (int i = 0; i < utf8.length; i++) ids[i] = utf8[i] & 0xFF;
        return ids;
    }

    @Override
    public String decode(int[] ids) {
        return Wtf8.decode(decodeBytes(ids));
    }

    @Override
    public byte[] decodeBytes(int[] ids) {
        int length = 0;
        for (int id : ids) length += id >= 0 && id < 256 ? 1 : specialName(id).length;
        byte[] out = new byte[length];
        int at = 0;
        for (int id : ids) {
            if (id < 256) {
                out[at++] = (byte) id;
            } else {
                byte[] name = specialName(id);
                System.arraycopy(name, 0, out, at, name.length);
                at += name.length;
            }
        }
        return out;
    }

    @Override
    public byte[] tokenBytes(int id) {
        return id >= 0 && id < 256 ? new byte[] {(byte) id} : specialName(id);
    }

    /** The name of special {@code id}; throws for any id that is neither a byte nor a special. */
    private static byte[] specialName(int id) {
        if (id < 256 || id >= VOCAB_SIZE) {
            throw new IllegalArgumentException("token id out of range [0, " + VOCAB_SIZE + "): " + id);
        }
        return SpecialTokens.NAMES[id - 256].getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public int vocabSize() {
        return VOCAB_SIZE;
    }

    @Override
    public SpecialTokens specials() {
        return SPECIALS;
    }

    @Override
    public void save(Path tokenizerJson) {
        TokenizerJson.write(asBpe(), tokenizerJson);
    }

    /** This tokenizer as byte-level BPE data with no merges; {@link Tokenizers#load} recognizes it. */
    static ByteLevelBpe asBpe() {
        return ByteLevelBpe.ofByteMerges(new long[0], BpeTokenizer.SPLIT_PATTERN);
    }

    /** Whether loaded BPE data is exactly what {@link #asBpe()} gives, up to the split regex. */
    static boolean matches(ByteLevelBpe bpe) {
        byte[][] tokens = bpe.tokens();
        if (tokens.length != VOCAB_SIZE || !bpe.merges().isEmpty() || !bpe.specials().equals(SPECIALS)) {
            return false;
        }
        for (int b = 0; b < 256; b++) {
            if (tokens[b].length != 1 || (tokens[b][0] & 0xFF) != b) return false;
        }
        return true;
    }
}
