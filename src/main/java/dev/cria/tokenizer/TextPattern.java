package dev.cria.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The {@code pattern} of a Hugging Face {@code Split} or {@code Replace}: {@code {"String": " "}} matches
 * the text literally, {@code {"Regex": "..."}} is an Oniguruma regex, compiled by Java with Unicode
 * character classes ({@link BpeTokenizer#compileSplit}): {@code \p{L}}, possessive quantifiers and
 * {@code (?i:...)} mean the same in both.
 */
record TextPattern(Pattern pattern) {

    static TextPattern parse(JsonNode owner, String field, JsonFields json) {
        JsonNode node = json.required(owner, "pattern", field);
        String patternField = field + ".pattern";
        if (node.has("String")) return new TextPattern(Pattern.compile(Pattern.quote(json.text(node, "String", patternField))));
        if (!node.has("Regex")) throw json.fail(patternField, "expected {\"String\": ...} or {\"Regex\": ...}, got " + node);
        String regex = json.text(node, "Regex", patternField);
        try {
            return new TextPattern(BpeTokenizer.compileSplit(regex));
        } catch (PatternSyntaxException e) {
            throw json.fail(patternField + ".Regex", "Java cannot compile this regex: " + e.getDescription());
        }
    }

    Matcher matcher(String text) {
        return pattern.matcher(text);
    }

    String replaceAll(String text, String content) {
        return pattern.matcher(text).replaceAll(Matcher.quoteReplacement(content));
    }
}
