package dev.cria.serve;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Typed, bounded access to a JSON request body: every getter checks type, presence, length or range,
 * and refuses with a 400 that names the field.
 */
public final class Fields {
    private final JsonNode node;

    public Fields(JsonNode node) {
        this.node = node;
    }

    public JsonNode node() {
        return node;
    }

    public boolean has(String field) {
        return node.has(field) && !node.get(field).isNull();
    }

    public String string(String field, int maxChars) {
        String s = optionalString(field, maxChars);
        if (s == null) throw ApiError.badField(field, "is required");
        return s;
    }

    public String optionalString(String field, int maxChars) {
        if (!has(field)) return null;
        JsonNode v = node.get(field);
        if (!v.isTextual()) throw ApiError.badField(field, "must be a string");
        String s = v.asText();
        if (characters(s) > maxChars) throw ApiError.badField(field, "longer than " + maxChars + " characters");
        return s;
    }

    /** Length as people count it: an emoji is one character, though two UTF-16 units of a Java string. */
    static int characters(CharSequence s) {
        return Character.codePointCount(s, 0, s.length());
    }

    public long longValue(String field) {
        if (!has(field)) throw ApiError.badField(field, "is required");
        JsonNode v = node.get(field);
        if (!v.canConvertToLong() || !v.isIntegralNumber()) throw ApiError.badField(field, "must be an integer");
        return v.asLong();
    }

    public int intValue(String field, int min, int max, int fallback) {
        if (!has(field)) return fallback;
        JsonNode v = node.get(field);
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < min || v.asInt() > max) {
            throw ApiError.badField(field, "must be an integer from " + min + " to " + max);
        }
        return v.asInt();
    }

    public double doubleValue(String field, double min, double max, double fallback) {
        if (!has(field)) return fallback;
        JsonNode v = node.get(field);
        if (!v.isNumber() || !(v.asDouble() >= min && v.asDouble() <= max)) throw ApiError.badField(field, "must be a number from " + min + " to " + max);
        return v.asDouble();
    }

    public boolean bool(String field, boolean fallback) {
        if (!has(field)) return fallback;
        JsonNode v = node.get(field);
        if (!v.isBoolean()) throw ApiError.badField(field, "must be true or false");
        return v.asBoolean();
    }
}
