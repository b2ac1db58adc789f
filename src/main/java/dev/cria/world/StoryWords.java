package dev.cria.world;

import dev.cria.util.CriaException;
import java.util.List;

/**
 * The vocabulary of the built-in stories: heroes' names, animals, toys, places, helpers and the small
 * words (colours, feelings, times of day) that vary a sentence. Everything is plain data; the sentence
 * templates live in {@link StoryLines}, {@link StoryEvent} and {@link StoryEnding}.
 *
 * <p>The public lists are what later stages draw from to write instructions such as "Write a story
 * about a cat named Tom who loses his ball". Words are chosen so that "a"/"an" can be decided from the
 * first letter (no "unicorn", no "hour") and names so that "Tom's" needs no special case (none ends in
 * "s"). This is deliberately a small, child-level vocabulary, not a thesaurus.
 */
public final class StoryWords {
    private StoryWords() {}

    public static final List<String> BOY_NAMES = List.of(
            "Tom", "Ben", "Max", "Sam", "Leo", "Jack", "Tim", "Finn", "Jake", "Noah",
            "Theo", "Toby", "Henry", "Oscar", "Peter", "Luke", "Billy", "Eddie", "Danny", "Ollie");

    public static final List<String> GIRL_NAMES = List.of(
            "Lily", "Mia", "Sue", "Anna", "Emma", "Lucy", "Sara", "Amy", "Ella", "Zoe",
            "Kim", "Rose", "Daisy", "Molly", "Ruby", "Jane", "Grace", "Hannah", "Sophie", "Maya");

    /** Animals a hero (or their new friend) can be. */
    public static final List<String> ANIMALS = List.of(
            "cat", "dog", "bunny", "bird", "bear", "fox", "duck", "frog", "mouse", "pig",
            "owl", "lion", "puppy", "kitten", "squirrel", "turtle", "elephant", "monkey", "horse", "hedgehog");

    /** Colours for the hero's toy; one is chosen per story and kept throughout. */
    public static final List<String> COLORS = List.of(
            "red", "blue", "green", "yellow", "orange", "purple", "pink", "white");

    /** Adjectives for the hero in the opening line. */
    public static final List<String> TRAITS = List.of(
            "little", "small", "young", "kind", "curious", "playful", "cheerful", "friendly");

    /** Adjectives for the new friend an event or ending brings in. */
    public static final List<String> FRIEND_TRAITS = List.of("little", "small", "young", "shy");

    public static final List<String> GLAD_FEELINGS = List.of("happy", "glad", "cheerful");

    public static final List<String> DAYS = List.of(
            "sunny day", "bright morning", "warm afternoon", "nice spring day", "lovely summer day");

    /**
     * A toy: its noun and three verb phrases about it, themselves templates. {@code play} follows
     * "loved to", {@code played} is a past-tense sentence tail, {@code broke} follows "{his} {object}".
     */
    record Thing(String noun, String play, String played, String broke) {}

    static final List<Thing> THINGS = List.of(
            new Thing("ball", "bounce {his} {color} ball", "bounced {his} ball up and down", "got a hole in it and went flat"),
            new Thing("kite", "fly {his} {color} kite", "flew {his} kite high in the sky", "tore"),
            new Thing("hat", "wear {his} {color} hat", "wore {his} hat and danced around", "got a big rip in it"),
            new Thing("balloon", "play with {his} {color} balloon", "let {his} balloon float up and caught it again", "lost its string"),
            new Thing("toy car", "race {his} {color} toy car", "raced {his} toy car up and down the path", "lost a wheel"),
            new Thing("toy boat", "sail {his} {color} toy boat", "floated {his} toy boat in a big puddle", "cracked"),
            new Thing("drum", "bang on {his} {color} drum", "banged on {his} drum, boom, boom, boom", "got a hole in it"),
            new Thing("book", "read {his} {color} book", "read {his} book under a tree", "tore"),
            new Thing("scarf", "wear {his} {color} scarf", "wrapped {his} scarf around {his} neck", "got a big rip in it"),
            new Thing("shovel", "dig with {his} {color} shovel", "dug a big hole with {his} shovel", "snapped in two"),
            new Thing("bucket", "carry {his} {color} bucket", "filled {his} bucket with little stones", "cracked"),
            new Thing("blanket", "cuddle {his} {color} blanket", "wrapped {himself} in {his} blanket", "got a big rip in it"),
            new Thing("doll", "play with {his} {color} doll", "gave {his} doll a big hug", "lost an arm"),
            new Thing("whistle", "blow {his} {color} whistle", "blew {his} whistle, toot, toot", "cracked"));

    /** Toys a story can be about. */
    public static final List<String> OBJECTS = THINGS.stream().map(Thing::noun).toList();

