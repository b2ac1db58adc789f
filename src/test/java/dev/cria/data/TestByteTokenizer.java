package dev.cria.data;

import dev.cria.tokenizer.SpecialTokens;
import dev.cria.tokenizer.Tokenizer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Test-only tokenizer: one token per UTF-8 byte (ids 0..255), specials from 256. Just enough of the
 * {@link Tokenizer} contract for the data tests; the real ones live in dev.cria.tokenizer.
 */
final class TestByteTokenizer implements Tokenizer {
    private static final SpecialTokens SPECIALS = SpecialTokens.startingAt(256);

    @Override
    public int[] encode(String text) {
        return encodeBytes(text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public int[] encodeBytes(byte[] utf8) {
        int[] ids = new int[utf8.length];
        for (int i = 0; i < utf8.length; i++) ids[i] = utf8[i] & 0xff;
        return ids;
    }

    @Override
    public String decode(int[] ids) {
        return new String(decodeBytes(ids), StandardCharsets.UTF_8);
    }

    @Override
    public byte[] decodeBytes(int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int id : ids) out.writeBytes(tokenBytes(id));
        return out.toByteArray();
    }

    @Override
    public byte[] tokenBytes(int id) {
        if (id < 256) return new byte[] {(byte) id};
        return SpecialTokens.NAMES[id - 256].getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public int vocabSize() {
        return 256 + SpecialTokens.NAMES.length;
    }

    @Override
    public SpecialTokens specials() {
        return SPECIALS;
    }

    @Override
    public void save(Path tokenizerJson) {
        throw new UnsupportedOperationException("test tokenizer is not saved");
    }
}
