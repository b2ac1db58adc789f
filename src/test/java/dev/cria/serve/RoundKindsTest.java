package dev.cria.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cria.checkpoint.ModelDirectory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two round kinds that learn from something other than every preference so far, through the HTTP
 * API on a tiny random model: an online-DPO round learns from the current policy's own pairs only and
 * then has the new policy write the pairs people see; a KTO round learns from the rate page's thumbs.
 * The answers are gibberish, so the labels are chosen by rule rather than by the simulated annotator
 * (which would call nearly every pair a tie); the tests check where the data comes from and goes, not
 * that the policy gets better (FullRoundTest does that for PPO).
 */
class RoundKindsTest {
    @TempDir
    Path tmp;

    static RoundConfig quick(RoundMethod method) {
        return new RoundConfig(method, 30, 4, 1e-3, 6, 4, 1e-4, 0.05, 8, 1e-3, 0.1, 24, 1f, 0, 0, 2);
    }

    @Test
    void anOnlineDpoRoundTrainsOnThePolicysOwnPairsAndTheNewPolicyWritesTheNext() throws Exception {
        Path base = ServeFixture.randomModel(tmp);
        try (var f = new ServeFixture(tmp, base, quick(RoundMethod.PPO))) {
            Client admin = f.as(f.admin), alice = f.as(f.alice), bob = f.as(f.bob);
            admin.post("/api/prompts/builtin", Map.of("count", 20, "seed", 3));
            assertThat(admin.post("/api/train", Map.of("method", "online-dpo")).status()).as("no pairs of the policy yet").isEqualTo(409);
            assertThat(admin.post("/api/generate", Map.of("kind", "pair", "count", 8)).status()).isEqualTo(202);
            FullRoundTest.waitFor(() -> admin.get("/api/queue").json().get("jobs").get(0).get("state").asText().equals("done"), 60);

            // off-policy pairs (the base against an imported answer), labelled by both people, so never offered again
            for (int i = 0; i < 2; i++) {
                long other = f.run.items.addPair("Write a story about a cat.", "A cat sat. The end.", "cat cat", RunDir.BASE, "import");
                label(alice, other, "a");
                label(bob, other, "b");
            }
            // six of the policy's eight pairs get a choice, two stay unlabelled
            for (int i = 0; i < 6; i++) {
                JsonNode item = alice.get("/api/next?kind=pair").json().get("item");
                Item stored = f.run.items.get(item.get("id").asLong());
                assertThat(stored.modelA()).isEqualTo(RunDir.BASE);
                assertThat(stored.modelB()).as("two samples of one model").isEqualTo(RunDir.BASE);
                label(alice, stored.id(), i % 2 == 0 ? "a" : "b");
            }
            assertThat(admin.get("/api/stats").json().get("preferences").asInt()).as("all preferences, on-policy or not").isEqualTo(10);

            var started = admin.post("/api/train", Map.of("method", "online-dpo"));
            assertThat(started.status()).as(started.body()).isEqualTo(202);
            assertThat(started.json().get("examples").asInt()).as("only the policy's own pairs").isEqualTo(6);
            JsonNode round = awaitRound(admin, 1);
            assertThat(round.get("method").asText()).isEqualTo("online-dpo");
            assertThat(round.get("policy_before").asText()).isEqualTo(RunDir.BASE);
            assertThat(round.get("figures").get("labels_train").asInt()).isEqualTo(6);
            assertThat(round.get("figures").get("pairs_retired").asInt()).as("the two unlabelled pairs").isEqualTo(2);
            assertThat(round.get("figures").get("policy_pairs").asInt()).as("all the base's own pairs").isEqualTo(8);
            assertThat(round.get("figures").get("dpo_loss").asDouble()).isFinite();
            assertThat(f.run.roundDir(1).resolve("dpo/metrics.jsonl")).exists();
            assertThat(admin.get("/api/rounds").json().get("policy").asText()).isEqualTo("round-1");
            assertWeightsDiffer(base, Path.of(round.get("policy_dir").asText()));

            // the round queued as many pairs from the new policy as the old one had written; nothing else is offered
            FullRoundTest.waitFor(() -> {
                JsonNode jobs = admin.get("/api/queue").json().get("jobs");
                return jobs.size() == 2 && jobs.get(1).get("state").asText().equals("done");
            }, 60);
            JsonNode job = admin.get("/api/queue").json().get("jobs").get(1);
            assertThat(job.get("model_a").asText()).isEqualTo("round-1");
            assertThat(job.get("total").asInt()).isEqualTo(8);
            Set<String> writers = new HashSet<>();
            int offered = 0;
            for (JsonNode item; !(item = bob.get("/api/next?kind=pair").json().get("item")).isNull(); offered++) {
                Item stored = f.run.items.get(item.get("id").asLong());
                writers.add(stored.modelA());
                writers.add(stored.modelB());
                label(bob, stored.id(), "a");
            }
            assertThat(offered).isEqualTo(8);
            assertThat(writers).as("after the round people judge only the new policy").containsExactly("round-1");

            // the next online round learns from round-1's pairs, not from the retired ones of the base
            var second = admin.post("/api/train", Map.of("method", "online-dpo"));
            assertThat(second.json().get("examples").asInt()).isEqualTo(8);
            JsonNode round2 = awaitRound(admin, 2);
            assertThat(round2.get("policy_before").asText()).isEqualTo("round-1");
            String dashboard = f.signedIn(f.admin).get("/dashboard").body();
            assertThat(dashboard).contains("online-dpo").contains("DPO (offline and online): loss");
        }
    }

