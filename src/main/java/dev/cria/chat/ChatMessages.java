package dev.cria.chat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a TRL {@code "messages"} conversation into an {@link SftExample}: the last assistant turn is the
 * response and the turns before it are its context, kept as turns for a model's own template and
 * flattened into one prompt string ({@link Conversation#flatten}) for Cria's built-in format.
 *
 * <p>Accepted shape: an optional {@code system} turn first, then {@code user} and {@code assistant} turns
 * alternating, starting with user and ending with assistant. Flattening, paragraphs joined by a blank line:
 * <ul>
 *   <li>{@code [user, assistant]}: the prompt is the user's text, unchanged (the common case);
 *   <li>a system turn becomes an unlabelled first paragraph (a blank one is dropped);
 *   <li>with earlier exchanges, every turn in the prompt is labelled: "User: ...", "Assistant: ...".
 * </ul>
 * The flattening is lossy for Cria's format on purpose: text can never produce its special tokens, so
 * earlier turns cannot be re-framed with {@code <|user|>} markers.
 */
final class ChatMessages {
    private ChatMessages() {}

    static SftExample toSft(JsonlLine line) {
        List<ChatTurn> turns = turns(line);
        int first = turns.getFirst().role().equals("system") ? 1 : 0;
        // subtle: after the optional system turn, user and assistant alternate, so the roles are fixed by
        // position and a wrong one can be named exactly.
        for (int i = first; i < turns.size(); i++) {
            String expected = (i - first) % 2 == 0 ? "user" : "assistant";
            if (!turns.get(i).role().equals(expected)) {
                String why = turns.get(i).role().equals("system") ? "a system turn may only come first" : "turns must alternate user, assistant, user, ...";
                throw line.error("messages[" + i + "].role is \"" + turns.get(i).role() + "\", expected \"" + expected + "\" (" + why + ")");
            }
        }
        int last = turns.size() - 1;
        if (last < first || !turns.get(last).role().equals("assistant")) {
            throw line.error("field \"messages\" must end with an assistant turn, the response to train on");
        }
        if (turns.get(last - 1).content().isBlank()) throw line.error("messages[" + (last - 1) + "].content is empty; the prompt needs some text");
        List<ChatTurn> context = turns.subList(0, last);
        return new SftExample(Conversation.flatten(context), turns.get(last).content(), context);
    }

    private static List<ChatTurn> turns(JsonlLine line) {
        JsonNode messages = line.node().get("messages");
        if (!messages.isArray()) {
            throw line.error("field \"messages\" is " + JsonlLine.typeOf(messages) + ", expected an array of {\"role\", \"content\"} objects");
        }
        if (messages.isEmpty()) throw line.error("field \"messages\" is empty");
        List<ChatTurn> turns = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            String at = "messages[" + i + "]";
            if (!message.isObject()) throw line.error(at + " is " + JsonlLine.typeOf(message) + ", expected a {\"role\", \"content\"} object");
            String role = field(line, message, at, "role");
            if (!role.equals("system") && !role.equals("user") && !role.equals("assistant")) {
                throw line.error(at + ".role is \"" + role + "\", expected \"system\", \"user\" or \"assistant\"");
            }
            turns.add(new ChatTurn(role, field(line, message, at, "content")));
        }
        return turns;
    }

    private static String field(JsonlLine line, JsonNode message, String at, String name) {
        JsonNode value = message.get(name);
        if (value == null || value.isNull()) throw line.error(at + " has no string field \"" + name + "\"");
        if (!value.isTextual()) throw line.error(at + "." + name + " is " + JsonlLine.typeOf(value) + ", expected a string");
        return value.asText();
    }
}
