package dev.cria.serve;

import dev.cria.chat.ChatTurn;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * An OpenAI {@code messages} list read and checked as chat turns, which the model's chat format frames:
 * its own template renders them as they are, Cria's built-in format flattens them ({@code Conversation}).
 * The last turn must be the user's, since the model answers it.
 *
 * <p>A {@code developer} turn is a system turn (newer SDKs send that role). Content is a string or, as the
 * SDKs also send it, an array of {@code {"type": "text", "text": ...}} parts, joined by newlines; other parts (images,
 * audio, files) are refused, since the models read text only.
 */
final class ChatPrompt {
    static final int MAX_MESSAGES = 64;
    static final int MAX_CONTENT = 8000;

    private ChatPrompt() {
    }

    static List<ChatTurn> turns(JsonNode messages) {
        if (messages == null || messages.isNull()) throw ApiError.badField("messages", "is required");
        if (!messages.isArray() || messages.isEmpty()) throw ApiError.badField("messages", "must be a non-empty array of {\"role\", \"content\"}");
        if (messages.size() > MAX_MESSAGES) throw ApiError.badField("messages", "at most " + MAX_MESSAGES + " messages");
        List<String[]> turns = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String at = "messages[" + i + "]";
            if (!m.isObject()) throw ApiError.badField(at, "must be an object with role and content");
            JsonNode role = m.get("role"), content = m.get("content");
            if (role == null || !role.isTextual() || !List.of("system", "developer", "user", "assistant").contains(role.asText())) {
                throw ApiError.badField(at + ".role", "must be system, developer, user or assistant");
            }
            String text = text(content, at + ".content");
            if (Fields.characters(text) > MAX_CONTENT) throw ApiError.badField(at + ".content", "longer than " + MAX_CONTENT + " characters");
            turns.add(new String[] {role.asText().equals("developer") ? "system" : role.asText(), text});
        }
        if (!turns.getLast()[0].equals("user")) throw ApiError.badField("messages", "the last message must be the user's");
        if (turns.getLast()[1].isBlank()) throw ApiError.badField("messages[" + (turns.size() - 1) + "].content", "is empty");
        var out = new ArrayList<ChatTurn>();
        for (String[] t : turns) out.add(new ChatTurn(t[0], t[1]));
        return out;
    }

    /** A message's content: the string, or its text parts, one per line (as vLLM joins them). */
    private static String text(JsonNode content, String at) {
        if (content != null && content.isTextual()) return content.asText();
        if (content == null || !content.isArray()) throw ApiError.badField(at, "must be a string or an array of {\"type\": \"text\", \"text\"} parts");
        var joined = new StringBuilder();
        for (int j = 0; j < content.size(); j++) {
            JsonNode part = content.get(j);
            String partAt = at + "[" + j + "]";
            if (!part.isObject()) throw ApiError.badField(partAt, "must be an object {\"type\": \"text\", \"text\"}");
            String type = part.path("type").asText();
            if (!type.equals("text")) {
                throw ApiError.badField(partAt + ".type", "only text parts are supported, not '" + type + "': the models read text only", "unsupported_value");
            }
            if (!part.path("text").isTextual()) throw ApiError.badField(partAt + ".text", "must be a string");
            if (j > 0) joined.append('\n');
            joined.append(part.get("text").asText());
            if (Fields.characters(joined) > MAX_CONTENT) break;
        }
        return joined.toString();
    }
}