    @Test
    void aKtoRoundLearnsFromTheRatingsAlone() throws Exception {
        Path base = ServeFixture.randomModel(tmp);
        var config = quick(RoundMethod.PPO);
        config = new RoundConfig(config.method(), config.rewardSteps(), config.rewardBatch(), config.rewardLr(), config.ppoIterations(),
                config.ppoPrompts(), config.ppoLr(), config.klCoef(), config.dpoSteps(), config.dpoLr(), config.dpoBeta(), config.maxNewTokens(),
                config.temperature(), 3, 0, config.seed());
        try (var f = new ServeFixture(tmp, base, config)) {
            Client admin = f.as(f.admin), alice = f.as(f.alice);
            admin.post("/api/prompts/builtin", Map.of("count", 12, "seed", 4));
            assertThat(admin.post("/api/generate", Map.of("kind", "single", "count", 10)).status()).isEqualTo(202);
            FullRoundTest.waitFor(() -> admin.get("/api/queue").json().get("jobs").get(0).get("state").asText().equals("done"), 60);
            var refused = admin.post("/api/train", Map.of("method", "kto"));
            assertThat(refused.status()).isEqualTo(409);
            assertThat(refused.body()).contains("thumbs up or down");

            for (int i = 0; i < 10; i++) {
                JsonNode item = alice.get("/api/next?kind=single").json().get("item");
                label(alice, item.get("id").asLong(), i % 2 == 0 ? "up" : "down");
            }
            JsonNode stats = admin.get("/api/stats").json();
            assertThat(stats.get("preferences").asInt()).as("no pairs at all").isZero();
            assertThat(stats.get("ratings").asInt()).isEqualTo(10);
            String kto = admin.get("/api/export?format=kto").body();
            assertThat(kto.strip().split("\n")).hasSize(10);
            assertThat(kto).contains("\"label\":true").contains("\"label\":false").contains("\"completion\"");
            assertThat(admin.post("/api/train", Map.of("method", "dpo")).status()).as("DPO needs preferences").isEqualTo(409);

            var started = admin.post("/api/train", Map.of("method", "kto"));
            assertThat(started.status()).as(started.body()).isEqualTo(202);
            assertThat(started.json().get("examples").asInt()).isEqualTo(10);
            JsonNode round = awaitRound(admin, 1);
            JsonNode figures = round.get("figures");
            assertThat(round.get("method").asText()).isEqualTo("kto");
            assertThat(figures.get("labels_train").asInt() + figures.get("labels_held_out").asInt()).isEqualTo(10);
            assertThat(figures.get("labels_held_out").asInt()).as("every 3rd item's rating").isEqualTo(3);
            assertThat(figures.get("ratings_up").asInt()).isEqualTo(5);
            assertThat(figures.get("kto_loss").asDouble()).isFinite();
            assertThat(figures.has("kto_kl")).as(figures.toString()).isTrue();
            assertThat(f.run.roundDir(1).resolve("kto/metrics.jsonl")).exists();
            assertWeightsDiffer(base, Path.of(round.get("policy_dir").asText()));
            assertThat(admin.get("/api/rounds").json().get("policy").asText()).isEqualTo("round-1");

            assertThat(admin.post("/api/generate", Map.of("kind", "single", "count", 2)).status()).isEqualTo(202);
            FullRoundTest.waitFor(() -> admin.get("/api/queue").json().get("jobs").get(1).get("state").asText().equals("done"), 60);
            assertThat(f.run.items.recent(1).getFirst().modelA()).as("the KTO policy writes the next answers").isEqualTo("round-1");
            String dashboard = f.signedIn(f.admin).get("/dashboard").body();
            assertThat(dashboard).contains("<td>kto</td>").contains("KTO: loss").contains("<polyline");

            // ratings round-trip: the exported lines import as ratings by the importer, once
            try (var other = new ServeFixture(tmp.resolve("other"), base, config)) {
                Client otherAdmin = other.as(other.admin);
                assertThat(otherAdmin.postRaw("/api/import?format=kto", kto, false).json().get("added").asInt()).isEqualTo(10);
                assertThat(otherAdmin.postRaw("/api/import?format=kto", kto, false).json().get("duplicates").asInt()).isEqualTo(10);
                assertThat(other.run.export.ratings()).extracting(LabelExport.Rating::desirable).containsExactlyElementsOf(
                        f.run.export.ratings().stream().map(LabelExport.Rating::desirable).toList());
                assertThat(otherAdmin.postRaw("/api/import?format=kto", "{\"prompt\": \"p\", \"completion\": \"c\"}\n", false).field())
                        .isEqualTo("body");
            }
        }
    }

    static void label(Client who, long item, String choice) {
        var r = who.post("/api/labels", Map.of("submission_id", "t-" + UUID.randomUUID(), "item_id", item, "choice", choice));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
    }

    /** Waits for round {@code id} to finish; a failed round fails the test with its error. */
    static JsonNode awaitRound(Client admin, int id) throws Exception {
        FullRoundTest.waitFor(() -> {
            JsonNode rounds = admin.get("/api/rounds").json().get("rounds");
            if (rounds.size() < id) return false;
            JsonNode r = rounds.get(id - 1);
            if (r.get("status").asText().equals(Round.FAILED)) throw new AssertionError(r.get("error").asText());
            return r.get("status").asText().equals(Round.DONE);
        }, 180);
        return admin.get("/api/rounds").json().get("rounds").get(id - 1);
    }

    static void assertWeightsDiffer(Path before, Path after) {
        var a = ModelDirectory.load(before).model().parameters();
        var b = ModelDirectory.load(after).model().parameters();
        long changed = a.keySet().stream().filter(n -> !Arrays.equals(a.get(n).data, b.get(n).data)).count();
        assertThat(changed).as("tensors the round changed, of " + a.size()).isGreaterThan(0);
    }
}
