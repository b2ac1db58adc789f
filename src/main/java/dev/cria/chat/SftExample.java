package dev.cria.chat;

/**
 * One supervised fine-tuning example: what the user asked and the answer the model should learn to
 * give. Both are plain text; {@link ChatTemplate} adds the special tokens around them.
 *
 * <p>The prompt is a single user turn. A conversation read from a {@code messages} line is flattened into
 * it (see {@link AlignmentJsonl}); this record does not model multi-turn chats.
 */
public record SftExample(String prompt, String response) {
    public SftExample {
        if (prompt == null) throw new IllegalArgumentException("prompt is null");
        if (prompt.isBlank()) throw new IllegalArgumentException("prompt is blank: \"" + prompt + "\"");
        if (response == null) throw new IllegalArgumentException("response is null for prompt \"" + prompt + "\"");
    }
}
