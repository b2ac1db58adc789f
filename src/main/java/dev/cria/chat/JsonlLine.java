package dev.cria.chat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cria.util.CriaException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * One parsed JSONL line and where it came from, so every complaint about it reads
 * {@code file:line: reason}. Package-private: the readers in {@link AlignmentJsonl} are the public face.
 */
record JsonlLine(Path file, int number, JsonNode node) {

    /** Whether the field is present and not JSON null (null counts as missing, as in TextSources). */
    boolean has(String field) {
        JsonNode value = node.get(field);
        return value != null && !value.isNull();
    }

    /** A required string field; {@code alternatives} names other fields that would also do, for the message. */
    String string(String field, String alternatives) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw error("missing string field \"" + field + "\"" + alternatives);
        }
        if (!value.isTextual()) {
            // TRL also has a conversational layout with lists of messages here; say what to do instead.
            String hint = value.isArray() ? " (lists of messages are only read from a \"messages\" field; write this one as plain text)" : "";
            throw error("field \"" + field + "\" is " + typeOf(value) + ", expected a string" + hint);
        }
        return value.asText();
    }

    String string(String field) {
        return string(field, "");
    }

    /** A required boolean field: JSON {@code true} or {@code false}, not a string or a number. */
    boolean bool(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) throw error("missing boolean field \"" + field + "\"");
        if (!value.isBoolean()) throw error("field \"" + field + "\" is " + typeOf(value) + ", expected true or false");
        return value.booleanValue();
    }

    /** The {@code "prompt"} field, which must hold some text. */
    String prompt(String alternatives) {
        String prompt = string("prompt", alternatives);
        if (prompt.isBlank()) throw error("field \"prompt\" is empty");
        return prompt;
    }

    CriaException error(String reason) {
        return new CriaException(file + ":" + number + ": " + reason);
    }

    static String typeOf(JsonNode value) {
        return value.getNodeType().toString().toLowerCase(Locale.ROOT);
    }
}
