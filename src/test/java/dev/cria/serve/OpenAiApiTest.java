package dev.cria.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cria.chat.ChatTemplate;
import dev.cria.autograd.Grad;
import dev.cria.checkpoint.ModelDirectory;
import dev.cria.kernels.Softmax;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAI-compatible endpoints over a real socket, on a tiny random byte-level model (context 256):
 * stop strings, log-probs, stream options, several prompts, content parts, model names and every refusal.
 * Its sampled answers are gibberish bytes, so a test picks its stop strings out of an answer it saw first.
 */
class OpenAiApiTest {
    @TempDir
    static Path tmp;
    static Path model;
    static ServeFixture f;
    static Client alice;

    @BeforeAll
    static void start() {
        model = ServeFixture.randomModel(tmp);
        f = new ServeFixture(tmp, model, RoundConfig.defaults());
        alice = f.as(f.alice);
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    private static JsonNode ok(Client.Response r) {
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    /** The chunks of a server-sent-event reply, which must end with {@code [DONE]}. */
    private static List<JsonNode> chunks(Client.Response r) {
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).endsWith("data: [DONE]\n\n");
        var out = new ArrayList<JsonNode>();
        for (String event : r.body().split("\n\n")) {
            assertThat(event).startsWith("data: ");
            if (!event.equals("data: [DONE]")) out.add(new Client.Response(200, event.substring(6), null).json());
        }
        return out;
    }

    /** One choice's text, joined from its chunks (chat deltas or completion texts). */
    private static String streamed(List<JsonNode> chunks, int index) {
        var text = new StringBuilder();
        for (JsonNode c : chunks) {
            for (JsonNode choice : c.get("choices")) {
                if (choice.get("index").asInt() == index) text.append(choice.has("delta") ? choice.get("delta").path("content").asText("") : choice.get("text").asText());
            }
        }
        return text.toString();
    }

    private static String finishReason(List<JsonNode> chunks, int index) {
        String finish = null;
        for (JsonNode c : chunks) {
            for (JsonNode choice : c.get("choices")) if (choice.get("index").asInt() == index && !choice.get("finish_reason").isNull()) finish = choice.get("finish_reason").asText();
        }
        return finish;
    }

    private static Map<String, Object> with(Map<String, Object> body, Object... more) {
        var out = new HashMap<>(body);
        for (int i = 0; i < more.length; i += 2) out.put((String) more[i], more[i + 1]);
        return out;
    }

    private static Map<String, Object> chat(String content) {
        return Map.of("messages", List.of(Map.of("role", "user", "content", content)), "max_tokens", 24);
    }

    private static String chatText(JsonNode reply) {
        return reply.get("choices").get(0).get("message").get("content").asText();
    }

    private static String completionText(JsonNode reply) {
        return reply.get("choices").get(0).get("text").asText();
    }

    /** A seed whose answer has, early on, a two-character ASCII string not seen before it: a stop string that will cut it. */
    record Pick(long seed, String stop, String text, int at) {
    }

    static Pick pickStop(LongFunction<String> answer) {
        for (long seed = 1; seed < 100; seed++) {
            String text = answer.apply(seed);
            for (int k = 2; k + 2 <= text.length() / 2; k++) {
                String s = text.substring(k, k + 2);
                if (s.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f) && text.indexOf(s) == k) return new Pick(seed, s, text, k);
            }
        }
        throw new AssertionError("no seed gave an answer with a usable stop string");
    }

