package dev.cria.chat;

import java.util.ArrayList;
import java.util.List;

/**
 * The turns before a reply, flattened into one prompt for Cria's built-in chat format, which frames a
 * single user turn: paragraphs joined by a blank line, a system turn as an unlabelled first paragraph (a
 * blank one dropped), the user's text unchanged when it is the only turn, and every turn labelled
 * ("User: ...", "Assistant: ...") when there were earlier exchanges. A model's own template needs none of
 * this: it renders the turns themselves.
 */
public final class Conversation {
    private Conversation() {
    }

    /** The turns as one prompt; {@code context} is an optional system turn, then user and assistant turns ending with the user's. */
    public static String flatten(List<ChatTurn> context) {
        if (context.isEmpty()) throw new IllegalArgumentException("a conversation needs at least the user's turn");
        var paragraphs = new ArrayList<String>();
        long exchanges = context.stream().filter(t -> !t.role().equals("system")).count();
        for (ChatTurn t : context) {
            if (t.role().equals("system")) {
                if (!t.content().isBlank()) paragraphs.add(t.content());
            } else if (exchanges == 1) {
                paragraphs.add(t.content());
            } else {
                paragraphs.add((t.role().equals("user") ? "User: " : "Assistant: ") + t.content());
            }
        }
        return String.join("\n\n", paragraphs);
    }

    /** A single user turn, with a system turn before it unless system is null. */
    public static List<ChatTurn> of(String system, String prompt) {
        if (prompt == null) throw new IllegalArgumentException("prompt is null");
        return system == null ? List.of(new ChatTurn("user", prompt)) : List.of(new ChatTurn("system", system), new ChatTurn("user", prompt));
    }
}
