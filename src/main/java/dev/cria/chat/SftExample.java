package dev.cria.chat;

import java.util.List;

/**
 * One supervised fine-tuning example: what the user asked and the answer the model should learn to
 * give. Both are plain text; the model's {@link ChatFormat} adds the special tokens around them.
 *
 * @param prompt the turns before the reply as one text ({@link Conversation#flatten}), for Cria's built-in
 *               format and for logs
 * @param context the turns themselves (an optional system turn, then user and assistant turns ending with
 *                the user's), which a model's own template renders as they are
 */
public record SftExample(String prompt, String response, List<ChatTurn> context) {
    public SftExample {
        if (prompt == null) throw new IllegalArgumentException("prompt is null");
        if (prompt.isBlank()) throw new IllegalArgumentException("prompt is blank: \"" + prompt + "\"");
        if (response == null) throw new IllegalArgumentException("response is null for prompt \"" + prompt + "\"");
        context = List.copyOf(context);
    }

    /** A single user turn. */
    public SftExample(String prompt, String response) {
        this(prompt, response, Conversation.of(null, prompt));
    }
}
