package dev.cria.generate;

import dev.cria.tokenizer.Tokenizer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Prints tokens as they are generated. A byte-level token can end in the middle of a UTF-8 character,
 * so bytes are held back until they form complete characters.
 */
public final class TextStream {
    private final Tokenizer tokenizer;
    private final PrintStream out;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    public TextStream(Tokenizer tokenizer, PrintStream out) {
        this.tokenizer = tokenizer;
        this.out = out;
    }

    public void accept(int token) {
        pending.writeBytes(tokenizer.tokenBytes(token));
        byte[] bytes = pending.toByteArray();
        int complete = completePrefix(bytes);
        if (complete > 0) {
            out.print(new String(bytes, 0, complete, StandardCharsets.UTF_8));
            out.flush();
            pending.reset();
            pending.write(bytes, complete, bytes.length - complete);
        }
    }

    /** Prints whatever is held back (an incomplete character shows as U+FFFD). */
    public void finish() {
        if (pending.size() > 0) out.print(pending.toString(StandardCharsets.UTF_8));
        pending.reset();
        out.flush();
    }

    /** Length of the longest prefix that does not end inside a multi-byte character. */
    static int completePrefix(byte[] b) {
        int n = b.length;
        for (int back = 1; back <= Math.min(3, n); back++) {
            int lead = b[n - back] & 0xFF;
            if ((lead & 0xC0) == 0x80) continue; // continuation byte: look further back
            int need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
            return need > back ? n - back : n;
        }
        return n;
    }
}
