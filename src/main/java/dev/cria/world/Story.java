package dev.cria.world;

/**
 * One generated story: its text (a single paragraph) and the fully resolved topic it was written from,
 * so a caller can check, say, that a story about Tom the cat mentions Tom and the cat.
 */
public record Story(String text, StoryTopic topic) {
    public Story {
        if (text == null || text.isBlank()) throw new IllegalArgumentException("story text is empty");
        if (topic == null || !topic.isComplete()) throw new IllegalArgumentException("story topic is not fully resolved: " + topic);
    }

    /** Sentences in the text, counted by terminal punctuation; a quoted exclamation inside a sentence does not count. */
    public int sentenceCount() {
        return Template.countSentences(text);
    }
}
