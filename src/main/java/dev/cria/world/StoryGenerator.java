package dev.cria.world;

import dev.cria.util.Rng;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes short children's stories in the style of TinyStories, deterministically from a seed: the
 * built-in corpus that lets Cria pretrain without downloading anything.
 *
 * <p>A story is a fixed recipe: opening, the hero's toy, (a line about the hero), going out, (something
 * to do there), a problem, its resolution, an ending, (sometimes "The end."). Each step picks one
 * template from {@link StoryLines}, {@link StoryEvent} or {@link StoryEnding} and fills its slots from
 * the resolved {@link StoryTopic} and a small cast (a helper, an animal friend) chosen once per story.
 * The optional steps, in brackets, are added only while the story is shorter than a target of 6 to 11
 * sentences, so lengths vary (about 8 to 14) without any story getting long.
 *
 * <p>It is not a language model and not random text: same seed, same stories, always grammatical
 * within the limits of its templates. Variety comes from the product of word lists and templates,
 * which is in the millions, not from anything clever.
 */
public final class StoryGenerator {
    private static final int MIN_TARGET_SENTENCES = 6;
    private static final int MAX_TARGET_SENTENCES = 11;
    private static final int MAX_SENTENCES_BEFORE_THE_END = 12;
    private static final double THE_END_PROBABILITY = 0.3;

    private final Rng rng;

    public StoryGenerator(long seed) {
        this.rng = new Rng(seed);
    }

    /** The next story on this generator's own stream, about anything. */
    public Story next() {
        return generate(StoryTopic.ANY, rng);
    }

    /** The next story on this generator's own stream, about the given topic. */
    public Story next(StoryTopic topic) {
        return generate(topic, rng);
    }

