package dev.cria.world;

import dev.cria.chat.PromptExample;
import dev.cria.chat.SftExample;
import dev.cria.chat.PreferenceExample;
import dev.cria.world.Gender;
import dev.cria.world.StoryEnding;
import dev.cria.world.StoryEvent;
import dev.cria.world.StoryGenerator;
import dev.cria.world.StoryTopic;
import dev.cria.world.StoryWords;
import dev.cria.util.Rng;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Built-in alignment data, deterministic by seed: story instructions ("Can you write a story about a cat
 * named Tom who loses his ball?"), correct answers to them, and preference pairs labelled by the
 * {@link SimulatedAnnotator}. What lets SFT, reward modelling, DPO and PPO run with no download.
 *
 * <p>An instruction always names an animal and a name, and sometimes a toy, an event, a place and an
 * ending; its correct response is a story generated for exactly that topic. A flawed response
 * ({@link ResponseFlaw}) is a story for the wrong topic, or a correct one damaged afterwards. A
 * preference pair is a correct response against a flawed one (60%), a flawed one against a worse one
 * with an extra flaw (25%), or two different flaws (15%). Both sides of a pair tell the same story, so
 * they differ by their flaws alone (a minimal pair: what a reward model or DPO must learn is the flaw,
 * not which of two random stories it was shown). The annotator decides which is chosen, and a
 * pair it cannot separate is drawn again, so the data has no ties. The annotator is the only judge: if
 * it ever preferred a flawed story, that is the label (as with a real annotator's mistakes).
 *
 * <p>Every draw comes from one {@link Rng}, so a generator's output is a pure function of its seed and
 * the calls made on it. Not thread-safe.
 */
public final class InstructionGenerator {
    private static final List<String> PHRASINGS = List.of(
            "Write a story about %s.",
            "Tell me a story about %s.",
            "Write a short story about %s.",
            "Can you write a story about %s?",
            "Please write a children's story about %s.",
            "Could you tell me a story about %s?",
            "I would like a bedtime story about %s.");
    /** Echo requests put the text first, so an echo reproduces the prompt from its first token (see CopyReward). */
    private static final List<String> ECHO_PHRASINGS = List.of(
            "%s Say that back to me.",
            "%s Repeat it.",
            "%s Please say it again.",
            "%s Can you repeat that?");
    private static final double OBJECT_PROBABILITY = 0.5;
    private static final double EVENT_PROBABILITY = 0.5;
    private static final double PLACE_PROBABILITY = 0.4;
    private static final double ENDING_PROBABILITY = 0.4;
    private static final double CORRECT_VS_FLAWED = 0.6;
    private static final double FLAWED_VS_WORSE = 0.25;
    private static final int MAX_PAIR_ATTEMPTS = 100;
    private static final List<ResponseFlaw> FLAWS = List.of(ResponseFlaw.values());
    /** Flaws that each decide how the story stops, so a response has at most one of them. */
    private static final Set<ResponseFlaw> STOPPING_FLAWS = EnumSet.of(ResponseFlaw.NO_ENDING, ResponseFlaw.TRUNCATED, ResponseFlaw.TOO_SHORT);

    private final Rng rng;
    private final SimulatedAnnotator annotator = new SimulatedAnnotator();

    public InstructionGenerator(long seed) {
        this.rng = new Rng(seed);
    }

    /** A new instruction: its text and the topic it asks for. */
    public Instruction nextInstruction() {
        Gender gender = rng.nextInt(2) == 0 ? Gender.MALE : Gender.FEMALE;
        StoryTopic topic = StoryTopic.ANY.withAnimal(pick(StoryWords.ANIMALS)).withName(pick(StoryWords.names(gender)));
        if (rng.nextDouble() < OBJECT_PROBABILITY) topic = topic.withObject(pick(StoryWords.OBJECTS));
        if (rng.nextDouble() < EVENT_PROBABILITY) topic = topic.withEvent(pick(List.of(StoryEvent.values())));
        if (rng.nextDouble() < PLACE_PROBABILITY) topic = topic.withPlace(pick(StoryWords.PLACES));
        if (rng.nextDouble() < ENDING_PROBABILITY) topic = topic.withEnding(pick(List.of(StoryEnding.values())));
        return new Instruction(pick(PHRASINGS).formatted(topic.describe()), topic);
    }

    public SftExample nextSft() {
        Instruction instruction = nextInstruction();
        return new SftExample(instruction.text(), response(instruction));
    }

    public List<SftExample> sft(int n) {
        return draw(n, this::nextSft);
    }

    /**
     * {@code n} examples of which a share {@code echoShare} (in expectation) are echo requests
     * ({@link #nextEcho}) and the rest story instructions ({@link #nextSft}).
     */
    public List<SftExample> sft(int n, double echoShare) {
        requireCount(n);
        if (!(echoShare >= 0 && echoShare <= 1)) throw new IllegalArgumentException("echoShare must be in [0, 1]: " + echoShare);
        // subtle: no draw when echoShare is 0, so sft(n, 0) equals sft(n).
        return draw(n, () -> echoShare > 0 && rng.nextDouble() < echoShare ? nextEcho() : nextSft());
    }

    /**
     * An echo request: one or two sentences of a built-in story followed by a request to say them back
     * ("Tom found his ball. Repeat it."), answered with exactly those sentences. The copy task's data: a
     * model fine-tuned on a few of these echoes its prompt partly, which RL with the copy reward can amplify.
     */
    public SftExample nextEcho() {
        String text = echoText();
        return new SftExample(pick(ECHO_PHRASINGS).formatted(text), text);
    }

    public List<SftExample> echoes(int n) {
        return draw(n, this::nextEcho);
    }

    /** Echo requests without their answers: the copy task's prompts. */
    public List<PromptExample> echoPrompts(int n) {
        return draw(n, () -> new PromptExample(nextEcho().prompt()));
    }

    /** One or two consecutive sentences of a story about a fresh topic. */
    private String echoText() {
        List<String> sentences = Sentences.split(response(nextInstruction()));
        int count = Math.min(sentences.size(), 1 + rng.nextInt(2));
        int from = rng.nextInt(sentences.size() - count + 1);
        return String.join(" ", sentences.subList(from, from + count));
    }

    public PromptExample nextPrompt() {
        return new PromptExample(nextInstruction().text());
    }

    public List<PromptExample> prompts(int n) {
        return draw(n, this::nextPrompt);
    }

    /** A new instruction with two responses of different quality, ordered by the annotator. */
    public PreferenceExample nextPreference() {
        return labelledPair(this::flawPair);
    }

    public List<PreferenceExample> preferences(int n) {
        return draw(n, this::nextPreference);
    }

    /**
     * A request-check pair: the first sentences of one story ({@link ResponseFlaw#TOO_SHORT}) about the
     * requested animal and name, against the same sentences about another animal, or with another name.
     * Short, and different in one word, so each step spends its compute on whether the story's animal and
     * name are the requested ones: the check a reward model otherwise does not learn (see docs/alignment.md).
     * With {@code whole}, the same check on the whole story, its animal and name far from where its score
     * is read, at the end.
     */
    public PreferenceExample nextRequestCheck(boolean whole) {
        return labelledPair(() -> {
            ResponseFlaw request = rng.nextInt(2) == 0 ? ResponseFlaw.WRONG_ANIMAL : ResponseFlaw.WRONG_NAME;
            if (whole) return List.of(EnumSet.noneOf(ResponseFlaw.class), EnumSet.of(request));
            return List.of(EnumSet.of(ResponseFlaw.TOO_SHORT), EnumSet.of(ResponseFlaw.TOO_SHORT, request));
        });
    }

    public List<PreferenceExample> requestChecks(int n) {
        return requestChecks(n, false);
    }

    public List<PreferenceExample> requestChecks(int n, boolean whole) {
        return draw(n, () -> nextRequestCheck(whole));
    }

    /** A new instruction and two responses with flaw sets drawn by {@code flawPair}, ordered by the annotator. */
    private PreferenceExample labelledPair(Supplier<List<Set<ResponseFlaw>>> flawPair) {
        Instruction instruction = nextInstruction();
        for (int attempt = 0; attempt < MAX_PAIR_ATTEMPTS; attempt++) {
            List<Set<ResponseFlaw>> flaws = flawPair.get();
            // Both sides tell the same story (one rng state), so a pair differs by its flaws alone.
            long story = rng.nextLong();
            String a = response(instruction, flaws.get(0), new Rng(story));
            String b = response(instruction, flaws.get(1), new Rng(story));
            int preferred = annotator.prefer(instruction.text(), a, b);
            if (preferred > 0) return new PreferenceExample(instruction.text(), a, b);
            if (preferred < 0) return new PreferenceExample(instruction.text(), b, a);
        }
        throw new IllegalStateException("the annotator tied " + MAX_PAIR_ATTEMPTS + " pairs in a row for \"" + instruction.text() + "\"");
    }

    /** A correct response: a story about exactly the instruction's topic. */
    public String response(Instruction instruction) {
        return response(instruction, EnumSet.noneOf(ResponseFlaw.class));
    }

    /**
     * A response with the given flaws (none: a correct one). Topic flaws change the story asked of the
     * generator; the others damage its text: shortening first, then repetition, then the ending.
     */
    public String response(Instruction instruction, Set<ResponseFlaw> flaws) {
        return response(instruction, flaws, rng);
    }

    /** As {@link #response(Instruction, Set)}, telling the story from {@code storyRng}; damage still draws from this generator. */
    private String response(Instruction instruction, Set<ResponseFlaw> flaws, Rng storyRng) {
        if (instruction == null) throw new IllegalArgumentException("instruction is null");
        if (flaws == null) throw new IllegalArgumentException("flaws is null; pass an empty set for a correct response");
        if (flaws.stream().filter(STOPPING_FLAWS::contains).count() > 1) {
            throw new IllegalArgumentException("NO_ENDING, TRUNCATED and TOO_SHORT each change how the story stops; pick one: " + flaws);
        }
        StoryTopic topic = instruction.topic();
        if (flaws.contains(ResponseFlaw.WRONG_ANIMAL)) topic = topic.withAnimal(otherAnimal(topic));
        if (flaws.contains(ResponseFlaw.WRONG_NAME)) topic = topic.withName(otherName(topic));
        String text = StoryGenerator.generate(topic, storyRng).text();
        // Shortened before repetition, so a short story that repeats itself shows both flaws.
        if (flaws.contains(ResponseFlaw.TOO_SHORT)) text = shorten(text, storyRng);
        if (flaws.contains(ResponseFlaw.REPETITION)) text = repeat(text);
        if (flaws.contains(ResponseFlaw.NO_ENDING)) text = withoutEnding(text);
        if (flaws.contains(ResponseFlaw.TRUNCATED)) text = truncate(text);
        return text;
    }

    /** Two flaw sets that should differ in quality; see the class comment for the mix. */
    private List<Set<ResponseFlaw>> flawPair() {
        ResponseFlaw first = pick(FLAWS);
        double kind = rng.nextDouble();
        if (kind < CORRECT_VS_FLAWED) return List.of(EnumSet.noneOf(ResponseFlaw.class), EnumSet.of(first));
        ResponseFlaw second = pick(FLAWS.stream().filter(f -> f != first && compatible(f, first)).toList());
        if (kind < CORRECT_VS_FLAWED + FLAWED_VS_WORSE) return List.of(EnumSet.of(first), EnumSet.of(first, second));
        return List.of(EnumSet.of(first), EnumSet.of(second));
    }

    private static boolean compatible(ResponseFlaw a, ResponseFlaw b) {
        return !(STOPPING_FLAWS.contains(a) && STOPPING_FLAWS.contains(b));
    }

    private String otherAnimal(StoryTopic topic) {
        if (topic.animal() == null) throw new IllegalArgumentException("WRONG_ANIMAL needs a topic with an animal: " + topic);
        return pick(StoryWords.ANIMALS.stream().filter(a -> !a.equals(topic.animal())).toList());
    }

    /** Another name of the same gender, so the pronouns of the story stay right. */
    private String otherName(StoryTopic topic) {
        if (topic.name() == null) throw new IllegalArgumentException("WRONG_NAME needs a topic with a name: " + topic);
        Gender gender = topic.gender() != null ? topic.gender() : StoryWords.genderOf(topic.name());
        List<String> names = gender != null ? StoryWords.names(gender)
                : Stream.concat(StoryWords.BOY_NAMES.stream(), StoryWords.GIRL_NAMES.stream()).toList();
        return pick(names.stream().filter(n -> !n.equals(topic.name())).toList());
    }

    /** One sentence said again 1 to 3 more times, or a run of 2 or 3 sentences said twice, in place. */
    private String repeat(String text) {
        List<String> sentences = new ArrayList<>(Sentences.split(text));
        // Only real sentences are repeated: a second "The end." would be a different flaw.
        List<Integer> candidates = new ArrayList<>();
        for (int i = 0; i < sentences.size(); i++) if (Sentences.wordCount(sentences.get(i)) >= 3) candidates.add(i);
        if (candidates.isEmpty()) return text + " " + text;
        int at = candidates.get(rng.nextInt(candidates.size()));
        if (rng.nextInt(2) == 0 || at + 1 >= sentences.size()) {
            String sentence = sentences.get(at);
            int copies = 1 + rng.nextInt(3);
            for (int c = 0; c < copies; c++) sentences.add(at + 1, sentence);
        } else {
            int run = Math.min(2 + rng.nextInt(2), sentences.size() - at);
            sentences.addAll(at + run, List.copyOf(sentences.subList(at, at + run)));
        }
        return String.join(" ", sentences);
    }

    /**
     * The first one to three sentences, fewer if that many reach the annotator's {@code VERY_SHORT_WORDS}
     * or leave a quote open, so the short story still ends properly ("Tom was a little cat. He loved his ball.").
     * subtle: the count comes from the story's rng, so both sides of a pair stop after the same sentence.
     */
    private static String shorten(String text, Rng storyRng) {
        List<String> sentences = Sentences.split(text);
        for (int count = Math.min(sentences.size(), 1 + storyRng.nextInt(3)); count > 1; count--) {
            String head = String.join(" ", sentences.subList(0, count));
            if (Sentences.wordCount(head) < SimulatedAnnotator.VERY_SHORT_WORDS && !SimulatedAnnotator.hasOpenQuote(head)) return head;
        }
        return sentences.getFirst();
    }

    /** The story with its final punctuation (and any closing "The end.") removed. */
    private static String withoutEnding(String text) {
        String body = text.endsWith(" The end.") ? text.substring(0, text.length() - " The end.".length()) : text;
        int end = body.length();
        while (end > 0 && ".!?\"".indexOf(body.charAt(end - 1)) >= 0) end--;
        return body.substring(0, end);
    }

    /** Cut at a word boundary in the second half, moving back until the cut is inside a sentence. */
    private String truncate(String text) {
        List<Integer> spaces = new ArrayList<>();
        for (int i = text.length() / 2; i < text.length(); i++) if (text.charAt(i) == ' ') spaces.add(i);
        int cut = spaces.isEmpty() ? text.lastIndexOf(' ') : spaces.get(rng.nextInt(spaces.size()));
        String head = text.substring(0, Math.max(cut, 0));
        while (endsSentence(head) && head.lastIndexOf(' ') > 0) head = head.substring(0, head.lastIndexOf(' '));
        return head;
    }

    private static boolean endsSentence(String text) {
        return !text.isEmpty() && ".!?\"".indexOf(text.charAt(text.length() - 1)) >= 0;
    }

    private <T> T pick(List<T> options) {
        return options.get(rng.nextInt(options.size()));
    }

    /** {@code n} examples, drawn one after another in order. */
    private static <T> List<T> draw(int n, Supplier<T> next) {
        requireCount(n);
        List<T> examples = new ArrayList<>(n);
        for (int i = 0; i < n; i++) examples.add(next.get());
        return examples;
    }

    private static void requireCount(int n) {
        if (n < 0) throw new IllegalArgumentException("n < 0: " + n);
    }
}
