package dev.cria.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cria.util.CriaException;
import java.nio.file.Path;

/**
 * Reads typed values out of one {@code tokenizer.json}, so every problem names the file and the field:
 * {@code tokenizer.json: pre_tokenizer.pretokenizers[0].behavior: expected one of [...], got "Sideways"}.
 * It knows nothing about tokenizers; the component parsers use it.
 */
final class JsonFields {
    private final Path file;

    JsonFields(Path file) {
        this.file = file;
    }

    JsonNode required(JsonNode parent, String name, String field) {
        JsonNode node = parent.get(name);
        if (node == null || node.isNull()) throw fail(field + "." + name, "missing");
        return node;
    }

    String text(JsonNode parent, String name, String field) {
        JsonNode node = required(parent, name, field);
        if (!node.isTextual()) throw fail(field + "." + name, "expected a string, got " + node);
        return node.asText();
    }

    /** A string field that may be absent or null, as Hugging Face writes unused options. */
    String optionalText(JsonNode parent, String name, String field) {
        JsonNode node = parent.get(name);
        if (node == null || node.isNull()) return null;
        if (!node.isTextual()) throw fail(field + "." + name, "expected a string or null, got " + node);
        return node.asText();
    }

    boolean bool(JsonNode parent, String name, boolean absent, String field) {
        JsonNode node = parent.get(name);
        if (node == null || node.isNull()) return absent;
        if (!node.isBoolean()) throw fail(field + "." + name, "expected true or false, got " + node);
        return node.asBoolean();
    }

    int nonNegative(JsonNode parent, String name, int absent, String field) {
        JsonNode node = parent.get(name);
        if (node == null || node.isNull()) return absent;
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < 0) {
            throw fail(field + "." + name, "expected a non-negative integer, got " + node);
        }
        return node.asInt();
    }

    /** The component's {@code type}, e.g. {@code "Sequence"}. */
    String type(JsonNode node, String field) {
        if (!node.isObject()) throw fail(field, "expected an object with a \"type\", got " + node);
        return text(node, "type", field);
    }

    CriaException unsupported(String field, String type, String supported) {
        return fail(field + ".type", "\"" + type + "\" is not supported; Cria reads " + supported);
    }

    CriaException fail(String field, String problem) {
        return new CriaException(file + ": " + field + ": " + problem);
    }
}
