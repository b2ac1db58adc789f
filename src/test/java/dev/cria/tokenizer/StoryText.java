package dev.cria.tokenizer;

import dev.cria.util.Rng;
import java.util.ArrayList;
import java.util.List;

/**
 * Seeded, made-up children's stories for tokenizer tests and the training benchmark: a small vocabulary
 * repeated a lot, like TinyStories. Not meant to read well, only to have the statistics of such text.
 */
final class StoryText {
    private static final String[] NAMES = {"Lily", "Tom", "Ben", "Mia", "Sam", "Anna", "Max", "Zoe", "Timmy", "Sue"};
    private static final String[] ANIMALS = {"cat", "dog", "bird", "bunny", "frog", "fish", "bear", "duck", "mouse"};
    private static final String[] THINGS = {"ball", "kite", "toy", "box", "flower", "hat", "cake", "book", "tree", "boat"};
    private static final String[] ADJECTIVES = {"big", "little", "red", "happy", "shiny", "sad", "funny", "soft", "blue"};
    private static final String[] PLACES = {"park", "garden", "house", "forest", "pond", "school", "beach", "yard"};
    private static final String[] VERBS = {"played", "ran", "jumped", "looked", "smiled", "laughed", "walked", "sang"};
    private static final String[] FEELINGS = {"happy", "sad", "scared", "excited", "proud", "sleepy", "angry"};

    private StoryText() {}

    static List<String> stories(int count, long seed) {
        Rng rng = new Rng(seed);
        List<String> stories = new ArrayList<>(count);
        for (int i = 0; i < count; i++) stories.add(story(rng));
        return stories;
    }

    private static String story(Rng rng) {
        String name = pick(rng, NAMES);
        String friend = pick(rng, NAMES);
        String animal = pick(rng, ANIMALS);
        String thing = pick(rng, THINGS);
        StringBuilder sb = new StringBuilder();
        sb.append("Once upon a time, there was a ").append(pick(rng, ADJECTIVES)).append(' ').append(animal)
                .append(" named ").append(name).append(". ");
        sb.append(name).append(" liked to play with a ").append(pick(rng, ADJECTIVES)).append(' ').append(thing)
                .append(" in the ").append(pick(rng, PLACES)).append(".\n\n");
        int sentences = 3 + rng.nextInt(6);
        for (int s = 0; s < sentences; s++) {
            switch (rng.nextInt(4)) {
                case 0 -> sb.append("One day, ").append(name).append(' ').append(pick(rng, VERBS)).append(" to the ")
                        .append(pick(rng, PLACES)).append(" with ").append(friend).append(". ");
                case 1 -> sb.append('"').append("Look at my ").append(thing).append("!\" said ").append(name)
                        .append(". ");
                case 2 -> sb.append(friend).append(" felt ").append(pick(rng, FEELINGS)).append(" and ")
                        .append(pick(rng, VERBS)).append(". ");
                default -> sb.append("They ").append(pick(rng, VERBS)).append(" and ").append(pick(rng, VERBS))
                        .append(" all day long, ").append(1 + rng.nextInt(20)).append(" times.\n");
            }
        }
        sb.append("The end.");
        return sb.toString();
    }

    private static String pick(Rng rng, String[] words) {
        return words[rng.nextInt(words.length)];
    }
}
