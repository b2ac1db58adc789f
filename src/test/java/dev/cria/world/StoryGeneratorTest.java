package dev.cria.world;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cria.util.CriaException;
import dev.cria.util.Rng;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The built-in story generator: determinism, topics, pronouns, shape and variety of its output. */
class StoryGeneratorTest {
    private static final Pattern MALE_PRONOUN = Pattern.compile("\\b(he|him|his|himself)\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern FEMALE_PRONOUN = Pattern.compile("\\b(she|her|hers|herself)\\b", Pattern.CASE_INSENSITIVE);

    @Test
    void sameSeedGivesTheSameStories() {
        assertThat(new StoryGenerator(42).stories(300)).isEqualTo(new StoryGenerator(42).stories(300));
    }

    @Test
    void differentSeedsGiveDifferentStories() {
        List<String> a = new StoryGenerator(1).stories(100);
        List<String> b = new StoryGenerator(2).stories(100);
        int same = 0;
        for (int i = 0; i < a.size(); i++) if (a.get(i).equals(b.get(i))) same++;
        assertThat(same).isZero();
    }

    @Test
    void generateDependsOnlyOnTheTopicAndTheRngState() {
        Rng rng = new Rng(7);
        long[] state = rng.state();
        Story first = StoryGenerator.generate(StoryTopic.ANY, rng);
        Story again = StoryGenerator.generate(StoryTopic.ANY, Rng.fromState(state));
        assertThat(again).isEqualTo(first);
    }

    @Test
    void nextAndStoriesReadTheSameStream() {
        StoryGenerator one = new StoryGenerator(9);
        List<String> viaNext = new ArrayList<>();
        for (int i = 0; i < 20; i++) viaNext.add(one.next().text());
        assertThat(new StoryGenerator(9).stories(20)).isEqualTo(viaNext);
    }

    @Test
    void aRequestedTopicIsHonoured() {
        StoryTopic topic = StoryTopic.ANY.withAnimal("cat").withName("Tom").withObject("ball").withEvent(StoryEvent.LOSES_OBJECT);
        StoryGenerator generator = new StoryGenerator(3);
        for (int i = 0; i < 200; i++) {
            Story story = generator.next(topic);
            assertThat(story.text()).contains("cat", "Tom", "ball");
            assertThat(story.topic().animal()).isEqualTo("cat");
            assertThat(story.topic().name()).isEqualTo("Tom");
            assertThat(story.topic().gender()).as("Tom is a built-in boy's name").isEqualTo(Gender.MALE);
            assertThat(story.topic().object()).isEqualTo("ball");
            assertThat(story.topic().event()).isEqualTo(StoryEvent.LOSES_OBJECT);
        }
    }

    @Test
    void everyStoryMentionsItsResolvedHeroAnimalToyAndPlace() {
        StoryGenerator generator = new StoryGenerator(11);
        for (int i = 0; i < 2000; i++) {
            Story story = generator.next();
            StoryTopic t = story.topic();
            assertThat(t.isComplete()).isTrue();
            assertThat(story.text()).contains(t.name(), t.animal(), t.object(), t.place());
        }
    }

    @Test
    void aFullyChosenTopicIsKeptAsIs() {
        StoryTopic topic = new StoryTopic("fox", "Zorp", Gender.FEMALE, "kite", "beach", StoryEvent.IT_RAINS, StoryEnding.GOES_HOME);
        Story story = StoryGenerator.generate(topic, new Rng(1));
        assertThat(story.topic()).isEqualTo(topic);
        assertThat(story.text()).contains("fox", "Zorp", "kite", "beach");
        assertThat(FEMALE_PRONOUN.matcher(story.text()).find()).isTrue();
        assertThat(MALE_PRONOUN.matcher(story.text()).find()).isFalse();
    }

    @Test
    void genderIsInferredFromABuiltInName() {
        Story story = StoryGenerator.generate(StoryTopic.ANY.withName("Lily"), new Rng(5));
        assertThat(story.topic().gender()).isEqualTo(Gender.FEMALE);
    }

    @Test
    void pronounsAlwaysMatchTheHero() {
        // Only the hero is ever "he" or "she" (helpers and friends are named), so this holds for every story.
        StoryGenerator generator = new StoryGenerator(21);
        int girls = 0;
        int boys = 0;
        for (int i = 0; i < 3000; i++) {
            Story story = generator.next();
            String text = story.text();
            if (story.topic().gender() == Gender.FEMALE) {
                girls++;
                assertThat(MALE_PRONOUN.matcher(text).find()).as(text).isFalse();
                assertThat(FEMALE_PRONOUN.matcher(text).find()).as(text).isTrue();
            } else {
                boys++;
                assertThat(FEMALE_PRONOUN.matcher(text).find()).as(text).isFalse();
                assertThat(MALE_PRONOUN.matcher(text).find()).as(text).isTrue();
            }
        }
        assertThat(girls).isGreaterThan(1000);
        assertThat(boys).isGreaterThan(1000);
    }

    @Test
    void templatesSayPronounsOnlyThroughSlots() {
        for (String template : allTemplates()) {
            String withoutSlots = template.replaceAll("\\{[a-zA-Z:]+}", "");
            assertThat(MALE_PRONOUN.matcher(withoutSlots).find()).as(template).isFalse();
            assertThat(FEMALE_PRONOUN.matcher(withoutSlots).find()).as(template).isFalse();
        }
    }

    @Test
    void everyEventWorksWithEveryEnding() {
        // Exercises the "introduced yet?" filter: each section must have a fitting template in every state.
        for (StoryEvent event : StoryEvent.values()) {
            for (StoryEnding ending : StoryEnding.values()) {
                Rng rng = new Rng(event.ordinal() * 100L + ending.ordinal());
                for (int i = 0; i < 30; i++) {
                    Story story = StoryGenerator.generate(StoryTopic.ANY.withEvent(event).withEnding(ending), rng);
                    assertWellFormed(story);
                }
            }
        }
    }

    @Test
    void storiesAreWellFormed() {
        StoryGenerator generator = new StoryGenerator(5);
        for (int i = 0; i < 3000; i++) assertWellFormed(generator.next());
    }

    @Test
    void storiesAreDiverse() {
        List<String> stories = new StoryGenerator(8).stories(1000);
        assertThat(new HashSet<>(stories).size()).isGreaterThanOrEqualTo(900);
        Set<String> openings = new HashSet<>();
        for (String story : stories) openings.add(story.substring(0, story.indexOf(' ', 12)));
        assertThat(openings.size()).as("distinct openings").isGreaterThanOrEqualTo(5);
    }

    @Test
    void unknownWordsAreRejectedByName() {
        assertThatThrownBy(() -> StoryTopic.ANY.withAnimal("dragon"))
                .isInstanceOf(CriaException.class).hasMessageContaining("unknown animal \"dragon\"").hasMessageContaining("cat");
        assertThatThrownBy(() -> StoryTopic.ANY.withObject("spaceship"))
                .isInstanceOf(CriaException.class).hasMessageContaining("unknown object \"spaceship\"");
        assertThatThrownBy(() -> StoryTopic.ANY.withPlace("moon"))
                .isInstanceOf(CriaException.class).hasMessageContaining("unknown place \"moon\"");
        assertThatThrownBy(() -> StoryTopic.ANY.withName("tom"))
                .isInstanceOf(CriaException.class).hasMessageContaining("\"tom\"");
    }

    @Test
    void describeWritesAnInstructionPhrase() {
        StoryTopic full = new StoryTopic("cat", "Tom", Gender.MALE, "ball", "park", StoryEvent.LOSES_OBJECT, StoryEnding.LEARNS_LESSON);
        assertThat(full.describe()).isEqualTo("a cat named Tom who loses his ball at the park and learns a lesson");
        assertThat(StoryTopic.ANY.describe()).isEqualTo("a little animal");
        assertThat(StoryTopic.ANY.withAnimal("owl").withName("Mia").withGender(Gender.FEMALE).withObject("kite").describe())
                .isEqualTo("an owl named Mia with a kite");
        assertThat(StoryTopic.ANY.withAnimal("cat").withName("Tom").withObject("ball").withEvent(StoryEvent.LOSES_OBJECT).describe())
                .as("pronoun from the built-in name").isEqualTo("a cat named Tom who loses his ball");
        assertThat(StoryTopic.ANY.withEvent(StoryEvent.OBJECT_BREAKS).describe()).isEqualTo("a little animal who breaks their favorite toy");
        assertThat(StoryTopic.ANY.withEvent(StoryEvent.GETS_LOST).withPlace("forest").describe())
                .isEqualTo("a little animal who gets lost in the forest");
    }

    @Test
    void wordListsAreExposedForInstructions() {
        assertThat(StoryWords.ANIMALS).contains("cat", "dog", "bunny", "bird", "bear", "fox", "duck", "frog", "mouse");
        assertThat(StoryWords.OBJECTS).contains("ball", "kite", "hat");
        assertThat(StoryWords.PLACES).contains("park", "forest", "garden", "beach");
        assertThat(StoryWords.names(Gender.MALE)).contains("Tom");
        assertThat(StoryWords.names(Gender.FEMALE)).contains("Lily");
        assertThat(StoryWords.BOY_NAMES).doesNotContainAnyElementsOf(StoryWords.GIRL_NAMES);
        for (String name : StoryWords.BOY_NAMES) assertThat(name).doesNotEndWith("s");
        for (String name : StoryWords.GIRL_NAMES) assertThat(name).doesNotEndWith("s");
    }

    private static void assertWellFormed(Story story) {
        String text = story.text();
        assertThat(story.sentenceCount()).as(text).isBetween(5, 15);
        assertThat(Character.isUpperCase(text.charAt(0))).as(text).isTrue();
        assertThat(text).as(text).matches("(?s).*[.!?]");
        assertThat(text).as(text).doesNotContain("{", "}", "  ", " ,", " .", "..");
        assertThat(Pattern.compile("[.!?] [a-z]").matcher(text).find()).as("lower-case sentence start: " + text).isFalse();
        // Dialogue is written '"Yes," said Tom', so a lower-case word after '."' is a sentence left uncapitalised.
        assertThat(Pattern.compile("\\.\" [a-z]").matcher(text).find()).as("lower-case start after a quote: " + text).isFalse();
        assertThat(Pattern.compile("\\b[Aa] [aeiouAEIOU]").matcher(text).find()).as("'a' before a vowel: " + text).isFalse();
        assertThat(Pattern.compile("\\b[Aa]n [^aeiouAEIOU]").matcher(text).find()).as("'an' before a consonant: " + text).isFalse();
    }

    /** Every template and every phrase that is rendered into one, for checks on the raw text. */
    private static List<String> allTemplates() {
        List<String> all = new ArrayList<>();
        all.addAll(StoryLines.OPENINGS);
        all.addAll(StoryLines.TOYS);
        all.addAll(StoryLines.TRAITS);
        all.addAll(StoryLines.OUTINGS);
        all.addAll(StoryLines.ACTIVITIES);
        all.add(StoryLines.THE_END);
        for (StoryEvent event : StoryEvent.values()) {
            all.addAll(event.problems());
            all.addAll(event.resolutions());
            all.addAll(event.lessons());
            all.addAll(event.feelings());
        }
        for (StoryEnding ending : StoryEnding.values()) all.addAll(ending.closings());
        for (StoryWords.Thing thing : StoryWords.THINGS) all.addAll(List.of(thing.play(), thing.played(), thing.broke()));
        for (StoryWords.Place place : StoryWords.PLACE_DATA) {
            all.addAll(place.activities());
            all.addAll(place.hidingSpots());
        }
        for (StoryWords.Helper helper : StoryWords.HELPERS) all.addAll(List.of(helper.intro(), helper.ref()));
        return all;
    }
}
