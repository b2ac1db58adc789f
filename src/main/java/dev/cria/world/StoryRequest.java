package dev.cria.world;

import dev.cria.world.StoryWords;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a prompt asks a story to contain, read from the prompt's text alone: "... about a cat named Tom
 * who loses his ball at the park" gives animal "cat", name "Tom", object "ball", place "park". Any part
 * the prompt does not name is null. Lets the {@link SimulatedAnnotator} and keyword rewards judge a
 * response to any prompt, including ones read from a file, without the {@link Instruction} behind it.
 *
 * <p>Only the built-in vocabulary ({@link StoryWords}) is recognised as an animal, object or place; a
 * name is any capitalised word after "named" or "called". A prompt that matches nothing gives
 * {@link #NONE}. Deliberately a few regular expressions, not a parser: it reads the phrasings
 * {@link InstructionGenerator} writes and close variants of them.
 */
public record StoryRequest(String animal, String name, String object, String place) {
    public static final StoryRequest NONE = new StoryRequest(null, null, null, null);

    // "about a cat", "about a little cat", "about an owl named Mia"; the animal must be a known one.
    private static final Pattern ANIMAL = Pattern.compile(
            "(?i)\\babout\\s+(?:a|an|the)\\s+(?:[a-z]+\\s+)?(" + words(StoryWords.ANIMALS) + ")(?![a-z])");
    // subtle: only the keywords are case-insensitive; the name must start with a capital.
    private static final Pattern NAME = Pattern.compile("(?i:\\b(?:named|called)\\s+)(\\p{Lu}[\\p{L}'-]*)");
    private static final Pattern OBJECT = Pattern.compile("(?i)\\b(" + words(StoryWords.OBJECTS) + ")(?![a-z])");
    private static final Pattern PLACE = Pattern.compile("(?i)\\b(?:at|in|on|to)\\s+the\\s+(" + words(StoryWords.PLACES) + ")(?![a-z])");

    public static StoryRequest parse(String prompt) {
        if (prompt == null) throw new IllegalArgumentException("prompt is null");
        String name = first(NAME, prompt);
        if (name != null && name.endsWith("'s")) name = name.substring(0, name.length() - 2);
        return new StoryRequest(lower(first(ANIMAL, prompt)), name, lower(first(OBJECT, prompt)), lower(first(PLACE, prompt)));
    }

    /** True when the prompt asked for nothing recognisable, so only generic criteria apply. */
    public boolean isEmpty() {
        return animal == null && name == null && object == null && place == null;
    }

    /** An alternation of the words, longest first, so "toy car" is tried before any shorter overlap. */
    static String words(List<String> words) {
        return String.join("|", words.stream().sorted(Comparator.comparingInt(String::length).reversed()).map(Pattern::quote).toList());
    }

    private static String first(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        return m.find() ? m.group(1) : null;
    }

    private static String lower(String word) {
        return word == null ? null : word.toLowerCase(Locale.ROOT);
    }
}
