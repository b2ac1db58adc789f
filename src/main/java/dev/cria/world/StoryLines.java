package dev.cria.world;

import java.util.List;

/**
 * The sentence templates every story shares, section by section: opening, the hero's toy, a line about
 * the hero, going out, something to do there, and the optional "The end.". Events and endings keep
 * their own templates in {@link StoryEvent} and {@link StoryEnding}.
 *
 * <p>Slots, all resolved once per story so a name, colour or place never changes halfway:
 * <ul>
 *   <li>{@code {name}} the hero; {@code {he} {him} {his} {himself}} the hero's pronouns, written in the
 *       masculine and rendered by {@link Gender}; {@code {animal}} what the hero is; {@code {trait}} an
 *       adjective for the hero.
 *   <li>{@code {object}} the toy, {@code {color}} its colour, {@code {play}} / {@code {played}} /
 *       {@code {broke}} its verb phrases (see {@link StoryWords.Thing}).
 *   <li>{@code {place}}, {@code {prep}} ("at" the park, "in" the forest), {@code {hide}} where a lost
 *       toy turns up, {@code {activity}} something done there, {@code {day}} ("sunny day").
 *   <li>{@code {sad}} the hero's feeling about the problem, {@code {glad}} a happy feeling,
 *       {@code {lesson}} a clause that follows "learned that".
 *   <li>{@code {helperIntro}} / {@code {helper}} the helper's first and later mentions;
 *       {@code {otherIntro}} / {@code {other}} the same for a new animal friend ("a shy duck" /
 *       "duck", written "the {other}").
 * </ul>
 * {@code {a:slot}} puts "a" or "an" before the value. Only the hero is ever referred to by "he" or
 * "she"; helpers and friends are named each time. That keeps every pronoun in a story unambiguous, and
 * makes "a girl's story never says he" a property the tests can check on any output.
 */
final class StoryLines {
    private StoryLines() {}

    /** Introduce the hero: always names the animal and the hero. */
    static final List<String> OPENINGS = List.of(
            "Once upon a time, there was {a:trait} {animal} named {name}.",
            "Once upon a time, in a small village, there lived {a:trait} {animal} called {name}.",
            "There once was {a:trait} {animal} named {name}.",
            "Once upon a time, {a:trait} {animal} named {name} lived in a cozy little house.",
            "Long ago, there was {a:trait} {animal}. {his} name was {name}.",
            "{name} was {a:trait} {animal} who loved to play {prep} the {place}.");

    /** Introduce the toy: always names the object, so a story about a ball says "ball". */
    static final List<String> TOYS = List.of(
            "{he} loved to {play}.",
            "{name} had {a:color} {object}. It was {his} favorite thing in the whole world.",
            "{name}'s favorite thing was {a:color} {object}. {he} took it everywhere.",
            "Every day, {name} liked to {play}.",
            "{name} had {a:color} {object} that {his} grandma gave {him}. {he} loved it very much.");

    /** Optional: a little more about the hero. */
    static final List<String> TRAITS = List.of(
            "{he} liked to sing happy songs.",
            "{he} always had a big smile on {his} face.",
            "{he} liked to run and jump all day long.",
            "{name} was very curious and liked to look at everything.",
            "{he} was a good friend to everyone.");

    /** Go to the place, with the toy: always names the place. */
    static final List<String> OUTINGS = List.of(
            "One {day}, {name} went to the {place} with {his} {object}.",
            "One {day}, {name} took {his} {object} to the {place}.",
            "One {day}, {name} decided to go to the {place}, and {he} brought {his} {object} along.",
            "On {a:day}, {name} and {his} {object} went on a trip to the {place}.");

    /** Optional: something nice to do there before the problem. */
    static final List<String> ACTIVITIES = List.of(
            "{prep} the {place}, {name} {activity}.",
            "First, {he} {activity}. It was so much fun!",
            "{name} {played}.",
            "{he} {activity}, and then {he} {played}.");

    /** Optional, after the ending. */
    static final String THE_END = "The end.";
}
