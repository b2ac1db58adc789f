package dev.cria.serve;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cria.generate.Generator;
import dev.cria.generate.Sampler;
import dev.cria.generate.TokenLogprob;
import dev.cria.util.Rng;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The OpenAI-compatible endpoints, so existing clients and SDKs can talk to any checkpoint of the run:
 * <pre>
 *   GET  /v1/models, GET /v1/models/{id}
 *   POST /v1/chat/completions {"model","messages","max_tokens","temperature","top_p","seed","stop","logprobs","top_logprobs","stream","stream_options"}
 *   POST /v1/completions      {"model","prompt","max_tokens","temperature","top_p","seed","stop","logprobs","stream","stream_options"}
 * </pre>
 * With {@code "stream": true} the reply is server-sent events: {@code data: {chunk}} per piece of text, then
 * {@code data: [DONE]}. Chat prompts use Cria's chat template; completions continue {@code <|bos|> prompt},
 * one choice per prompt, generated as one batch. What the fields mean and which are refused:
 * {@link CompletionRequest}, {@link RefusedFields}; the JSON shapes: {@link OpenAiReply}.
 */
final class OpenAiApi {
    private final RunDir run;
    private final ModelHost host;

    OpenAiApi(RunDir run, ModelHost host) {
        this.run = run;
        this.host = host;
    }

    void register(Router router) {
        router.get("/v1/models", Router.Access.SIGNED_IN, this::models);
        router.getUnder("/v1/models/", Router.Access.SIGNED_IN, this::model);
        router.post("/v1/chat/completions", Router.Access.SIGNED_IN, call -> complete(call, true));
        router.post("/v1/completions", Router.Access.SIGNED_IN, call -> complete(call, false));
    }

    private void models(Call call) {
        ObjectNode out = Call.JSON.createObjectNode();
        out.put("object", "list");
        ArrayNode data = out.putArray("data");
        long created = Instant.now().getEpochSecond();
        for (String name : run.modelNames()) data.add(modelObject(name, created));
        call.json(200, out);
    }

    /** {@code GET /v1/models/{id}}: the model, or 404 {@code model_not_found}. */
    private void model(Call call) {
        String name = call.path().substring("/v1/models/".length());
        run.modelDir(name);
        call.json(200, modelObject(name, Instant.now().getEpochSecond()));
    }

    private static ObjectNode modelObject(String name, long created) {
        return Call.JSON.createObjectNode().put("id", name).put("object", "model").put("created", created).put("owned_by", "cria");
    }

    private void complete(Call call, boolean chat) {
        CompletionRequest r = CompletionRequest.parse(call.json(), chat);
        run.modelDir(r.model());
        String id = (chat ? "chatcmpl-" : "cmpl-") + Passwords.randomToken(12);
        long created = Instant.now().getEpochSecond();
        host.call(() -> {
            var m = host.load(r.model());
            List<int[]> prompts = r.promptTokens(m.chat());
            int maxNewTokens = r.maxNewTokens(prompts, m.model().config().maxSeqLen());
            var reply = new OpenAiReply(r, id, created, m.name(), m.tokenizer());
            var choices = new ArrayList<Choice>();
            for (int i = 0; i < prompts.size(); i++) choices.add(new Choice(i, m.tokenizer(), r.stop()));
            OutputStream out = r.stream() ? call.eventStream() : null;
            if (out != null && chat) send(out, reply.roleChunk());
            Sampler sampler = r.temperature() == 0 ? Sampler.greedy() : new Sampler(r.temperature(), 0, r.topP());
            var steps = new Steps(choices, reply, out, r.logprobs(), m.model().config().vocab());
            var completions = m.generator().generate(prompts, maxNewTokens, sampler, new Rng(r.seed()), r.chat() ? m.chat().stopTokens() : new int[] {m.tokenizer().eosId()}, steps);

            int promptTokens = 0, completionTokens = 0;
            var finishReasons = new ArrayList<String>();
            for (int i = 0; i < choices.size(); i++) {
                Choice c = choices.get(i);
                String rest = c.finish();
                String finish = OpenAiReply.finishReason(completions.get(i).finish(), c);
                if (out != null && !rest.isEmpty()) send(out, reply.chunk(c, rest, null));
                if (out != null) send(out, reply.chunk(c, null, finish));
                finishReasons.add(finish);
                promptTokens += prompts.get(i).length;
                completionTokens += completions.get(i).tokens().length;
            }
            var usage = new OpenAiReply.Usage(promptTokens, completionTokens);
            if (out == null) {
                call.json(200, reply.whole(choices, finishReasons, usage));
                return null;
            }
            if (r.includeUsage()) send(out, reply.usageChunk(usage));
            write(out, "data: [DONE]\n\n");
            out.close();
            return null;
        });
    }

    /**
     * Feeds each generated token to its choice, scoring it first when log-probs were asked for, streams
     * what the choice releases, and ends a sequence at its stop string.
     */
    private record Steps(List<Choice> choices, OpenAiReply reply, OutputStream out, int topLogprobs, int vocab) implements Generator.Listener {
        @Override
        public void onToken(int sequence, int token) {
            Choice c = choices.get(sequence);
            String piece = c.accept(token);
            if (out != null && !piece.isEmpty()) send(out, reply.chunk(c, piece, null));
        }

        @Override
        public boolean onStep(int sequence, int token, float[] logits, int offset) {
            Choice c = choices.get(sequence);
            if (topLogprobs >= 0) c.score(TokenLogprob.of(logits, offset, vocab, token, Math.min(topLogprobs, vocab)));
            onToken(sequence, token);
            return !c.stopped();
        }
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
