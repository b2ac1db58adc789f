package dev.cria.serve;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cria.align.data.ChatTemplate;
import dev.cria.generate.Generator;
import dev.cria.generate.Sampler;
import dev.cria.util.Rng;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * The OpenAI-compatible endpoints, so existing clients can talk to any checkpoint of the run:
 * <pre>
 *   GET  /v1/models
 *   POST /v1/chat/completions {"model","messages","max_tokens","temperature","top_p","seed","stream"}
 *   POST /v1/completions      {"model","prompt","max_tokens","temperature","top_p","seed","stream"}
 * </pre>
 * With {@code "stream": true} the reply is server-sent events: {@code data: {chunk}} per token, then
 * {@code data: [DONE]}. Chat prompts use Cria's chat template; completions continue {@code <|bos|> prompt}.
 * One answer per request ({@code n} must be 1); unknown fields are ignored, as OpenAI's own clients send many.
 */
final class OpenAiApi {
    static final int MAX_TOKENS = 2048;
    static final int MAX_PROMPT = 8000;
    private final RunDir run;
    private final ModelHost host;

    OpenAiApi(RunDir run, ModelHost host) {
        this.run = run;
        this.host = host;
    }

    void register(Router router) {
        router.get("/v1/models", Router.Access.SIGNED_IN, this::models);
        router.post("/v1/chat/completions", Router.Access.SIGNED_IN, call -> complete(call, true));
        router.post("/v1/completions", Router.Access.SIGNED_IN, call -> complete(call, false));
    }

    private void models(Call call) {
        ObjectNode out = Call.JSON.createObjectNode();
        out.put("object", "list");
        ArrayNode data = out.putArray("data");
        long created = Instant.now().getEpochSecond();
        for (String name : run.modelNames()) data.addObject().put("id", name).put("object", "model").put("created", created).put("owned_by", "cria");
        call.json(200, out);
    }

    /** A validated request. */
    private record Request(String model, String prompt, int maxTokens, float temperature, float topP, long seed, boolean stream) {
    }

    private Request parse(Fields f, boolean chat) {
        String model = f.optionalString("model", 64);
        model = model == null || model.isEmpty() ? RunDir.POLICY : model;
        run.modelDir(model);
        String prompt;
        if (chat) {
            prompt = ChatPrompt.flatten(f.node().get("messages"));
        } else {
            prompt = f.string("prompt", MAX_PROMPT);
            if (prompt.isEmpty()) throw ApiError.badField("prompt", "is empty");
        }
        int maxTokens = f.has("max_completion_tokens") ? f.intValue("max_completion_tokens", 1, MAX_TOKENS, 256) : f.intValue("max_tokens", 1, MAX_TOKENS, 256);
        double temperature = f.doubleValue("temperature", 0, 2, 1.0);
        double topP = f.doubleValue("top_p", 0, 1, 1.0);
        if (topP == 0) throw ApiError.badField("top_p", "must be above 0");
        if (f.intValue("n", 1, 1, 1) != 1) throw ApiError.badField("n", "must be 1");
        long seed = f.has("seed") ? f.longValue("seed") : System.nanoTime();
        return new Request(model, prompt, maxTokens, (float) temperature, (float) topP, seed, f.bool("stream", false));
    }

    private void complete(Call call, boolean chat) {
        Request r = parse(call.json(), chat);
        String id = (chat ? "chatcmpl-" : "cmpl-") + Passwords.randomToken(12);
        long created = Instant.now().getEpochSecond();
        host.call(() -> {
            var m = host.load(r.model());
            int[] prompt = chat ? ChatTemplate.promptTokens(m.tokenizer(), r.prompt()) : withBos(m.tokenizer().bosId(), m.tokenizer().encode(r.prompt()));
            int context = m.model().config().maxSeqLen();
            if (prompt.length >= context) {
                throw ApiError.badField(chat ? "messages" : "prompt", "is " + prompt.length + " tokens; the model's context is " + context);
            }
            Sampler sampler = r.temperature() == 0 ? Sampler.greedy() : new Sampler(r.temperature(), 0, r.topP());
            var generator = new Generator(m.model());
            if (!r.stream()) {
                var c = generator.generate(List.of(prompt), r.maxTokens(), sampler, new Rng(r.seed()), m.tokenizer().eosId(), null).getFirst();
                call.json(200, reply(chat, id, created, m.name(), ChatTemplate.decodeResponse(m.tokenizer(), c.tokens()), finish(c), prompt.length, c.tokens().length));
                return null;
            }
            OutputStream out = call.eventStream();
            var text = new TokenText(m.tokenizer());
            if (chat) send(out, chunk(true, id, created, m.name(), null, null));
            var c = generator.generate(List.of(prompt), r.maxTokens(), sampler, new Rng(r.seed()), m.tokenizer().eosId(), (seq, token) -> {
                String piece = text.accept(token);
                if (!piece.isEmpty()) send(out, chunk(chat, id, created, m.name(), piece, null));
            }).getFirst();
            String rest = text.finish();
            if (!rest.isEmpty()) send(out, chunk(chat, id, created, m.name(), rest, null));
            send(out, chunk(chat, id, created, m.name(), null, finish(c)));
            write(out, "data: [DONE]\n\n");
            out.close();
            return null;
        });
    }

    private static int[] withBos(int bos, int[] tokens) {
        int[] out = new int[tokens.length + 1];
        out[0] = bos;
        System.arraycopy(tokens, 0, out, 1, tokens.length);
        return out;
    }

    private static String finish(Generator.Completion c) {
        return c.finish() == Generator.Finish.STOP_TOKEN ? "stop" : "length";
    }

    private static ObjectNode reply(boolean chat, String id, long created, String model, String text, String finish, int promptTokens, int completionTokens) {
        ObjectNode out = Call.JSON.createObjectNode();
        out.put("id", id).put("object", chat ? "chat.completion" : "text_completion").put("created", created).put("model", model);
        ObjectNode choice = out.putArray("choices").addObject().put("index", 0);
        if (chat) choice.putObject("message").put("role", "assistant").put("content", text);
        else choice.put("text", text).putNull("logprobs");
        choice.put("finish_reason", finish);
        out.putObject("usage").put("prompt_tokens", promptTokens).put("completion_tokens", completionTokens).put("total_tokens", promptTokens + completionTokens);
        return out;
    }

    /** One streamed chunk: a text piece, or (with {@code finish}) the end. The first chat chunk carries the role. */
    private static ObjectNode chunk(boolean chat, String id, long created, String model, String text, String finish) {
        ObjectNode out = Call.JSON.createObjectNode();
        out.put("id", id).put("object", chat ? "chat.completion.chunk" : "text_completion").put("created", created).put("model", model);
        ObjectNode choice = out.putArray("choices").addObject().put("index", 0);
        if (chat) {
            ObjectNode delta = choice.putObject("delta");
            if (text != null) delta.put("content", text);
            else if (finish == null) delta.put("role", "assistant");
        } else {
            choice.put("text", text == null ? "" : text).putNull("logprobs");
        }
        if (finish == null) choice.putNull("finish_reason");
        else choice.put("finish_reason", finish);
        return out;
    }

    private static void send(OutputStream out, ObjectNode chunk) {
        write(out, "data: " + chunk + "\n\n");
    }

    /** subtle: a client that hangs up mid-stream ends generation here; the reply is already under way, so nothing more is sent. */
    private static void write(OutputStream out, String event) {
        try {
            out.write(event.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("client went away", e);
        }
    }
}
