package dev.cria.serve;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.function.Predicate;

/**
 * The OpenAI request fields Cria does not implement, in one list. A client that sets one expects it to
 * matter, so it gets a 400 naming the field (code {@code unsupported_parameter}) instead of an answer
 * that silently ignores it. Each field may still carry its "off" value (and null), which SDKs send by
 * default. Fields not listed here and not read by {@link CompletionRequest} (user, metadata, store,
 * service_tier, parallel_tool_calls ...) change nothing about the answer and are accepted.
 */
final class RefusedFields {
    private record Rule(String field, Predicate<JsonNode> off, String why) {
    }

    private static final String NO_TOOLS = "Cria's models do not call tools or functions";
    private static final Predicate<JsonNode> NEVER = v -> false;
    private static final Predicate<JsonNode> EMPTY = v -> v.isContainerNode() && v.isEmpty();
    private static final Predicate<JsonNode> ONE = v -> v.isIntegralNumber() && v.asLong() == 1;
    private static final Predicate<JsonNode> ZERO = v -> v.isNumber() && v.asDouble() == 0;

    private static final List<Rule> RULES = List.of(
            new Rule("tools", EMPTY, NO_TOOLS),
            new Rule("tool_choice", v -> v.asText().equals("none"), NO_TOOLS),
            new Rule("functions", EMPTY, NO_TOOLS),
            new Rule("function_call", v -> v.asText().equals("none"), NO_TOOLS),
            new Rule("response_format", v -> v.path("type").asText().equals("text"), "answers are plain text; there is no JSON mode"),
            new Rule("n", ONE, "one answer per request (for several, send several requests, or several prompts to /v1/completions)"),
            new Rule("best_of", ONE, "one answer per prompt"),
            new Rule("echo", v -> v.isBoolean() && !v.asBoolean(), "the prompt is not echoed back"),
            new Rule("suffix", v -> v.asText().isEmpty(), "Cria continues text; it does not fill in before a suffix"),
            new Rule("logit_bias", EMPTY, "the logits are not biased"),
            new Rule("presence_penalty", ZERO, "there are no repetition penalties"),
            new Rule("frequency_penalty", ZERO, "there are no repetition penalties"),
            new Rule("audio", NEVER, "text only"),
            new Rule("modalities", v -> v.isArray() && v.size() == 1 && v.get(0).asText().equals("text"), "text only"),
            new Rule("prediction", NEVER, "there are no predicted outputs"),
            new Rule("reasoning_effort", NEVER, "Cria's models do not reason in hidden tokens"),
            new Rule("web_search_options", NEVER, "there is no web search"));

    private RefusedFields() {
    }

    /** Refuses the first listed field the body sets to anything but its "off" value. */
    static void check(JsonNode body) {
        for (Rule r : RULES) {
            JsonNode v = body.get(r.field());
            if (v == null || v.isNull() || r.off().test(v)) continue;
            throw ApiError.badField(r.field(), "not supported: " + r.why() + " (got " + abbreviate(v.toString()) + ")", "unsupported_parameter");
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
