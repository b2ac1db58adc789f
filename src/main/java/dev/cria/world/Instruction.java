package dev.cria.world;

import dev.cria.world.StoryTopic;

/**
 * A built-in instruction and what it asks for: {@code text} is the prompt ("Tell me a story about a cat
 * named Tom who loses his ball."), {@code topic} the request behind it, with only the fields the text
 * names set (always animal and name). Rewards and tests check responses against the topic, and
 * {@link StoryRequest#parse} recovers the same animal and name from the text alone.
 */
public record Instruction(String text, StoryTopic topic) {
    public Instruction {
        if (text == null || text.isBlank()) throw new IllegalArgumentException("instruction text is empty: " + text);
        if (topic == null) throw new IllegalArgumentException("topic is null for instruction \"" + text + "\"");
    }
}