    @Test
    void aStopStringEndsGenerationAndIsNeverSentEvenWhenStreamed() {
        var body = Map.<String, Object>of("prompt", "Once upon a time", "max_tokens", 40);
        Pick p = pickStop(seed -> completionText(ok(alice.post("/v1/completions", with(body, "seed", seed)))));
        JsonNode free = ok(alice.post("/v1/completions", with(body, "seed", p.seed())));
        assertThat(free.get("usage").get("completion_tokens").asInt()).isEqualTo(40);

        var stopped = with(body, "seed", p.seed(), "stop", List.of("\u0007never", p.stop()));
        JsonNode cut = ok(alice.post("/v1/completions", stopped));
        assertThat(completionText(cut)).isEqualTo(p.text().substring(0, p.at()));
        assertThat(cut.get("choices").get(0).get("finish_reason").asText()).isEqualTo("stop");
        assertThat(cut.get("usage").get("completion_tokens").asInt()).as("generation ends at the stop, not at max_tokens").isLessThan(40);

        var sse = chunks(alice.post("/v1/completions", with(stopped, "stream", true)));
        assertThat(streamed(sse, 0)).isEqualTo(p.text().substring(0, p.at()));
        assertThat(finishReason(sse, 0)).isEqualTo("stop");
        for (JsonNode c : sse) assertThat(c.get("choices").get(0).get("text").asText()).doesNotContain(p.stop());

        var chatBody = chat("Tell a story.");
        Pick q = pickStop(seed -> chatText(ok(alice.post("/v1/chat/completions", with(chatBody, "seed", seed)))));
        var chatSse = chunks(alice.post("/v1/chat/completions", with(chatBody, "seed", q.seed(), "stop", q.stop(), "stream", true)));
        assertThat(streamed(chatSse, 0)).isEqualTo(q.text().substring(0, q.at()));
        assertThat(finishReason(chatSse, 0)).isEqualTo("stop");

        assertThat(alice.post("/v1/completions", with(body, "stop", List.of("a", "b", "c", "d", "e"))).field()).isEqualTo("stop");
        assertThat(alice.post("/v1/completions", with(body, "stop", List.of("a", ""))).field()).isEqualTo("stop[1]");
        assertThat(alice.post("/v1/completions", with(body, "stop", 7)).field()).isEqualTo("stop");
    }

    @Test
    void streamOptionsIncludeUsageAddsAChoicelessUsageChunkBeforeDone() {
        var body = with(chat("Hello."), "seed", 4, "stream", true);
        JsonNode whole = ok(alice.post("/v1/chat/completions", with(body, "stream", false)));
        var sse = chunks(alice.post("/v1/chat/completions", with(body, "stream_options", Map.of("include_usage", true))));
        JsonNode last = sse.getLast();
        assertThat(last.get("choices").isEmpty()).isTrue();
        assertThat(last.get("usage")).isEqualTo(whole.get("usage"));
        assertThat(last.get("usage").get("total_tokens").asInt())
                .isEqualTo(last.get("usage").get("prompt_tokens").asInt() + last.get("usage").get("completion_tokens").asInt());
        for (JsonNode c : sse.subList(0, sse.size() - 1)) assertThat(c.get("usage").isNull()).isTrue();

        var plain = chunks(alice.post("/v1/chat/completions", body));
        assertThat(plain).allSatisfy(c -> assertThat(c.has("usage")).isFalse());
        assertThat(alice.post("/v1/chat/completions", with(body, "stream_options", Map.of("include_usage", "yes"))).field())
                .isEqualTo("stream_options.include_usage");
    }

    @Test
    void repliesNameTheModelAskedForAndModelsCanBeLookedUp() {
        JsonNode reply = ok(alice.post("/v1/chat/completions", with(chat("Hi."), "model", "policy", "max_tokens", 3)));
        assertThat(reply.get("model").asText()).isEqualTo("policy");
        assertThat(reply.get("system_fingerprint").asText()).as("the checkpoint that answered").isEqualTo("base");
        var sse = chunks(alice.post("/v1/completions", Map.of("prompt", "Hi", "max_tokens", 3, "stream", true)));
        assertThat(sse).allSatisfy(c -> assertThat(c.get("model").asText()).isEqualTo("policy"));
        assertThat(ok(alice.post("/v1/completions", Map.of("model", "base", "prompt", "Hi", "max_tokens", 2))).get("model").asText()).isEqualTo("base");

        JsonNode base = ok(alice.get("/v1/models/base"));
        assertThat(base.get("id").asText()).isEqualTo("base");
        assertThat(base.get("object").asText()).isEqualTo("model");
        assertThat(ok(alice.get("/v1/models/policy")).get("owned_by").asText()).isEqualTo("cria");
        for (var missing : List.of(alice.get("/v1/models/gpt-9"), alice.post("/v1/completions", Map.of("model", "gpt-9", "prompt", "hi")))) {
            assertThat(missing.status()).isEqualTo(404);
            assertThat(missing.json().get("error").get("code").asText()).isEqualTo("model_not_found");
            assertThat(missing.json().get("error").get("param").asText()).isEqualTo("model");
        }
        assertThat(new Client(f::url, null).get("/v1/models/base").status()).isEqualTo(401);
    }

