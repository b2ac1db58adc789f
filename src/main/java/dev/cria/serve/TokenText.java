package dev.cria.serve;

import dev.cria.tokenizer.Tokenizer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Turns streamed tokens into text pieces. A byte-level token can end inside a UTF-8 character, so bytes
 * are held until they complete one; special tokens are not text and are dropped.
 */
final class TokenText {
    private final Tokenizer tokenizer;
    private final int[] specials;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    TokenText(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
        this.specials = tokenizer.specials().ids();
    }

    /** The text this token completes, possibly empty. */
    String accept(int token) {
        for (int s : specials) if (s == token) return "";
        pending.writeBytes(tokenizer.tokenBytes(token));
        byte[] bytes = pending.toByteArray();
        int complete = completePrefix(bytes);
        pending.reset();
        pending.write(bytes, complete, bytes.length - complete);
        return new String(bytes, 0, complete, StandardCharsets.UTF_8);
    }

    /** Whatever is held back (an incomplete character shows as U+FFFD). */
    String finish() {
        String rest = pending.toString(StandardCharsets.UTF_8);
        pending.reset();
        return rest;
    }

    /** Length of the longest prefix that does not end inside a multi-byte character. */
    private static int completePrefix(byte[] b) {
        int n = b.length;
        for (int back = 1; back <= Math.min(3, n); back++) {
            int lead = b[n - back] & 0xFF;
            if ((lead & 0xC0) == 0x80) continue;
            int need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
            return need > back ? n - back : n;
        }
        return n;
    }
}