    /** The texts of the next {@code count} stories. */
    public List<String> stories(int count) {
        if (count < 0) throw new IllegalArgumentException("count < 0: " + count);
        List<String> texts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) texts.add(next().text());
        return texts;
    }

    /**
     * One story about {@code topic}, drawing only from {@code rng}; the generator's own stream is not
     * touched, so this is a pure function of the topic and the rng's state.
     */
    public static Story generate(StoryTopic topic, Rng rng) {
        StoryTopic resolved = resolve(topic, rng);
        Teller teller = new Teller(slots(resolved, rng), rng);
        StoryEvent event = resolved.event();

        String opening = teller.tell(StoryLines.OPENINGS);
        String toy = teller.tell(StoryLines.TOYS);
        String outing = teller.tell(StoryLines.OUTINGS);
        String problem = teller.tell(event.problems());
        String resolution = teller.tell(event.resolutions());
        String ending = teller.tell(resolved.ending().closings());

        int target = MIN_TARGET_SENTENCES + rng.nextInt(MAX_TARGET_SENTENCES - MIN_TARGET_SENTENCES + 1);
        int sentences = Template.countSentences(String.join(" ", opening, toy, outing, problem, resolution, ending));
        String trait = null;
        if (sentences < target) {
            trait = teller.tell(StoryLines.TRAITS);
            sentences += Template.countSentences(trait);
        }
        String activity = null;
        if (sentences < target) {
            activity = teller.tell(StoryLines.ACTIVITIES);
            sentences += Template.countSentences(activity);
        }
        boolean theEnd = rng.nextDouble() < THE_END_PROBABILITY && sentences < MAX_SENTENCES_BEFORE_THE_END;

        List<String> parts = new ArrayList<>();
        parts.add(opening);
        parts.add(toy);
        if (trait != null) parts.add(trait);
        parts.add(outing);
        if (activity != null) parts.add(activity);
        parts.add(problem);
        parts.add(resolution);
        parts.add(ending);
        if (theEnd) parts.add(StoryLines.THE_END);
        return new Story(String.join(" ", parts), resolved);
    }

    /** Fills every null field of the topic. Draws happen in a fixed order, so the result is reproducible. */
    private static StoryTopic resolve(StoryTopic topic, Rng rng) {
        String animal = topic.animal() != null ? topic.animal() : pick(StoryWords.ANIMALS, rng);
        Gender gender = topic.gender();
        if (gender == null && topic.name() != null) gender = StoryWords.genderOf(topic.name());
        if (gender == null) gender = rng.nextInt(2) == 0 ? Gender.MALE : Gender.FEMALE;
        String name = topic.name() != null ? topic.name() : pick(StoryWords.names(gender), rng);
        String object = topic.object() != null ? topic.object() : pick(StoryWords.OBJECTS, rng);
        String place = topic.place() != null ? topic.place() : pick(StoryWords.PLACES, rng);
        StoryEvent event = topic.event() != null ? topic.event() : pick(List.of(StoryEvent.values()), rng);
        StoryEnding ending = topic.ending() != null ? topic.ending() : pick(List.of(StoryEnding.values()), rng);
        return new StoryTopic(animal, name, gender, object, place, event, ending);
    }

    /** Every slot's value for one story (see {@link StoryLines} for what each slot means). */
    private static Map<String, String> slots(StoryTopic topic, Rng rng) {
        StoryWords.Thing thing = StoryWords.thing(topic.object());
        StoryWords.Place place = StoryWords.place(topic.place());
        // The friend and helper are never the hero's own kind, so "the owl" always means one animal.
        List<String> others = StoryWords.ANIMALS.stream().filter(a -> !a.equals(topic.animal())).toList();
        String other = pick(others, rng);
        List<StoryWords.Helper> helpers = StoryWords.HELPERS.stream()
                .filter(h -> h.species() == null || !(h.species().equals(topic.animal()) || h.species().equals(other)))
                .toList();
        StoryWords.Helper helper = pick(helpers, rng);

        Gender gender = topic.gender();
        Map<String, String> slots = new HashMap<>();
        slots.put("name", topic.name());
        slots.put("he", gender.subject());
        slots.put("him", gender.object());
        slots.put("his", gender.possessive());
        slots.put("himself", gender.reflexive());
        slots.put("animal", topic.animal());
        slots.put("trait", pick(StoryWords.TRAITS, rng));
        slots.put("object", thing.noun());
        slots.put("color", pick(StoryWords.COLORS, rng));
        slots.put("play", thing.play());
        slots.put("played", thing.played());
        slots.put("broke", thing.broke());
        slots.put("place", place.noun());
        slots.put("prep", place.preposition());
        slots.put("hide", pick(place.hidingSpots(), rng));
        slots.put("activity", pick(place.activities(), rng));
        slots.put("day", pick(StoryWords.DAYS, rng));
        slots.put("sad", pick(topic.event().feelings(), rng));
        slots.put("glad", pick(StoryWords.GLAD_FEELINGS, rng));
        slots.put("lesson", pick(topic.event().lessons(), rng));
        slots.put("helperIntro", helper.intro());
        slots.put("helper", helper.ref());
        slots.put("otherIntro", Template.withArticle(pick(StoryWords.FRIEND_TRAITS, rng) + " " + other));
        slots.put("other", other);
        return slots;
    }

    private static <T> T pick(List<T> options, Rng rng) {
        return options.get(rng.nextInt(options.size()));
    }

    /**
     * Picks and renders templates while remembering who has been introduced. A template that says
     * {@code {helper}} needs the helper met already; one that says {@code {helperIntro}} needs them not
     * yet met (and so for {@code {other}}). This is what lets one list mix "Mom came by" with "Tom fixed
     * it alone" without an if per combination.
     */
    private static final class Teller {
        private final Map<String, String> slots;
        private final Rng rng;
        private boolean helperMet;
        private boolean otherMet;

        Teller(Map<String, String> slots, Rng rng) {
            this.slots = slots;
            this.rng = rng;
        }

        String tell(List<String> templates) {
            List<String> fitting = templates.stream().filter(this::fits).toList();
            if (fitting.isEmpty()) {
                throw new IllegalStateException("no template fits (helper met: " + helperMet + ", friend met: " + otherMet + "): " + templates);
            }
            String template = pick(fitting, rng);
            helperMet |= template.contains("{helperIntro}");
            otherMet |= template.contains("{otherIntro}");
            // subtle: capitalised per template, not once for the whole story: after a closing quote
            // ('..., "No, it is mine!" a bear came') only the template boundary says a sentence starts.
            return Template.capitalizeSentences(Template.render(template, slots));
        }

        private boolean fits(String template) {
            return fitsCharacter(template, "{helperIntro}", "{helper}", helperMet)
                    && fitsCharacter(template, "{otherIntro}", "{other}", otherMet);
        }

        // subtle: "{helperIntro}" does not contain "{helper}" (the brace differs), so the two checks are distinct.
        private static boolean fitsCharacter(String template, String intro, String ref, boolean met) {
            if (template.contains(intro)) return !met;
            return met || !template.contains(ref);
        }
    }
}
