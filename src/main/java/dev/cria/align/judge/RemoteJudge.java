package dev.cria.align.judge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cria.util.CriaException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;

/**
 * A judge behind an OpenAI-compatible chat endpoint (llama.cpp's server, Ollama, vLLM, or Cria's own
 * {@code serve}), asked the {@link JudgePrompt} question in both orders ({@link BothOrders}). Each
 * question asks for one token at temperature 0 with {@code logprobs} and {@code top_logprobs}; the
 * verdict is the softmax of the log-probs of "A" and "B" among the alternatives. A server that refuses
 * log-probs, or lists neither letter, is read by its text: "A" is 1, "B" is 0, anything else 0.5.
 *
 * <p>Requests go one at a time; a connection failure or a timeout stops with one line naming the URL.
 */
public final class RemoteJudge implements PairJudge {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int TOP_LOGPROBS = 10;

    private final URI endpoint;
    private final String model;
    private final String apiKey;
    private final Duration timeout;
    private final HttpClient client;
    /** Cleared when the server refuses log-probs; later questions ask for text only. */
    private volatile boolean askLogprobs = true;

    /**
     * @param baseUrl the server, e.g. {@code http://127.0.0.1:8080} or {@code http://127.0.0.1:11434/v1}
     * @param model   the model name to ask for, or null for the server's default
     * @param apiKey  sent as {@code Authorization: Bearer KEY}, or null for none
     */
    public RemoteJudge(String baseUrl, String model, String apiKey, Duration timeout) {
        this.endpoint = chatEndpoint(baseUrl);
        this.model = model;
        this.apiKey = apiKey;
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /** {@code .../v1/chat/completions} under the base URL, which may or may not end in {@code /v1}. */
    public static URI chatEndpoint(String baseUrl) {
        String base = baseUrl.strip();
        while (base.endsWith("/")) base = base.substring(0, base.length() - 1);
        if (!base.endsWith("/chat/completions")) base += base.endsWith("/v1") ? "/chat/completions" : "/v1/chat/completions";
        URI uri;
        try {
            uri = URI.create(base);
        } catch (IllegalArgumentException e) {
            throw new CriaException("remote judge: not a URL: " + baseUrl);
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new CriaException("remote judge: the URL must be http:// or https:// with a host, e.g. http://127.0.0.1:8080: " + baseUrl);
        }
        return uri;
    }

    @Override
    public double[] probabilityAWins(List<String> prompts, List<String> a, List<String> b) {
        return BothOrders.probabilityAWins(this::firstWins, prompts, a, b);
    }

    private double[] firstWins(List<String> prompts, List<String> first, List<String> second) {
        double[] out = new double[prompts.size()];
        for (int i = 0; i < out.length; i++) out[i] = ask(JudgePrompt.of(prompts.get(i), first.get(i), second.get(i)));
        return out;
    }

    /** P(A) for one question. */
    double ask(String question) {
        if (askLogprobs) {
            HttpResponse<String> r = post(body(question, true));
            if (r.statusCode() == 200) return verdict(parse(r.body()));
            if (r.statusCode() != 400 && r.statusCode() != 422) throw refused(r);
            askLogprobs = false;
        }
        HttpResponse<String> r = post(body(question, false));
        if (r.statusCode() != 200) throw refused(r);
        return verdict(parse(r.body()));
    }

    private String body(String question, boolean logprobs) {
        ObjectNode body = JSON.createObjectNode();
        if (model != null) body.put("model", model);
        body.putArray("messages").addObject().put("role", "user").put("content", question);
        body.put("max_tokens", 1);
        body.put("temperature", 0);
        if (logprobs) body.put("logprobs", true).put("top_logprobs", TOP_LOGPROBS);
        return body.toString();
    }

    private HttpResponse<String> post(String body) {
        var request = HttpRequest.newBuilder(endpoint).timeout(timeout).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (apiKey != null) request.header("Authorization", "Bearer " + apiKey);
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw new CriaException("remote judge at " + endpoint + ": no answer within " + (timeout.toMillis() >= 1000 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms")
                    + " (raise --judge-timeout)");
        } catch (ConnectException e) {
            throw new CriaException("remote judge at " + endpoint + ": cannot connect (is the server running?)");
        } catch (IOException e) {
            throw new CriaException("remote judge at " + endpoint + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CriaException("remote judge at " + endpoint + ": interrupted");
        }
    }

    private CriaException refused(HttpResponse<String> r) {
        String body = r.body() == null ? "" : r.body().strip();
        int newline = body.indexOf('\n');
        if (newline >= 0) body = body.substring(0, newline);
        if (body.length() > 300) body = body.substring(0, 300) + "...";
        String hint = r.statusCode() == 401 ? " (set CRIA_JUDGE_API_KEY to the server's API key)" : "";
        return new CriaException("remote judge at " + endpoint + ": HTTP " + r.statusCode() + hint + ": " + body);
    }

    private JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new CriaException("remote judge at " + endpoint + ": the reply is not JSON: " + e.getMessage());
        }
    }

    /**
     * P(A) from a chat completion: the log-probs of "A" and "B" among the first token's alternatives
     * (a letter not listed gets what the listed ones leave, at most the least likely listed one's), else the text.
     */
    static double verdict(JsonNode reply) {
        JsonNode choice = reply.path("choices").path(0);
        JsonNode top = choice.path("logprobs").path("content").path(0).path("top_logprobs");
        double logA = Double.NaN, logB = Double.NaN, least = 0, listedMass = 0;
        for (JsonNode alt : top) {
            String token = alt.path("token").asText().strip();
            double lp = alt.path("logprob").asDouble(Double.NaN);
            if (Double.isNaN(lp)) continue;
            least = Math.min(least, lp);
            listedMass += Math.exp(lp);
            if (token.equals(JudgePrompt.A) && !(lp <= logA)) logA = lp;
            if (token.equals(JudgePrompt.B) && !(lp <= logB)) logB = lp;
        }
        if (!Double.isNaN(logA) || !Double.isNaN(logB)) {
            double unlisted = Math.min(least, Math.log(Math.max(1e-12, 1 - listedMass)));
            return JudgePrompt.probabilityA(Double.isNaN(logA) ? unlisted : logA, Double.isNaN(logB) ? unlisted : logB);
        }
        String text = choice.path("message").path("content").asText("").strip();
        return text.startsWith(JudgePrompt.A) ? 1 : text.startsWith(JudgePrompt.B) ? 0 : 0.5;
    }

    @Override
    public String name() {
        return "remote(" + endpoint + (model != null ? "#" + model : "") + ")";
    }
}
