package dev.cria.world;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Splits story text into sentences, by the rule the story generator writes to: a sentence ends at
 * . ! or ?, maybe inside a closing quote, where whitespace and then a capital (or an opening quote)
 * follow. So '"Oh no!" cried Tom.' is one sentence and '"Let's go!" Tom ran.' two. Good enough for the
 * built-in stories and for judging repetition in model output; not a general sentence segmenter.
 */
final class Sentences {
    private static final Pattern BOUNDARY = Pattern.compile("(?<=[.!?][\"\u201D]?)\\s+(?=[\"\u201C]?\\p{Lu})");

    private Sentences() {}

    /** The sentences of {@code text}, trimmed; an empty list for blank text. */
    static List<String> split(String text) {
        String trimmed = text.strip();
        if (trimmed.isEmpty()) return List.of();
        return List.of(BOUNDARY.split(trimmed));
    }

    /** Whitespace-separated words in a sentence. */
    static int wordCount(String sentence) {
        String trimmed = sentence.strip();
        return trimmed.isEmpty() ? 0 : trimmed.split("\\s+").length;
    }
}
