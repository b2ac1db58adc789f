package dev.cria.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many labellers submit thousands of labels at once, some twice (a double click), every one retried
 * until acknowledged, while the server and its database are stopped and started again midway. The
 * database must then hold exactly the acknowledged labels: none missing, none twice.
 */
class ConcurrentLabellingTest {
    private static final int LABELLERS = 8;
    private static final int ITEMS = 300;
    private static final long DEADLINE_MS = 120_000;

    @TempDir
    Path tmp;

    @Test
    void everyAcknowledgedLabelSurvivesARestartExactlyOnce() throws Exception {
        // every labeller labels every item, so each item takes as many labels as there are labellers
        try (var f = new ServeFixture(tmp, ServeFixture.randomModel(tmp), RoundConfig.defaults(), new Sampling(24, 1f, 1f, 3), LABELLERS)) {
            List<Long> items = new ArrayList<>();
            for (int i = 0; i < ITEMS; i++) items.add(f.run.items.addPair("prompt " + i, "answer a " + i, "answer b " + i, "base", "base"));
            List<Accounts.Credentials> people = new ArrayList<>();
            for (int p = 0; p < LABELLERS; p++) people.add(f.run.accounts.create("labeller" + p, User.Role.LABELLER));

            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            AtomicInteger duplicatesAnswered = new AtomicInteger();
            long deadline = System.currentTimeMillis() + DEADLINE_MS;
            ExecutorService pool = Executors.newFixedThreadPool(LABELLERS + 1);
            var workers = new ArrayList<Future<?>>();
            for (int p = 0; p < LABELLERS; p++) {
                Accounts.Credentials who = people.get(p);
                int offset = p * 37;
                workers.add(pool.submit(() -> {
                    Client client = f.as(who);
                    for (int k = 0; k < ITEMS; k++) {
                        long item = items.get((k + offset) % ITEMS);
                        String id = who.user().name() + "-" + item;
                        Map<String, Object> label = Map.of("submission_id", id, "item_id", item, "choice", k % 4 == 0 ? "tie" : k % 2 == 0 ? "a" : "b");
                        int copies = k % 10 == 0 ? 2 : 1;   // every tenth is clicked twice
                        for (int c = 0; c < copies; c++) {
                            if (submitUntilAcknowledged(client, label, deadline) == 200) duplicatesAnswered.incrementAndGet();
                        }
                        acknowledged.add(id);
                    }
                    return null;
                }));
            }
            Future<?> restarter = pool.submit(() -> {
                while (acknowledged.size() < LABELLERS * ITEMS / 2 && System.currentTimeMillis() < deadline) Thread.sleep(5);
                f.restart();
                return null;
            });
            restarter.get(DEADLINE_MS, TimeUnit.MILLISECONDS);
            for (Future<?> w : workers) w.get(DEADLINE_MS, TimeUnit.MILLISECONDS);
            pool.shutdown();

            List<String> stored = f.run.labels.submissionIds();
            assertThat(new HashSet<>(stored)).hasSize(stored.size());
            assertThat(new HashSet<>(stored)).isEqualTo(acknowledged);
            assertThat(stored).hasSize(LABELLERS * ITEMS);
            assertThat(duplicatesAnswered.get()).as("second clicks are answered as duplicates").isGreaterThanOrEqualTo(LABELLERS * ITEMS / 10);
        }
    }

    /** Posts until the server acknowledges (201 new, 200 already stored); connection errors and 5xx during the restart are retried. */
    private static int submitUntilAcknowledged(Client client, Map<String, Object> label, long deadline) throws InterruptedException {
        while (System.currentTimeMillis() < deadline) {
            try {
                var r = client.post("/api/labels", label);
                if (r.status() == 201 || r.status() == 200) return r.status();
                if (r.status() < 500) throw new AssertionError("refused: " + r.status() + " " + r.body());
            } catch (UncheckedIOException e) {
                // the server is restarting
            }
            Thread.sleep(20);
        }
        throw new AssertionError("not acknowledged before the deadline: " + label);
    }
}
