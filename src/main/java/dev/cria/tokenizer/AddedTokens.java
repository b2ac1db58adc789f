package dev.cria.tokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code added_tokens} of a {@code tokenizer.json}: strings found in the raw text before anything
 * else runs, each becoming its one id, never split. Example: with {@code <|im_end|>} added,
 * "hi<|im_end|>" is the text "hi" then the token. At each position the longest token wins.
 *
 * <p>Special ones ({@code special: true}) are matched only when the caller allows it; others always.
 * {@code lstrip}/{@code rstrip} swallow whitespace on that side, {@code single_word} matches only between
 * non-word characters. As in {@code tokenizers}, tokens with {@code normalized: false} are found in the raw
 * text, those with {@code normalized: true} in the normalized text between them: two passes of
 * {@link #split}.
 */
final class AddedTokens {
    record Token(int id, String content, boolean special, boolean lstrip, boolean rstrip, boolean singleWord,
                 boolean normalized) {}

    /** A stretch of text to tokenize normally ({@code id == -1}), or one added token. */
    record Segment(String text, int id) {
        boolean isToken() {
            return id >= 0;
        }
    }

    /** By first character, longest first. */
    private final Map<Character, List<Token>> byFirstChar = new HashMap<>();

    AddedTokens(List<Token> tokens) {
        for (Token t : tokens) {
            if (t.content().isEmpty()) continue;
            byFirstChar.computeIfAbsent(t.content().charAt(0), c -> new ArrayList<>()).add(t);
        }
        for (List<Token> group : byFirstChar.values()) {
            group.sort(Comparator.comparingInt((Token t) -> t.content().length()).reversed());
        }
    }

    /** Splits at the tokens whose {@code normalized} flag is {@code normalizedPass}. */
    List<Segment> split(String text, boolean allowSpecial, boolean normalizedPass) {
        List<Segment> out = new ArrayList<>();
        int textStart = 0;
        int i = 0;
        while (i < text.length()) {
            Token t = match(text, i, allowSpecial, normalizedPass);
            if (t == null) {
                i++;
                continue;
            }
            int textEnd = i;
            if (t.lstrip()) {
                while (textEnd > textStart && Character.isWhitespace(text.charAt(textEnd - 1))) textEnd--;
            }
            if (textEnd > textStart) out.add(new Segment(text.substring(textStart, textEnd), -1));
            out.add(new Segment(t.content(), t.id()));
            i += t.content().length();
            if (t.rstrip()) {
                while (i < text.length() && Character.isWhitespace(text.charAt(i))) i++;
            }
            textStart = i;
        }
        if (textStart < text.length()) out.add(new Segment(text.substring(textStart), -1));
        return out;
    }

    private Token match(String text, int at, boolean allowSpecial, boolean normalizedPass) {
        List<Token> candidates = byFirstChar.get(text.charAt(at));
        if (candidates == null) return null;
        for (Token t : candidates) {
            if ((t.special() && !allowSpecial) || t.normalized() != normalizedPass) continue;
            if (!text.startsWith(t.content(), at)) continue;
            if (t.singleWord() && !(boundary(text, at - 1) && boundary(text, at + t.content().length()))) continue;
            return t;
        }
        return null;
    }

    private static boolean boundary(String text, int i) {
        return i < 0 || i >= text.length() || !Character.isLetterOrDigit(text.charAt(i));
    }
}
