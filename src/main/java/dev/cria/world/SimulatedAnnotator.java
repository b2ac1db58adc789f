package dev.cria.world;

import dev.cria.world.StoryWords;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A deterministic stand-in for a human judge of children's stories: it scores a response to a prompt,
 * higher is better, and so labels preference pairs and measures win rates without a person.
 *
 * <p>It reads what the prompt asks for with {@link StoryRequest#parse} (animal, name, toy, place) and
 * adds up points, shown in {@link Assessment}:
 * <table>
 *   <tr><th>criterion</th><th>points</th><th>why</th></tr>
 *   <tr><td>requested animal mentioned</td><td>+2</td><td>the first thing a reader checks</td></tr>
 *   <tr><td>the hero (first animal mentioned) is another animal</td><td>-3</td><td>worse than silence: it answers a different request</td></tr>
 *   <tr><td>requested name used</td><td>+2</td><td></td></tr>
 *   <tr><td>the hero ("named X", "called X", or the first built-in name) is someone else</td><td>-3</td><td></td></tr>
 *   <tr><td>requested toy mentioned</td><td>+1</td><td>details matter less than the character</td></tr>
 *   <tr><td>requested place mentioned</td><td>+0.5</td><td></td></tr>
 *   <tr><td>ends with . ! or ?, maybe inside a closing quote</td><td>+1, else -2</td><td>"no proper ending"</td></tr>
 *   <tr><td>and, without that, ends on a dangling word ("the", "and"), a comma, or inside an open quote</td><td>-2 more</td><td>truncated mid-sentence</td></tr>
 *   <tr><td>each sentence already said before</td><td>-1.5, at most -6</td><td>repetition</td></tr>
 *   <tr><td>share r of repeated word 4-grams above 0.1</td><td>-8 (r - 0.1)</td><td>loops with no sentence breaks ("time time time"); built-in stories stay below 0.04</td></tr>
 *   <tr><td>empty or blank</td><td>-10, nothing else scored</td><td></td></tr>
 *   <tr><td>under 10 words / under 40 / under 60 / over 400</td><td>-6 / -4 / -1 / -1</td><td>built-in stories have 68 to
 *       139 words; a one-line echo of the prompt must not pass for a story</td></tr>
 *   <tr><td>share g of tokens that are not words</td><td>-4 g</td><td>byte soup, special-token names</td></tr>
 * </table>
 * A correct built-in story scores 6.5 when every request criterion applies; prompts without a
 * recognisable request get the generic criteria only. Protagonist detection is a heuristic (stories
 * introduce their hero first), good for built-in stories and model output imitating them.
 *
 * <p>Cheap (a few regular expressions over the text, no model) and total: any string, however garbled,
 * gets a finite score. Stateless, so one instance can be shared. It is not a reward model; it is the
 * ground truth reward models and win rates are measured against.
 */
public final class SimulatedAnnotator {
    public static final double ANIMAL_MENTIONED = 2;
    static final double OTHER_ANIMAL_AS_HERO = -3;
    static final double NAME_USED = 2;
    static final double OTHER_NAME_AS_HERO = -3;
    static final double OBJECT_MENTIONED = 1;
    static final double PLACE_MENTIONED = 0.5;
    static final double PROPER_ENDING = 1;
    static final double NO_PROPER_ENDING = -2;
    static final double TRUNCATED = -2;
    static final double PER_REPEATED_SENTENCE = -1.5;
    static final double MOST_FOR_REPEATED_SENTENCES = -6;
    static final double REPEATED_NGRAM_ALLOWANCE = 0.1;
    static final double REPEATED_NGRAM_SLOPE = -8;
    static final int NGRAM = 4;
    static final double EMPTY = -10;
    static final double NEARLY_EMPTY = -6;
    static final double VERY_SHORT = -4;
    static final double SHORT = -1;
    static final double RAMBLING = -1;
    static final int NEARLY_EMPTY_WORDS = 10;
    static final int VERY_SHORT_WORDS = 40;
    static final int SHORT_WORDS = 60;
    static final int RAMBLING_WORDS = 400;
    static final double GIBBERISH_SLOPE = -4;

    /** Scores closer than this are a tie: the annotator has no preference. */
    static final double TIE = 1e-9;

    private static final Pattern ANIMAL_WORD = Pattern.compile("\\b(" + StoryRequest.words(StoryWords.ANIMALS) + ")(?:s|es)?\\b");
    private static final Pattern HERO_NAME = Pattern.compile("(?i:\\b(?:named|called|name (?:was|is))\\s+)(\\p{Lu}[\\p{L}-]*)");
    private static final Pattern BUILT_IN_NAME = Pattern.compile("\\b("
            + StoryRequest.words(Stream.concat(StoryWords.BOY_NAMES.stream(), StoryWords.GIRL_NAMES.stream()).toList()) + ")\\b");
    private static final Pattern WORD_LIKE = Pattern.compile("[\"\u201C\u2018'(]*\\p{L}+(?:['\u2019-]\\p{L}+)*[.,!?;:\"\u201D\u2019')]*");
    private static final Set<String> DANGLING = Set.of(
            "a", "an", "the", "and", "but", "or", "so", "to", "of", "with", "in", "on", "at", "for", "from", "into",
            "his", "her", "their", "its", "my", "your", "our", "was", "were", "is", "are", "had", "has", "then",
            "very", "that", "who", "when", "as", "if", "because", "said", "asked", "cried");

    /** The response's points for this prompt (see the class comment); finite for any non-null strings. */
    public double score(String prompt, String response) {
        return assess(prompt, response).total();
    }

    /** +1 when {@code a} is the better response, -1 when {@code b} is, 0 for a tie (as {@code Double.compare} of scores). */
    public int prefer(String prompt, String a, String b) {
        double diff = score(prompt, a) - score(prompt, b);
        return Math.abs(diff) < TIE ? 0 : diff > 0 ? 1 : -1;
    }

    /** One comparison as a win rate counts it: 1 when {@code a} is the better response, 0.5 for a tie, 0 when {@code b} is. */
    public double outcome(String prompt, String a, String b) {
        int preferred = prefer(prompt, a, b);
        return preferred > 0 ? 1 : preferred == 0 ? 0.5 : 0;
    }

    /** The share of prompts where {@code responsesA}'s answer is preferred to {@code responsesB}'s; ties count half. */
    public double winRate(List<String> prompts, List<String> responsesA, List<String> responsesB) {
        if (prompts == null || responsesA == null || responsesB == null) throw new IllegalArgumentException("prompts and responses must not be null");
        if (prompts.isEmpty()) throw new IllegalArgumentException("no prompts to compare on");
        if (responsesA.size() != prompts.size() || responsesB.size() != prompts.size()) {
            throw new IllegalArgumentException("need one response of each side per prompt: " + prompts.size() + " prompts, "
                    + responsesA.size() + " responses A, " + responsesB.size() + " responses B");
        }
        double wins = 0;
        for (int i = 0; i < prompts.size(); i++) wins += outcome(prompts.get(i), responsesA.get(i), responsesB.get(i));
        return wins / prompts.size();
    }

    /** {@link #score} broken down by criterion. */
    public Assessment assess(String prompt, String response) {
        if (prompt == null) throw new IllegalArgumentException("prompt is null");
        if (response == null) throw new IllegalArgumentException("response is null for prompt \"" + prompt + "\"");
        String text = response.strip();
        if (text.isEmpty()) return new Assessment(0, 0, 0, 0, 0, 0, EMPTY, 0);

        StoryRequest request = StoryRequest.parse(prompt);
        String lower = text.toLowerCase(Locale.ROOT);
        String[] tokens = text.split("\\s+");
        int words = 0;
        for (String token : tokens) if (WORD_LIKE.matcher(token).matches()) words++;

        return new Assessment(
                animal(request.animal(), lower),
                name(request.name(), text),
                request.object() != null && containsWord(lower, request.object()) ? OBJECT_MENTIONED : 0,
                request.place() != null && containsWord(lower, request.place()) ? PLACE_MENTIONED : 0,
                ending(text),
                repetition(text, lower),
                length(words),
                points(GIBBERISH_SLOPE, (double) (tokens.length - words) / tokens.length));
    }

    private static double animal(String requested, String lower) {
        if (requested == null) return 0;
        Matcher m = ANIMAL_WORD.matcher(lower);
        if (!m.find()) return 0;
        String hero = m.group(1);
        boolean mentioned = hero.equals(requested);
        while (!mentioned && m.find()) mentioned = m.group(1).equals(requested);
        return (mentioned ? ANIMAL_MENTIONED : 0) + (hero.equals(requested) ? 0 : OTHER_ANIMAL_AS_HERO);
    }

    private static double name(String requested, String text) {
        if (requested == null) return 0;
        String hero = heroName(text);
        return (containsWord(text, requested) ? NAME_USED : 0) + (hero == null || hero.equals(requested) ? 0 : OTHER_NAME_AS_HERO);
    }

    /** "named X", "called X" or "name was X", else the first built-in name, else null. */
    private static String heroName(String text) {
        Matcher m = HERO_NAME.matcher(text);
        if (m.find()) return m.group(1);
        m = BUILT_IN_NAME.matcher(text);
        return m.find() ? m.group(1) : null;
    }

    private static double ending(String text) {
        int end = text.length();
        while (end > 0 && isClosing(text.charAt(end - 1))) end--;
        if (end > 0 && ".!?".indexOf(text.charAt(end - 1)) >= 0 && !hasOpenQuote(text)) return PROPER_ENDING;
        return NO_PROPER_ENDING + (looksCutOff(text) ? TRUNCATED : 0);
    }

    /** Dangling last word, trailing comma-like mark, or an unclosed straight quote: stopped mid-sentence. */
    private static boolean looksCutOff(String text) {
        char last = text.charAt(text.length() - 1);
        if (",;:-(\u2014\u201C".indexOf(last) >= 0 || hasOpenQuote(text)) return true;
        int start = text.length();
        while (start > 0 && Character.isLetter(text.charAt(start - 1))) start--;
        return start < text.length() && DANGLING.contains(text.substring(start).toLowerCase(Locale.ROOT));
    }

    static boolean hasOpenQuote(String text) {
        return text.chars().filter(c -> c == '"').count() % 2 == 1;
    }

    private static boolean isClosing(char c) {
        return c == '"' || c == '\u201D' || c == '\u2019' || c == '\'' || c == ')';
    }

    private static double repetition(String text, String lower) {
        Set<String> seen = new HashSet<>();
        int repeatedSentences = 0;
        // subtle: split the original text, since a sentence boundary needs the capital that follows it.
        for (String sentence : Sentences.split(text)) {
            String key = String.join(" ", letterRuns(sentence.toLowerCase(Locale.ROOT)));
            if (!key.isEmpty() && !seen.add(key)) repeatedSentences++;
        }
        double sentences = Math.max(MOST_FOR_REPEATED_SENTENCES, points(PER_REPEATED_SENTENCE, repeatedSentences));

        List<String> words = letterRuns(lower);
        int grams = words.size() - NGRAM + 1;
        if (grams <= 0) return sentences;
        Set<String> distinct = new HashSet<>();
        for (int i = 0; i < grams; i++) distinct.add(String.join(" ", words.subList(i, i + NGRAM)));
        double repeatedShare = 1 - (double) distinct.size() / grams;
        return sentences + points(REPEATED_NGRAM_SLOPE, Math.max(0, repeatedShare - REPEATED_NGRAM_ALLOWANCE));
    }

    // subtle: a negative weight times zero is -0.0, which Assessment's equals tells apart from 0.0.
    private static double points(double weight, double amount) {
        return amount == 0 ? 0 : weight * amount;
    }

    /** The maximal runs of letters: "Tom's ball!" gives [Tom, s, ball]. */
    private static List<String> letterRuns(String text) {
        List<String> runs = new ArrayList<>();
        int start = -1;
        for (int i = 0; i <= text.length(); i++) {
            boolean letter = i < text.length() && Character.isLetter(text.charAt(i));
            if (letter && start < 0) start = i;
            if (!letter && start >= 0) {
                runs.add(text.substring(start, i));
                start = -1;
            }
        }
        return runs;
    }

    private static double length(int words) {
        if (words < NEARLY_EMPTY_WORDS) return NEARLY_EMPTY;
        if (words < VERY_SHORT_WORDS) return VERY_SHORT;
        if (words < SHORT_WORDS) return SHORT;
        return words > RAMBLING_WORDS ? RAMBLING : 0;
    }

    /** Whether {@code word} occurs in {@code text} not as part of a longer word ("cat" is not in "catch"). */
    static boolean containsWord(String text, String word) {
        for (int at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + 1)) {
            int end = at + word.length();
            boolean startsWord = at == 0 || !Character.isLetter(text.charAt(at - 1));
            boolean endsWord = end == text.length() || !Character.isLetter(text.charAt(end));
            if (startsWord && endsWord) return true;
        }
        return false;
    }
}