    @Test
    void aTokenBudgetBeyondTheContextIsRefusedNotCut() {
        // bos + 200 bytes = 201 prompt tokens of the context's 256, which leaves 55
        String prompt = "x".repeat(200);
        for (String field : List.of("max_tokens", "max_completion_tokens")) {
            var r = alice.post("/v1/completions", Map.of("prompt", prompt, field, 56));
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.field()).isEqualTo(field);
            assertThat(r.json().get("error").get("code").asText()).isEqualTo("context_length_exceeded");
            assertThat(r.json().get("error").get("message").asText()).contains("leaves 55");
        }
        assertThat(ok(alice.post("/v1/completions", Map.of("prompt", prompt, "max_tokens", 55, "temperature", 0))).get("usage").get("completion_tokens").asInt())
                .isEqualTo(55);
        assertThat(ok(alice.post("/v1/completions", Map.of("prompt", "x".repeat(250), "temperature", 0))).get("usage").get("completion_tokens").asInt())
                .as("no max_tokens: what the context leaves").isEqualTo(5);
        var tooLong = alice.post("/v1/completions", Map.of("prompt", "x".repeat(255)));
        assertThat(tooLong.field()).isEqualTo("prompt");
        assertThat(tooLong.json().get("error").get("code").asText()).isEqualTo("context_length_exceeded");
        assertThat(alice.post("/v1/completions", Map.of("prompt", "Hi", "max_tokens", 0)).field()).isEqualTo("max_tokens");
        var chatTooLong = alice.post("/v1/chat/completions", chat("x".repeat(300)));
        assertThat(chatTooLong.field()).isEqualTo("messages");
        assertThat(chatTooLong.json().get("error").get("code").asText()).isEqualTo("context_length_exceeded");
    }

    @Test
    void chatLogprobsAreTheRawModelDistributionInEveryChunk() {
        var body = with(chat("Tell a story."), "max_tokens", 5, "temperature", 0, "logprobs", true, "top_logprobs", 3);
        JsonNode reply = ok(alice.post("/v1/chat/completions", body));
        JsonNode content = reply.get("choices").get(0).get("logprobs").get("content");
        assertThat(content.size()).isEqualTo(reply.get("usage").get("completion_tokens").asInt());
        for (JsonNode entry : content) {
            JsonNode top = entry.get("top_logprobs");
            assertThat(top.size()).isEqualTo(3);
            assertThat(entry.get("logprob").asDouble()).as("greedy takes the likeliest").isEqualTo(top.get(0).get("logprob").asDouble());
            assertThat(top.get(0).get("logprob").asDouble()).isGreaterThanOrEqualTo(top.get(2).get("logprob").asDouble()).isLessThanOrEqualTo(0);
            assertThat(entry.get("bytes").size()).isPositive();
        }
        // the first token's top three, from the model itself: log-softmax of the prompt's last row of logits
        var loaded = ModelDirectory.load(model);
        int[] prompt = ChatTemplate.promptTokens(loaded.tokenizer(), "Tell a story.");
        int V = loaded.model().config().vocab();
        float[] logits;
        try (var off = Grad.off()) {
            logits = loaded.model().logits(prompt, 1, prompt.length).data;
        }
        int last = (prompt.length - 1) * V;
        float lse = Softmax.rowLseScalar(logits, last, V);
        double[] logprobs = new double[V];
        for (int v = 0; v < V; v++) logprobs[v] = logits[last + v] - lse;
        java.util.Arrays.sort(logprobs);
        JsonNode firstTop = content.get(0).get("top_logprobs");
        for (int i = 0; i < 3; i++) assertThat(firstTop.get(i).get("logprob").asDouble()).isCloseTo(logprobs[V - 1 - i], within(1e-4));

        JsonNode hot = ok(alice.post("/v1/chat/completions", with(body, "temperature", 1.8, "seed", 3)));
        assertThat(hot.get("choices").get(0).get("logprobs").get("content").get(0).get("top_logprobs"))
                .as("log-probs are taken before temperature").isEqualTo(content.get(0).get("top_logprobs"));

        var sse = chunks(alice.post("/v1/chat/completions", with(body, "stream", true)));
        var joined = new ArrayList<JsonNode>();
        for (JsonNode c : sse.subList(1, sse.size())) c.get("choices").get(0).get("logprobs").get("content").forEach(joined::add);
        assertThat(joined).containsExactlyElementsOf(content);

        assertThat(ok(alice.post("/v1/chat/completions", with(chat("Hi."), "max_tokens", 2))).get("choices").get(0).get("logprobs").isNull()).isTrue();
        assertThat(alice.post("/v1/chat/completions", with(body, "top_logprobs", 21)).field()).isEqualTo("top_logprobs");
        assertThat(alice.post("/v1/chat/completions", with(body, "logprobs", false)).field()).isEqualTo("top_logprobs");
        assertThat(alice.post("/v1/chat/completions", with(body, "logprobs", 3)).field()).isEqualTo("logprobs");
    }

    @Test
    void completionLogprobsTakeTheLegacyShape() {
        JsonNode reply = ok(alice.post("/v1/completions", Map.of("prompt", "Once upon a time", "max_tokens", 8, "seed", 2, "logprobs", 2)));
        JsonNode lp = reply.get("choices").get(0).get("logprobs");
        int n = reply.get("usage").get("completion_tokens").asInt();
        assertThat(lp.get("tokens").size()).isEqualTo(n);
        assertThat(lp.get("token_logprobs").size()).isEqualTo(n);
        assertThat(lp.get("top_logprobs").size()).isEqualTo(n);
        assertThat(lp.get("top_logprobs")).allSatisfy(alternatives -> assertThat(alternatives.size()).isBetween(1, 2));
        JsonNode offsets = lp.get("text_offset");
        assertThat(offsets.get(0).asInt()).isZero();
        for (int i = 1; i < n; i++) assertThat(offsets.get(i).asInt()).isGreaterThanOrEqualTo(offsets.get(i - 1).asInt());
        assertThat(offsets.get(n - 1).asInt()).isLessThanOrEqualTo(completionText(reply).length());
        assertThat(alice.post("/v1/completions", Map.of("prompt", "Hi", "logprobs", 6)).field()).isEqualTo("logprobs");
    }

    @Test
    void eachPromptOfAnArrayIsItsOwnChoice() {
        var body = Map.<String, Object>of("prompt", List.of("Once", "Twice", "Once"), "max_tokens", 6, "seed", 5);
        JsonNode reply = ok(alice.post("/v1/completions", body));
        JsonNode choices = reply.get("choices");
        assertThat(choices.findValuesAsText("index")).containsExactly("0", "1", "2");
        String alone = completionText(ok(alice.post("/v1/completions", Map.of("prompt", "Once", "max_tokens", 6, "seed", 5))));
        assertThat(choices.get(0).get("text").asText()).as("the first prompt samples as it would alone").isEqualTo(alone);
        assertThat(reply.get("usage").get("prompt_tokens").asInt()).isEqualTo(5 + 6 + 5);

        var sse = chunks(alice.post("/v1/completions", with(body, "stream", true)));
        for (int i = 0; i < 3; i++) {
            assertThat(streamed(sse, i)).isEqualTo(choices.get(i).get("text").asText());
            assertThat(finishReason(sse, i)).isEqualTo(choices.get(i).get("finish_reason").asText());
        }

        assertThat(alice.post("/v1/completions", Map.of("prompt", List.of(1, 2, 3))).field()).as("token ids").isEqualTo("prompt");
        assertThat(alice.post("/v1/completions", Map.of("prompt", List.of(List.of(1, 2)))).field()).isEqualTo("prompt");
        assertThat(alice.post("/v1/completions", Map.of("prompt", List.of("a", ""))).field()).isEqualTo("prompt[1]");
        assertThat(alice.post("/v1/completions", Map.of("prompt", List.of("a", "b", "c", "d", "e", "f", "g", "h", "i"))).field()).isEqualTo("prompt");
        assertThat(alice.post("/v1/completions", Map.of("prompt", List.of())).field()).isEqualTo("prompt");
    }

    @Test
    void chatContentMayComeAsTextPartsAndDeveloperIsASystemTurn() {
        String asString = chatText(ok(alice.post("/v1/chat/completions", with(chat("Tell a story."), "seed", 8))));
        var parts = List.of(Map.of("role", "user", "content", List.of(Map.of("type", "text", "text", "Tell a story."))));
        assertThat(chatText(ok(alice.post("/v1/chat/completions", Map.of("messages", parts, "max_tokens", 24, "seed", 8))))).isEqualTo(asString);

        var system = List.of(Map.of("role", "system", "content", "Be kind."), Map.of("role", "user", "content", "Hi."));
        var developer = List.of(Map.of("role", "developer", "content", "Be kind."), Map.of("role", "user", "content", "Hi."));
        assertThat(chatText(ok(alice.post("/v1/chat/completions", Map.of("messages", developer, "max_tokens", 24, "seed", 8)))))
                .isEqualTo(chatText(ok(alice.post("/v1/chat/completions", Map.of("messages", system, "max_tokens", 24, "seed", 8)))));

        var image = List.of(Map.of("role", "user", "content",
                List.of(Map.of("type", "text", "text", "What is this?"), Map.of("type", "image_url", "image_url", Map.of("url", "http://x/y.png")))));
        var refused = alice.post("/v1/chat/completions", Map.of("messages", image));
        assertThat(refused.field()).isEqualTo("messages[0].content[1].type");
        assertThat(refused.json().get("error").get("code").asText()).isEqualTo("unsupported_value");
        assertThat(alice.post("/v1/chat/completions", Map.of("messages", List.of(Map.of("role", "user", "content", 5)))).field()).isEqualTo("messages[0].content");
    }

    @Test
    void unsupportedFieldsAreRefusedByNameAndHarmlessOnesAccepted() {
        var tool = Map.of("type", "function", "function", Map.of("name", "f"));
        Map<String, Object> refused = new java.util.LinkedHashMap<>();
        refused.put("tools", List.of(tool));
        refused.put("tool_choice", "auto");
        refused.put("functions", List.of(Map.of("name", "f")));
        refused.put("function_call", "auto");
        refused.put("response_format", Map.of("type", "json_object"));
        refused.put("n", 2);
        refused.put("best_of", 3);
        refused.put("echo", true);
        refused.put("suffix", "the end");
        refused.put("logit_bias", Map.of("50", 10));
        refused.put("presence_penalty", 0.5);
        refused.put("frequency_penalty", -1);
        refused.put("audio", Map.of("voice", "alloy"));
        refused.put("modalities", List.of("text", "audio"));
        refused.put("reasoning_effort", "low");
        for (var e : refused.entrySet()) {
            for (String path : List.of("/v1/chat/completions", "/v1/completions")) {
                var body = with(path.contains("chat") ? chat("Hi.") : Map.<String, Object>of("prompt", "Hi"), e.getKey(), e.getValue());
                var r = alice.post(path, body);
                assertThat(r.status()).as(e.getKey()).isEqualTo(400);
                assertThat(r.field()).isEqualTo(e.getKey());
                assertThat(r.json().get("error").get("code").asText()).isEqualTo("unsupported_parameter");
            }
        }
        var harmless = with(chat("Hi."), "max_tokens", 2, "tools", List.of(), "tool_choice", "none", "n", 1, "response_format", Map.of("type", "text"),
                "presence_penalty", 0, "frequency_penalty", 0.0, "logit_bias", Map.of(), "modalities", List.of("text"), "user", "u-1",
                "metadata", Map.of("k", "v"), "store", false, "service_tier", "auto", "stream_options", Map.of("include_usage", true));
        harmless.put("parallel_tool_calls", null);
        harmless.put("audio", null);
        ok(alice.post("/v1/chat/completions", harmless));
        ok(alice.post("/v1/completions", Map.of("prompt", "Hi", "max_tokens", 2, "echo", false, "best_of", 1, "suffix", "", "user", "u-1")));
    }
}
