package dev.cria.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Labellers and OpenAI clients keep the server busy together for a while: 8 labellers fetch and label
 * items as fast as they can, while 4 API clients stream completions. Every request must succeed, every
 * acknowledged label must be stored, and the latency percentiles of each kind of request are printed
 * (docs/web-app.md quotes them). {@code -Dcria.load.seconds=N} runs it longer; 20 seconds by default.
 */
class LoadTest {
    private static final int LABELLERS = 8, STREAMERS = 4;

    /** Latencies in milliseconds by request kind. */
    private final Map<String, ConcurrentLinkedQueue<Double>> latencies = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();

    private void record(String kind, long startNanos) {
        latencies.computeIfAbsent(kind, k -> new ConcurrentLinkedQueue<>()).add((System.nanoTime() - startNanos) / 1e6);
    }

    private void expect(String kind, Client.Response r, int... statuses) {
        if (Arrays.stream(statuses).noneMatch(s -> s == r.status())) failures.add(kind + ": " + r.status() + " " + r.body());
    }

    @Test
    void labellersAndStreamingClientsTogether(@TempDir Path tmp) throws Exception {
        long seconds = Long.getLong("cria.load.seconds", 20);
        try (var f = new ServeFixture(tmp, ServeFixture.randomModel(tmp), RoundConfig.defaults());
                var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 4000; i++) f.run.items.addPair("Tell story " + i + ".", "A dog ran " + i + ".", "A cat sat " + i + ".", "base", "base");
            List<Client> labellers = new ArrayList<>();
            for (int i = 0; i < LABELLERS; i++) labellers.add(f.as(f.run.accounts.create("labeller" + i, User.Role.LABELLER)));
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            var acknowledged = new AtomicInteger();
            var streamed = new AtomicInteger();

            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < LABELLERS; i++) {
                Client c = labellers.get(i);
                String who = "l" + i;
                running.add(pool.submit(() -> {
                    for (int n = 0; System.nanoTime() < end; n++) {
                        long start = System.nanoTime();
                        var next = c.get("/api/next?kind=pair");
                        record("GET /api/next", start);
                        expect("next", next, 200);
                        JsonNode item = next.json().get("item");
                        if (item == null || item.isNull()) break;
                        start = System.nanoTime();
                        var label = c.post("/api/labels", Map.of("submission_id", who + "-" + n, "item_id", item.get("id").asLong(), "choice", n % 2 == 0 ? "a" : "b"));
                        record("POST /api/labels", start);
                        expect("label", label, 201);
                        if (label.status() == 201) acknowledged.incrementAndGet();
                    }
                }));
            }
            for (int i = 0; i < STREAMERS; i++) {
                Client c = f.as(i % 2 == 0 ? f.alice : f.bob);
                int seed = i;
                running.add(pool.submit(() -> {
                    for (int n = 0; System.nanoTime() < end; n++) {
                        long start = System.nanoTime();
                        var r = c.post("/v1/chat/completions", Map.of("messages", List.of(Map.of("role", "user", "content", "Tell a story.")),
                                "max_tokens", 32, "stream", true, "seed", seed * 1000 + n));
                        record("POST /v1/chat/completions (stream, 32 tokens)", start);
                        expect("stream", r, 200);
                        if (r.body().endsWith("data: [DONE]\n\n")) streamed.incrementAndGet();
                        else failures.add("stream: cut short: " + r.body());
                    }
                }));
            }
            for (Future<?> r : running) r.get();

            System.out.println(report(seconds));
            assertThat(failures).as("every request succeeds").isEmpty();
            assertThat(f.run.labels.count()).as("every acknowledged label is stored, once").isEqualTo(acknowledged.get());
            assertThat(acknowledged.get()).isGreaterThan(LABELLERS * 10);
            assertThat(streamed.get()).isGreaterThan(STREAMERS * 2);
        }
    }

    private String report(long seconds) {
        var out = new StringBuilder(String.format(Locale.ROOT, "load: %d labellers and %d streaming clients for %d s%n", LABELLERS, STREAMERS, seconds));
        out.append(String.format(Locale.ROOT, "%-46s %7s %8s %8s %8s %8s%n", "request", "count", "p50 ms", "p90 ms", "p99 ms", "max ms"));
        latencies.forEach((kind, values) -> {
            double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            out.append(String.format(Locale.ROOT, "%-46s %7d %8.1f %8.1f %8.1f %8.1f%n", kind, v.length, pct(v, 50), pct(v, 90), pct(v, 99), v[v.length - 1]));
        });
        return out.toString();
    }

    private static double pct(double[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100 * sorted.length) - 1)];
    }
}
