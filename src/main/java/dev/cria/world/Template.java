package dev.cria.world;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tiny text-templating the story generator is written in: {@code {slot}} is replaced by the slot's
 * value, {@code {a:slot}} by the value with "a" or "an" in front, and a value may itself contain slots.
 * Afterwards {@link #capitalizeSentences} fixes the first letter of every sentence, so templates can put
 * {@code {he}} or {@code {a:trait}} at the start of a sentence without a capitalised twin.
 *
 * <p>It is not a general template language: no conditionals, loops or escapes. Choices between
 * variants are made by the generator picking one template from a list.
 */
final class Template {
    private static final Pattern SLOT = Pattern.compile("\\{(a:)?([a-zA-Z]+)}");
    // A sentence ends at . ! or ?, optionally inside a closing quote, followed by a capital or the end:
    // '"Oh no!" said Tom.' is one sentence, '"Let's go!" Tom ran.' is two.
    private static final Pattern SENTENCE_END = Pattern.compile("[.!?]\"?(?=\\s+[\"A-Z]|\\s*$)");
    private static final int MAX_NESTING = 4;

    private Template() {}

    static String render(String template, Map<String, String> slots) {
        return render(template, slots, 0);
    }

    private static String render(String template, Map<String, String> slots, int depth) {
        if (depth > MAX_NESTING) throw new IllegalStateException("slots nest deeper than " + MAX_NESTING + ": " + template);
        Matcher m = SLOT.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = slots.get(m.group(2));
            if (value == null) throw new IllegalStateException("slot {" + m.group(2) + "} has no value in template: " + template);
            String rendered = render(value, slots, depth + 1);
            if (m.group(1) != null) rendered = withArticle(rendered);
            m.appendReplacement(out, Matcher.quoteReplacement(rendered));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * "a cat", "an owl", "an orange ball". By first letter only, so word lists avoid words like
     * "unicorn" or "hour" whose sound disagrees with their spelling.
     */
    static String withArticle(String phrase) {
        if (phrase.isEmpty()) throw new IllegalArgumentException("no word to put an article before");
        return ("aeiouAEIOU".indexOf(phrase.charAt(0)) >= 0 ? "an " : "a ") + phrase;
    }

    /**
     * Upper-cases the first letter of the text and the first letter after every ". ", "! " or "? ",
     * looking through an opening quote ('. "let's' becomes '. "Let's').
     */
    static String capitalizeSentences(String text) {
        char[] chars = text.toCharArray();
        boolean startOfSentence = true;
        for (int i = 0; i < chars.length; i++) {
            char c = chars[i];
            if (startOfSentence && Character.isLetter(c)) {
                chars[i] = Character.toUpperCase(c);
                startOfSentence = false;
            } else if (c == '.' || c == '!' || c == '?') {
                // subtle: only when a space follows directly, so '"Oh no!" said Tom' keeps "said" lower-case.
                startOfSentence = i + 1 < chars.length && chars[i + 1] == ' ';
            } else if (c != ' ' && c != '"') {
                startOfSentence = false;
            }
        }
        return new String(chars);
    }

    /** Sentences in a rendered text, counted by their terminal punctuation (see {@link #SENTENCE_END}). */
    static int countSentences(String text) {
        Matcher m = SENTENCE_END.matcher(text);
        int count = 0;
        while (m.find()) count++;
        return count;
    }
}
