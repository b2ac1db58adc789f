package dev.cria.align.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.cria.util.CriaException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The remote judge against a tiny in-process stub of the OpenAI chat endpoint. */
class RemoteJudgeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private HttpServer server;
    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();

    /** Starts a stub that answers each request body with {@code reply} (status, body). */
    private String stub(Function<JsonNode, Reply> reply) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/chat/completions", exchange -> {
            JsonNode body = JSON.readTree(exchange.getRequestBody());
            requests.add(body);
            respond(exchange, reply.apply(body));
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private record Reply(int status, String body) {
    }

    private static void respond(HttpExchange exchange, Reply r) throws IOException {
        byte[] bytes = r.body().getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(r.status(), bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @AfterEach
    void stop() {
        if (server != null) server.stop(0);
    }

    /** A chat completion whose one token is {@code text}, with top log-probs for A and B. */
    private static Reply withLogprobs(String text, double logA, double logB) {
        return new Reply(200, """
                {"choices":[{"index":0,"message":{"role":"assistant","content":"%s"},
                 "logprobs":{"content":[{"token":"%s","logprob":-0.1,"top_logprobs":[
                   {"token":"A","logprob":%s},{"token":" B","logprob":%s},{"token":"C","logprob":-9}]}]},
                 "finish_reason":"length"}]}""".formatted(text, text, logA, logB));
    }

    private static Reply text(String text) {
        return new Reply(200, "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + text + "\"}}]}");
    }

    private static boolean firstIs(JsonNode request, String answer) {
        String question = request.path("messages").path(0).path("content").asText();
        return question.indexOf(answer) < question.indexOf(answer.equals("good") ? "bad" : "good");
    }

    @Test
    void logprobsOfBothOrdersAreAveragedSoAFirstPositionBiasCancels() throws IOException {
        String url = stub(body -> withLogprobs("A", Math.log(0.9), Math.log(0.1)));
        var judge = new RemoteJudge(url, "judge-model", "secret", Duration.ofSeconds(5));
        assertThat(judge.probabilityAWins(List.of("q"), List.of("good"), List.of("bad"))[0]).isCloseTo(0.5, within(1e-9));
        assertThat(requests).hasSize(2);
        JsonNode first = requests.get(0);
        assertThat(first.get("model").asText()).isEqualTo("judge-model");
        assertThat(first.get("max_tokens").asInt()).isEqualTo(1);
        assertThat(first.get("logprobs").asBoolean()).isTrue();
        assertThat(first.get("top_logprobs").asInt()).isEqualTo(RemoteJudge.TOP_LOGPROBS);
        assertThat(first.path("messages").path(0).path("content").asText()).contains("Answer A:\ngood").contains("Answer B:\nbad");
        assertThat(requests.get(1).path("messages").path(0).path("content").asText()).contains("Answer A:\nbad").contains("Answer B:\ngood");
    }

    @Test
    void aJudgeThatKnowsTheBetterAnswerIsReadFromItsLogprobs() throws IOException {
        String url = stub(body -> firstIs(body, "good") ? withLogprobs("A", Math.log(0.75), Math.log(0.25))
                : withLogprobs("B", Math.log(0.25), Math.log(0.75)));
        var judge = new RemoteJudge(url + "/v1/", null, null, Duration.ofSeconds(5));
        double[] p = judge.probabilityAWins(List.of("q", "q"), List.of("good", "bad"), List.of("bad", "good"));
        assertThat(p[0]).isCloseTo(0.75, within(1e-9));
        assertThat(p[1]).isCloseTo(0.25, within(1e-9));
        assertThat(requests.get(0).has("model")).isFalse();
    }

    @Test
    void aServerThatRefusesLogprobsIsReadByItsText() throws IOException {
        String url = stub(body -> body.has("logprobs") ? new Reply(400, "{\"error\":{\"message\":\"logprobs not supported\"}}")
                : text(firstIs(body, "good") ? "A" : "B."));
        var judge = new RemoteJudge(url, null, null, Duration.ofSeconds(5));
        assertThat(judge.probabilityAWins(List.of("q"), List.of("good"), List.of("bad"))).containsExactly(1.0);
        assertThat(judge.probabilityAWins(List.of("q"), List.of("bad"), List.of("good"))).containsExactly(0.0);
        // after the first refusal it asks for text only
        assertThat(requests.stream().filter(r -> r.has("logprobs")).count()).isEqualTo(1);
    }

    @Test
    void aLetterMissingFromTheAlternativesGetsWhatTheListedOnesLeave() throws IOException {
        var reply = JSON.readTree("""
                {"choices":[{"message":{"content":"A"},"logprobs":{"content":[{"token":"A","logprob":-0.01,
                 "top_logprobs":[{"token":"A","logprob":-0.01},{"token":"The","logprob":-5}]}]}}]}""");
        assertThat(RemoteJudge.verdict(reply)).isGreaterThan(0.99);
        assertThat(RemoteJudge.verdict(JSON.readTree("{\"choices\":[{\"message\":{\"content\":\"Neither\"}}]}"))).isEqualTo(0.5);
    }

    @Test
    void httpErrorsAndDeadServersStopWithOneLineNamingTheUrl() throws IOException {
        String url = stub(body -> new Reply(401, "{\"error\":\"no key\"}\nmore"));
        var judge = new RemoteJudge(url, null, null, Duration.ofSeconds(5));
        assertThatThrownBy(() -> judge.probabilityAWins(List.of("q"), List.of("a"), List.of("b")))
                .isInstanceOf(CriaException.class).hasMessageContaining("HTTP 401").hasMessageContaining("CRIA_JUDGE_API_KEY")
                .hasMessageNotContaining("\n");
        int closed;
        try (var socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        var dead = new RemoteJudge("http://127.0.0.1:" + closed, null, null, Duration.ofSeconds(5));
        assertThatThrownBy(() -> dead.probabilityAWins(List.of("q"), List.of("a"), List.of("b")))
                .isInstanceOf(CriaException.class).hasMessageContaining("http://127.0.0.1:" + closed + "/v1/chat/completions")
                .hasMessageContaining("cannot connect");
    }

    @Test
    void aSilentServerTimesOut() throws IOException {
        String url = stub(body -> {
            try {
                Thread.sleep(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return text("A");
        });
        var judge = new RemoteJudge(url, null, null, Duration.ofMillis(300));
        assertThatThrownBy(() -> judge.probabilityAWins(List.of("q"), List.of("a"), List.of("b")))
                .isInstanceOf(CriaException.class).hasMessageContaining("no answer within");
    }

    @Test
    void baseUrlsWithOrWithoutV1ReachTheChatEndpoint() {
        assertThat(RemoteJudge.chatEndpoint("http://h:1").toString()).isEqualTo("http://h:1/v1/chat/completions");
        assertThat(RemoteJudge.chatEndpoint("http://h:1/v1/").toString()).isEqualTo("http://h:1/v1/chat/completions");
        assertThat(RemoteJudge.chatEndpoint("http://h:1/v1/chat/completions").toString()).isEqualTo("http://h:1/v1/chat/completions");
        assertThatThrownBy(() -> RemoteJudge.chatEndpoint("ftp://h")).hasMessageContaining("http:// or https://");
    }
}
