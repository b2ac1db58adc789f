package dev.cria.serve;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cria.generate.Generator;
import dev.cria.generate.TokenLogprob;
import dev.cria.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One request's answers in OpenAI's JSON shapes: the whole reply, or its streamed chunks. {@code model}
 * is the name the client asked for (say {@code policy}); {@code system_fingerprint} names the checkpoint
 * that answered (say {@code round-3}). Log-probs take chat's shape ({@code content: [{token, logprob,
 * bytes, top_logprobs}]}) or the legacy completions shape ({@code tokens, token_logprobs, top_logprobs,
 * text_offset}).
 */
final class OpenAiReply {
    record Usage(int promptTokens, int completionTokens) {
        ObjectNode json() {
            return Call.JSON.createObjectNode().put("prompt_tokens", promptTokens).put("completion_tokens", completionTokens)
                    .put("total_tokens", promptTokens + completionTokens);
        }
    }

    private final boolean chat;
    private final String id;
    private final long created;
    private final String model;
    private final String checkpoint;
    private final Tokenizer tokenizer;
    private final boolean logprobs;
    private final boolean includeUsage;

    OpenAiReply(CompletionRequest r, String id, long created, String checkpoint, Tokenizer tokenizer) {
        this.chat = r.chat();
        this.id = id;
        this.created = created;
        this.model = r.model();
        this.checkpoint = checkpoint;
        this.tokenizer = tokenizer;
        this.logprobs = r.logprobs() >= 0;
        this.includeUsage = r.includeUsage();
    }

    /** "stop" when the stop token or a stop string ended the answer, "length" when its budget or the context did. */
    static String finishReason(Generator.Finish finish, Choice choice) {
        return finish == Generator.Finish.LENGTH && !choice.stopped() ? "length" : "stop";
    }

    ObjectNode whole(List<Choice> choices, List<String> finishReasons, Usage usage) {
        ObjectNode out = head(chat ? "chat.completion" : "text_completion");
        ArrayNode array = out.putArray("choices");
        for (Choice c : choices) {
            ObjectNode choice = array.addObject().put("index", c.index);
            if (chat) choice.putObject("message").put("role", "assistant").put("content", c.text()).putNull("refusal");
            else choice.put("text", c.text());
            putLogprobs(choice, c.scored());
            choice.put("finish_reason", finishReasons.get(c.index));
        }
        out.set("usage", usage.json());
        return out;
    }

    /** Chat's first chunk: the role, no text yet. */
    ObjectNode roleChunk() {
        ObjectNode out = chunkHead();
        ObjectNode choice = out.putArray("choices").addObject().put("index", 0);
        choice.putObject("delta").put("role", "assistant").put("content", "");
        choice.putNull("logprobs").putNull("finish_reason");
        return out;
    }

    /** A piece of text (or, with {@code finish}, the end) of one choice, with the log-probs of the tokens not yet sent. */
    ObjectNode chunk(Choice c, String text, String finish) {
        ObjectNode out = chunkHead();
        ObjectNode choice = out.putArray("choices").addObject().put("index", c.index);
        if (chat) {
            ObjectNode delta = choice.putObject("delta");
            if (text != null) delta.put("content", text);
        } else {
            choice.put("text", text == null ? "" : text);
        }
        putLogprobs(choice, c.takeScored());
        if (finish == null) choice.putNull("finish_reason");
        else choice.put("finish_reason", finish);
        return out;
    }

    /** With {@code stream_options.include_usage}: the last chunk before {@code [DONE]}, no choices, the token counts. */
    ObjectNode usageChunk(Usage usage) {
        ObjectNode out = head(chat ? "chat.completion.chunk" : "text_completion");
        out.putArray("choices");
        out.set("usage", usage.json());
        return out;
    }

    private ObjectNode chunkHead() {
        ObjectNode out = head(chat ? "chat.completion.chunk" : "text_completion");
        if (includeUsage) out.putNull("usage");
        return out;
    }

    private ObjectNode head(String object) {
        return Call.JSON.createObjectNode().put("id", id).put("object", object).put("created", created).put("model", model)
                .put("system_fingerprint", checkpoint);
    }

    private void putLogprobs(ObjectNode choice, List<Choice.Scored> scored) {
        if (!logprobs) {
            choice.putNull("logprobs");
        } else if (chat) {
            ObjectNode node = choice.putObject("logprobs");
            ArrayNode content = node.putArray("content");
            for (Choice.Scored s : scored) {
                TokenLogprob lp = s.logprob();
                ObjectNode entry = tokenEntry(content.addObject(), lp.token(), lp.logprob());
                ArrayNode top = entry.putArray("top_logprobs");
                for (int i = 0; i < lp.top().length; i++) tokenEntry(top.addObject(), lp.top()[i], lp.topLogprobs()[i]);
            }
            node.putNull("refusal");
        } else {
            ObjectNode legacy = choice.putObject("logprobs");
            ArrayNode tokens = legacy.putArray("tokens"), tokenLogprobs = legacy.putArray("token_logprobs");
            ArrayNode top = legacy.putArray("top_logprobs"), offsets = legacy.putArray("text_offset");
            for (Choice.Scored s : scored) {
                TokenLogprob lp = s.logprob();
                tokens.add(tokenText(lp.token()));
                tokenLogprobs.add(lp.logprob());
                ObjectNode alternatives = top.addObject();
                for (int i = 0; i < lp.top().length; i++) {
                    // two tokens may read the same (bytes of one character): the likelier keeps the key
                    String key = tokenText(lp.top()[i]);
                    if (!alternatives.has(key)) alternatives.put(key, lp.topLogprobs()[i]);
                }
                offsets.add(s.textOffset());
            }
        }
    }

    /** {@code {token, logprob, bytes}}: bytes are exact, since a byte-level token may be part of a character. */
    private ObjectNode tokenEntry(ObjectNode entry, int token, float logprob) {
        byte[] bytes = tokenizer.tokenBytes(token);
        entry.put("token", new String(bytes, StandardCharsets.UTF_8)).put("logprob", logprob);
        ArrayNode array = entry.putArray("bytes");
        for (byte b : bytes) array.add(b & 0xFF);
        return entry;
    }

    private String tokenText(int token) {
        return new String(tokenizer.tokenBytes(token), StandardCharsets.UTF_8);
    }
}