    /**
     * A place: its noun ("park"), the preposition that goes with it ("at the park"), places where a lost
     * toy turns up, and past-tense things to do there.
     */
    record Place(String noun, String preposition, List<String> hidingSpots, List<String> activities) {}

    static final List<Place> PLACE_DATA = List.of(
            new Place("park", "at", List.of("under a bench", "behind the slide", "next to a big tree"),
                    List.of("ran on the soft green grass", "went down the big slide", "played on the swings")),
            new Place("forest", "in", List.of("behind an old log", "under a pile of leaves", "next to a big mushroom"),
                    List.of("walked under the tall trees", "looked at the pretty flowers", "listened to the birds sing")),
            new Place("garden", "in", List.of("under a big leaf", "behind the flower pots", "in the tall grass"),
                    List.of("smelled the pretty flowers", "watched the bees buzz", "helped water the plants")),
            new Place("beach", "at", List.of("behind a big rock", "under a pile of sand", "next to a sand castle"),
                    List.of("built a big sand castle", "splashed in the waves", "looked for pretty shells")),
            new Place("pond", "at", List.of("in the tall reeds", "behind a big rock", "under a wooden bench"),
                    List.of("watched the fish swim", "threw little stones in the water", "looked at the lily pads")),
            new Place("farm", "on", List.of("in the hay", "behind the red barn", "next to the fence"),
                    List.of("fed the chickens", "played in the hay", "said hello to the cows")),
            new Place("meadow", "in", List.of("in the tall grass", "under a bush", "behind a big rock"),
                    List.of("picked yellow flowers", "chased the butterflies", "rolled down the grassy hill")),
            new Place("playground", "at", List.of("under the slide", "behind the sandbox", "next to the swings"),
                    List.of("climbed the jungle gym", "played in the sandbox", "went down the slide")),
            new Place("backyard", "in", List.of("behind the fence", "under a bush", "next to the old shed"),
                    List.of("ran around the big tree", "jumped in a pile of leaves", "looked for bugs")),
            new Place("hill", "on", List.of("behind a big rock", "in the tall grass", "under a bush"),
                    List.of("rolled down the grass", "looked at the clouds", "watched the birds fly by")),
            new Place("lake", "at", List.of("under the old dock", "behind a big rock", "in the tall reeds"),
                    List.of("watched the boats go by", "dipped {his} feet in the water", "skipped stones on the water")),
            new Place("zoo", "at", List.of("under a bench", "behind a big sign", "next to the gate"),
                    List.of("looked at the tall giraffes", "waved at the seals", "watched the monkeys play")));

    /** Places a story can happen in. */
    public static final List<String> PLACES = PLACE_DATA.stream().map(Place::noun).toList();

    /**
     * Someone who helps the hero. {@code intro} is the first mention ("a wise old owl", "{his} mom"),
     * {@code ref} every later one ("the owl", "Mom"); {@code species} keeps a hero owl from meeting a
     * helper owl, and is null for people. Helpers are never referred to by pronoun (see StoryLines).
     */
    record Helper(String intro, String ref, String species) {}

    static final List<Helper> HELPERS = List.of(
            new Helper("{his} mom", "Mom", null),
            new Helper("{his} dad", "Dad", null),
            new Helper("{his} grandma", "Grandma", null),
            new Helper("{his} grandpa", "Grandpa", null),
            new Helper("a wise old owl", "the owl", "owl"),
            new Helper("a kind old turtle", "the turtle", "turtle"),
            new Helper("a big, friendly bear", "the bear", "bear"),
            new Helper("a friendly farmer", "the farmer", null));

    /** Names of either gender, for looking a name's gender up. */
    public static List<String> names(Gender gender) {
        return switch (gender) {
            case MALE -> BOY_NAMES;
            case FEMALE -> GIRL_NAMES;
        };
    }

    /** The gender a built-in name belongs to, or null for a name not in either list. */
    public static Gender genderOf(String name) {
        if (BOY_NAMES.contains(name)) return Gender.MALE;
        if (GIRL_NAMES.contains(name)) return Gender.FEMALE;
        return null;
    }

    static Thing thing(String noun) {
        return THINGS.stream().filter(t -> t.noun().equals(noun)).findFirst()
                .orElseThrow(() -> unknown("object", noun, OBJECTS));
    }

    static Place place(String noun) {
        return PLACE_DATA.stream().filter(p -> p.noun().equals(noun)).findFirst()
                .orElseThrow(() -> unknown("place", noun, PLACES));
    }

    static CriaException unknown(String what, String value, List<String> known) {
        return new CriaException("unknown " + what + " \"" + value + "\"; known: " + String.join(", ", known));
    }
}
