package dev.cria.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that connect and then dawdle: they send part of a request and wait, drip it a byte at a time,
 * open more connections than their share, or stop reading a stream. None of them may slow down anyone
 * else, and each is cut off at its deadline.
 */
class SlowClientTest {
    private static final int POOL = 16;
    private static final Duration DEADLINE = Duration.ofSeconds(5);

    private static ServeFixture serve(Path tmp, Limits limits) {
        var settings = new Server.Settings("127.0.0.1", 0, 2, POOL, new Sampling(24, 1f, 1f, 3), RoundConfig.defaults()).withLimits(limits);
        return new ServeFixture(tmp, ServeFixture.randomModel(tmp), settings);
    }

    /** One labeller's usual work: sign in, label an item, stream an answer. Returns its seconds. */
    private static double usualWork(ServeFixture f, String submissionId) {
        long start = System.nanoTime();
        Client alice = f.signedIn(f.alice);
        long item = f.run.items.addPair("Tell a story.", "A dog ran.", "A cat sat.", "base", "base");
        assertThat(alice.post("/api/labels", Map.of("submission_id", submissionId, "item_id", item, "choice", "a")).status()).isEqualTo(201);
        var stream = alice.post("/v1/chat/completions", Map.of("messages", List.of(Map.of("role", "user", "content", "Hi")), "max_tokens", 16,
                "stream", true, "seed", 1));
        assertThat(stream.status()).isEqualTo(200);
        assertThat(stream.body()).endsWith("data: [DONE]\n\n");
        return (System.nanoTime() - start) / 1e9;
    }

    @Test
    void slowSendersNeitherStarveOthersNorOutstayTheirDeadline(@TempDir Path tmp) {
        var limits = new Limits(DEADLINE, DEADLINE, DEADLINE, 8, 512, 0);
        try (var f = serve(tmp, limits); var drip = Executors.newSingleThreadScheduledExecutor()) {
            double usual = usualWork(f, "warm-up");

            // twice the pool size, from four client addresses, each within its per-address share
            List<RawConnection> partialHeaders = new ArrayList<>(), partialBodies = new ArrayList<>(), drippers = new ArrayList<>();
            for (int i = 0; i < 2 * POOL; i++) {
                var c = new RawConnection(f.url(), "127.0.0." + (2 + i % 4), 0);
                if (i % 8 < 3) {
                    partialHeaders.add(c.send("POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty"));
                } else if (i % 8 < 7) {
                    partialBodies.add(c.send("POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                            + "Content-Length: 1000\r\n\r\ncsrf=abc&name=al"));
                } else {
                    drippers.add(c.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "));
                }
            }
            // a byte every 200 ms keeps the idle timeout from firing; only the header deadline can stop it
            drip.scheduleAtFixedRate(() -> drippers.forEach(d -> {
                try {
                    d.send("a");
                } catch (java.io.UncheckedIOException closed) {
                    // the server has cut it off
                }
            }), 200, 200, TimeUnit.MILLISECONDS);

            double withSlow = usualWork(f, "while-slow");
            assertThat(withSlow).as("the usual work took %.2f s alone", usual).isLessThan(Math.max(2.0, 4 * usual));
            List<RawConnection> all = new ArrayList<>(partialHeaders);
            all.addAll(partialBodies);
            all.addAll(drippers);
            assertThat(all).as("the slow connections are still held while others work").allMatch(RawConnection::open);

            double seconds = DEADLINE.toSeconds();
            var closedAfter = new java.util.DoubleSummaryStatistics();
            for (RawConnection c : all) {
                double after = c.awaitClosed(seconds + 4);
                assertThat(after).as("closed at the %s s deadline", seconds).isBetween(seconds - 0.5, seconds + 3);
                closedAfter.accept(after);
                c.close();
            }
            System.out.printf("slow clients: the usual work took %.2f s alone, %.2f s beside %d slow connections, closed %.2f to %.2f s after opening%n",
                    usual, withSlow, all.size(), closedAfter.getMin(), closedAfter.getMax());
            assertThat(f.as(f.bob).get("/api/me").status()).isEqualTo(200);
        }
    }

    @Test
    void oneAddressMayHoldOnlyItsShareOfConnections(@TempDir Path tmp) throws Exception {
        int share = 4;
        try (var f = serve(tmp, new Limits(DEADLINE, DEADLINE, DEADLINE, share, 512, 0))) {
            List<RawConnection> mine = new ArrayList<>();
            for (int i = 0; i < share + 2; i++) mine.add(new RawConnection(f.url(), "127.0.0.9", 0));
            Thread.sleep(500);
            // the server may take them in any order; whichever two come last are closed at once
            assertThat(mine.stream().filter(RawConnection::open).count()).as("open after half a second").isEqualTo(share);
            assertThat(f.as(f.alice).get("/api/me").status()).as("another address is unaffected").isEqualTo(200);

            mine.forEach(RawConnection::close);
            Thread.sleep(300);
            try (var again = new RawConnection(f.url(), "127.0.0.9", 0)) {
                again.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
                again.awaitClosed(5);
                assertThat(again.received()).as("closed connections give the share back").startsWith("HTTP/1.1 200").contains("\"ok\":true");
            }
        }
    }

    @Test
    void whatJettyRefusesBeforeRoutingIsAnsweredInTheSameJson(@TempDir Path tmp) {
        try (var f = serve(tmp, Limits.defaults())) {
            try (var garbage = new RawConnection(f.url(), "127.0.0.1", 0)) {
                garbage.send("NOT HTTP AT ALL\r\n\r\n").awaitClosed(5);
                assertThat(garbage.received()).startsWith("HTTP/1.1 400").contains("\"error\"").contains("\"code\":\"invalid_request\"")
                        .doesNotContainIgnoringCase("jetty");
            }
            try (var huge = new RawConnection(f.url(), "127.0.0.1", 0)) {
                huge.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "x".repeat(20_000) + "\r\n\r\n").awaitClosed(5);
                assertThat(huge.received()).startsWith("HTTP/1.1 431").contains("\"error\"").doesNotContainIgnoringCase("jetty");
            }
        }
    }

    @Test
    void aClientThatStopsReadingItsStreamHoldsUpNobody(@TempDir Path tmp) throws Exception {
        var idle = Duration.ofSeconds(2);
        // small kernel buffers on both sides, so the unread stream fills them within a few events
        try (var f = serve(tmp, new Limits(DEADLINE, DEADLINE, idle, 8, 512, 4096))) {
            var reader = f.as(f.alice);
            String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":200,\"seed\":1,\"stream\":true}";
            String whole = reader.post("/v1/chat/completions", body).body();
            assertThat(whole.length()).as("the stream is larger than the buffers").isGreaterThan(25_000);

            var stalled = new RawConnection(f.url(), "127.0.0.7", 2048);
            stalled.send("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + f.bob.apiKey()
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            long start = System.nanoTime();
            var other = reader.post("/v1/completions", Map.of("prompt", "Once", "max_tokens", 8, "seed", 2));
            assertThat(other.status()).isEqualTo(200);
            assertThat((System.nanoTime() - start) / 1e9).as("the model thread is not waiting on the stalled client").isLessThan(idle.toSeconds());

            Thread.sleep(idle.toMillis() + 1500);   // reads nothing for longer than the idle timeout
            assertThat(stalled.awaitClosed(idle.toSeconds() + 6)).as("cut off once its writes stall for the idle timeout").isPositive();
            assertThat(stalled.received()).startsWith("HTTP/1.1 200").doesNotContain("[DONE]");
            stalled.close();
        }
    }
}
