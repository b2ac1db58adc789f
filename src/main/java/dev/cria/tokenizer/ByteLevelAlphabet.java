package dev.cria.tokenizer;

import java.util.Arrays;

/**
 * GPT-2's {@code bytes_to_unicode}: a one-to-one map from the 256 byte values to printable characters, so
 * that a byte-level token can be a JSON string key in {@code tokenizer.json}. The 188 printable Latin-1
 * bytes ({@code !..~}, {@code ¡..¬}, {@code ®..ÿ}) map to themselves; the other 68 (controls, space,
 * DEL, NBSP, soft hyphen) map in byte order to U+0100, U+0101, ... Example: space 0x20 is 'Ġ' (U+0120),
 * newline 0x0A is 'Ċ' (U+010A), so the token " the" is written "Ġthe".
 *
 * <p>It only renames bytes; it knows nothing about tokens, merges or JSON.
 */
final class ByteLevelAlphabet {
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[256 + 68];

    static {
        Arrays.fill(CHAR_TO_BYTE, -1);
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = (char) (printable ? b : next++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteLevelAlphabet() {}

    static char charOf(int unsignedByte) {
        return BYTE_TO_CHAR[unsignedByte];
    }

    static String toToken(byte[] bytes) {
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) chars[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        return new String(chars);
    }

    /** The bytes a token string stands for; throws if it has a character outside the alphabet. */
    static byte[] toBytes(String token) {
        byte[] bytes = new byte[token.length()];
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
            if (b < 0) {
                throw new IllegalArgumentException(String.format(
                        "character '%c' (U+%04X) is not one of the 256 byte-level characters", c, (int) c));
            }
            bytes[i] = (byte) b;
        }
        return bytes;
    }
}
