package dev.cria.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cria.world.SimulatedAnnotator;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;

/**
 * A stand-in for a person, for tests and demos: it labels through the same HTTP API as the pages
 * ({@code GET /api/next}, {@code POST /api/labels}) with an API key, choosing as the
 * {@link SimulatedAnnotator} prefers: the higher-scored answer, a tie when the scores are equal; for a
 * single answer, thumbs up when it scores at least {@code upFrom}.
 */
public final class SimulatedLabeller {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final SimulatedAnnotator annotator = new SimulatedAnnotator();
    private final String baseUrl;
    private final String apiKey;
    private final double upFrom;

    public SimulatedLabeller(String baseUrl, String apiKey, double upFrom) {
        this.baseUrl = baseUrl;
        this.apiKey = apiKey;
        this.upFrom = upFrom;
    }

    /** Labels up to {@code max} items of a kind; returns how many it labelled. */
    public int label(String kind, int max) throws IOException, InterruptedException {
        int done = 0;
        // items that filled up under another labeller between fetching and labelling; skipped, not fatal
        var full = new java.util.ArrayDeque<Long>();
        while (done < max) {
            String exclude = full.isEmpty() ? "" : "&exclude=" + String.join(",", full.stream().map(String::valueOf).toList());
            JsonNode item = call("GET", "/api/next?kind=" + kind + exclude, null).get("item");
            if (item == null || item.isNull()) break;
            String prompt = item.get("prompt").asText(), a = item.get("answer_a").asText();
            String choice;
            if (kind.equals(Item.PAIR)) {
                int preferred = annotator.prefer(prompt, a, item.get("answer_b").asText());
                choice = preferred > 0 ? "a" : preferred < 0 ? "b" : "tie";
            } else {
                choice = annotator.score(prompt, a) >= upFrom ? "up" : "down";
            }
            long id = item.get("id").asLong();
            try {
                call("POST", "/api/labels", Map.of("submission_id", "sim-" + UUID.randomUUID(), "item_id", id, "choice", choice));
                done++;
            } catch (Conflict e) {
                full.addLast(id);
                if (full.size() > LabelApi.MAX_EXCLUDE) full.removeFirst();
            }
        }
        return done;
    }

    private JsonNode call(String method, String path, Object body) throws IOException, InterruptedException {
        var request = HttpRequest.newBuilder(URI.create(baseUrl + path)).header("Authorization", "Bearer " + apiKey);
        if (body == null) request.GET();
        else request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 409) throw new Conflict(response.body());
        if (response.statusCode() >= 300) throw new IOException(method + " " + path + ": " + response.statusCode() + " " + response.body());
        return JSON.readTree(response.body());
    }

    /** A 409: the item is no longer open to this labeller. */
    private static final class Conflict extends IOException {
        Conflict(String message) {
            super(message);
        }
    }
}
