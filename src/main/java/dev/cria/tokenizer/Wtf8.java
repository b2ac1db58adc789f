package dev.cria.tokenizer;

import java.util.Arrays;

/**
 * UTF-8 for Java strings that may hold lone surrogates (WTF-8): a valid surrogate pair becomes the usual
 * 4-byte sequence, and a lone surrogate becomes the 3-byte sequence {@code ED A0..BF 80..BF} that strict
 * UTF-8 forbids. {@link #decode} reverses both, so {@code decode(encode(s)).equals(s)} for every string.
 *
 * <p>It is not a general charset: bytes that are neither UTF-8 nor an encoded surrogate decode to U+FFFD,
 * one per maximal ill-formed subpart (the Unicode "substitution of maximal subparts" practice, which is
 * also what {@code new String(bytes, UTF_8)} does).
 */
final class Wtf8 {
    private Wtf8() {}

    static byte[] encode(String s) {
        byte[] out = new byte[s.length() * 3];
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                out[n++] = (byte) c;
            } else if (c < 0x800) {
                out[n++] = (byte) (0xC0 | (c >> 6));
                out[n++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                out[n++] = (byte) (0xF0 | (cp >> 18));
                out[n++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                out[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                out[n++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                // Any other BMP char, lone surrogates included: three bytes.
                out[n++] = (byte) (0xE0 | (c >> 12));
                out[n++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                out[n++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        return Arrays.copyOf(out, n);
    }

    static String decode(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length);
        int i = 0;
        while (i < bytes.length) {
            int len = sequenceLength(bytes, i, bytes.length, true);
            if (len < 0) {
                sb.append('\uFFFD');
                i -= len;
                continue;
            }
            sb.appendCodePoint(codePoint(bytes, i, len));
            i += len;
        }
        return sb.toString();
    }

    /** Length of the longest run of strict UTF-8 (no encoded surrogates) starting at {@code from}; 0 if none. */
    static int validRunLength(byte[] bytes, int from) {
        int i = from;
        while (i < bytes.length) {
            int len = sequenceLength(bytes, i, bytes.length, false);
            if (len < 0) break;
            i += len;
        }
        return i - from;
    }

    /**
     * The length of the well-formed sequence at {@code i}, or minus the length of its maximal ill-formed
     * subpart. Example: {@code E2 82 AC} (€) gives 3; {@code E2 82 41} gives -2 (the 'A' starts anew).
     * With {@code allowSurrogates}, {@code ED A0..BF xx} counts as well formed.
     */
    static int sequenceLength(byte[] b, int i, int end, boolean allowSurrogates) {
        int b0 = b[i] & 0xFF;
        if (b0 < 0x80) return 1;
        int need;
        int lo = 0x80;
        int hi = 0xBF;
        if (b0 >= 0xC2 && b0 <= 0xDF) {
            need = 1;
        } else if (b0 >= 0xE0 && b0 <= 0xEF) {
            need = 2;
            if (b0 == 0xE0) lo = 0xA0; // no overlong 3-byte forms
            if (b0 == 0xED && !allowSurrogates) hi = 0x9F; // no U+D800..U+DFFF
        } else if (b0 >= 0xF0 && b0 <= 0xF4) {
            need = 3;
            if (b0 == 0xF0) lo = 0x90; // no overlong 4-byte forms
            if (b0 == 0xF4) hi = 0x8F; // nothing above U+10FFFF
        } else {
            return -1; // a stray continuation byte, C0, C1 or F5..FF
        }
        for (int k = 1; k <= need; k++) {
            if (i + k >= end) return -k;
            int bk = b[i + k] & 0xFF;
            if (bk < lo || bk > hi) return -k;
            lo = 0x80;
            hi = 0xBF;
        }
        return need + 1;
    }

    private static int codePoint(byte[] b, int i, int len) {
        return switch (len) {
            case 1 -> b[i];
            case 2 -> ((b[i] & 0x1F) << 6) | (b[i + 1] & 0x3F);
            case 3 -> ((b[i] & 0x0F) << 12) | ((b[i + 1] & 0x3F) << 6) | (b[i + 2] & 0x3F);
            default -> ((b[i] & 0x07) << 18) | ((b[i + 1] & 0x3F) << 12) | ((b[i + 2] & 0x3F) << 6) | (b[i + 3] & 0x3F);
        };
    }
}
