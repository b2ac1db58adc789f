package dev.cria.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cria.chat.ChatFormat;
import dev.cria.chat.ChatTurn;
import dev.cria.chat.Conversation;
import dev.cria.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * A validated body of {@code /v1/chat/completions} or {@code /v1/completions}. Fields Cria does not
 * implement are refused first ({@link RefusedFields}); the token budget is checked by
 * {@link #maxNewTokens} once the prompts are tokens, since only then is their length known.
 *
 * @param model          the name asked for ({@code policy} when none), which the replies carry
 * @param conversation   the chat's messages (null for completions)
 * @param prompts        the chat's flattened conversation, or each completion prompt (one choice each)
 * @param maxTokens      as asked, or null for {@link #DEFAULT_MAX_TOKENS} capped by what the context leaves
 * @param maxTokensField {@code max_tokens} or {@code max_completion_tokens}, whichever the client sent
 * @param includeUsage   streaming only: a last chunk carries the token counts
 * @param logprobs       alternatives to list per token (chat: 0..20, completions: 0..5), or -1 for no log-probs
 */
record CompletionRequest(boolean chat, String model, List<ChatTurn> conversation, List<String> prompts, Integer maxTokens, String maxTokensField, float temperature,
        float topP, long seed, boolean stream, boolean includeUsage, StopStrings stop, int logprobs) {
    static final int DEFAULT_MAX_TOKENS = 256;
    static final int MAX_PROMPT = 8000;
    static final int MAX_PROMPTS = 8;
    static final int MAX_STOPS = 4;
    static final int MAX_STOP_LENGTH = 200;

    static CompletionRequest parse(Fields f, boolean chat) {
        RefusedFields.check(f.node());
        String model = f.optionalString("model", 64);
        model = model == null || model.isEmpty() ? RunDir.POLICY : model;
        List<ChatTurn> conversation = chat ? ChatPrompt.turns(f.node().get("messages")) : null;
        List<String> prompts = chat ? List.of(Conversation.flatten(conversation)) : prompts(f.node().get("prompt"));
        String maxTokensField = f.has("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        Integer maxTokens = maxTokens(f.node().get(maxTokensField), maxTokensField);
        double temperature = f.doubleValue("temperature", 0, 2, 1.0);
        double topP = f.doubleValue("top_p", 0, 1, 1.0);
        if (topP == 0) throw ApiError.badField("top_p", "must be above 0");
        long seed = f.has("seed") ? f.longValue("seed") : System.nanoTime();
        boolean stream = f.bool("stream", false);
        return new CompletionRequest(chat, model, conversation, prompts, maxTokens, maxTokensField, (float) temperature, (float) topP, seed, stream,
                stream && includeUsage(f.node().get("stream_options")), stop(f.node().get("stop")), logprobs(f, chat));
    }

    /**
     * Each prompt as tokens: the conversation in the model's chat format for chat; for completions
     * {@code <|bos|> prompt}, or the prompt alone for a model without bos (Qwen).
     */
    List<int[]> promptTokens(ChatFormat format) {
        if (chat) return List.of(format.promptTokens(conversation));
        Tokenizer tokenizer = format.tokenizer();
        var out = new ArrayList<int[]>();
        // parse refuses an empty prompt, so a prompt without bos still has a token to start from
        for (String p : prompts) out.add(tokenizer.startingWithBos(tokenizer.encode(p)));
        return out;
    }

    /**
     * The answer's token budget: the one asked for, or the default, within what the context leaves after
     * the longest prompt. Asking for more is refused rather than silently cut ({@code context_length_exceeded}).
     */
    int maxNewTokens(List<int[]> promptTokens, int context) {
        int longest = 0;
        for (int i = 0; i < promptTokens.size(); i++) {
            int n = promptTokens.get(i).length;
            String field = chat ? "messages" : prompts.size() == 1 ? "prompt" : "prompt[" + i + "]";
            if (n >= context) {
                throw ApiError.badField(field, "is " + n + " tokens; the model's context is " + context + ", with room for at least one more",
                        "context_length_exceeded");
            }
            longest = Math.max(longest, n);
        }
        int left = context - longest;
        if (maxTokens == null) return Math.min(DEFAULT_MAX_TOKENS, left);
        if (maxTokens > left) {
            throw ApiError.badField(maxTokensField, maxTokens + " tokens do not fit: the context is " + context + " tokens and the prompt takes "
                    + longest + ", which leaves " + left, "context_length_exceeded");
        }
        return maxTokens;
    }

    /** At least 1; how many fit is checked against the context later, so there is no fixed upper bound. */
    private static Integer maxTokens(JsonNode v, String field) {
        if (v == null || v.isNull()) return null;
        if (!v.isIntegralNumber() || v.bigIntegerValue().signum() < 1) throw ApiError.badField(field, "must be a whole number of at least 1");
        return v.canConvertToInt() ? v.asInt() : Integer.MAX_VALUE;
    }

    /** A string, or an array of 1 to {@link #MAX_PROMPTS} strings; token ids are refused. */
    private static List<String> prompts(JsonNode prompt) {
        if (prompt == null || prompt.isNull()) throw ApiError.badField("prompt", "is required");
        if (prompt.isTextual()) return List.of(promptText(prompt, "prompt"));
        if (!prompt.isArray() || prompt.isEmpty()) throw ApiError.badField("prompt", "must be a string or a non-empty array of strings");
        if (prompt.size() > MAX_PROMPTS) throw ApiError.badField("prompt", "at most " + MAX_PROMPTS + " prompts per request: " + prompt.size());
        var out = new ArrayList<String>();
        for (int i = 0; i < prompt.size(); i++) {
            JsonNode p = prompt.get(i);
            if (p.isNumber() || p.isArray()) {
                throw ApiError.badField("prompt", "token ids are not supported; send the prompt as text", "unsupported_value");
            }
            out.add(promptText(p, "prompt[" + i + "]"));
        }
        return out;
    }

    private static String promptText(JsonNode p, String field) {
        if (!p.isTextual()) throw ApiError.badField(field, "must be a string");
        if (p.asText().isEmpty()) throw ApiError.badField(field, "is empty");
        if (Fields.characters(p.asText()) > MAX_PROMPT) throw ApiError.badField(field, "longer than " + MAX_PROMPT + " characters");
        return p.asText();
    }

    /** A string, or an array of up to {@link #MAX_STOPS} non-empty strings. */
    private static StopStrings stop(JsonNode stop) {
        if (stop == null || stop.isNull()) return StopStrings.NONE;
        if (stop.isTextual()) return new StopStrings(List.of(stopText(stop, "stop")));
        if (!stop.isArray() || stop.size() > MAX_STOPS) throw ApiError.badField("stop", "must be a string or an array of up to " + MAX_STOPS + " strings");
        var out = new ArrayList<String>();
        for (int i = 0; i < stop.size(); i++) out.add(stopText(stop.get(i), "stop[" + i + "]"));
        return new StopStrings(out);
    }

    private static String stopText(JsonNode s, String field) {
        if (!s.isTextual() || s.asText().isEmpty()) throw ApiError.badField(field, "must be a non-empty string");
        if (Fields.characters(s.asText()) > MAX_STOP_LENGTH) throw ApiError.badField(field, "longer than " + MAX_STOP_LENGTH + " characters");
        return s.asText();
    }

    private static boolean includeUsage(JsonNode options) {
        if (options == null || options.isNull()) return false;
        if (!options.isObject()) throw ApiError.badField("stream_options", "must be an object such as {\"include_usage\": true}");
        JsonNode include = options.get("include_usage");
        if (include == null || include.isNull()) return false;
        if (!include.isBoolean()) throw ApiError.badField("stream_options.include_usage", "must be true or false");
        return include.asBoolean();
    }

    /** Chat: {@code logprobs: true} with {@code top_logprobs} 0..20. Completions: {@code logprobs: N}, 0..5 (the legacy form). */
    private static int logprobs(Fields f, boolean chat) {
        if (!chat) return f.intValue("logprobs", 0, 5, -1);
        boolean on = f.bool("logprobs", false);
        if (!on && f.has("top_logprobs")) throw ApiError.badField("top_logprobs", "needs \"logprobs\": true");
        return on ? f.intValue("top_logprobs", 0, 20, 0) : -1;
    }
}
