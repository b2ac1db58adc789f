package dev.cria.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cria.align.Judge;
import dev.cria.world.InstructionGenerator;
import dev.cria.chat.PromptExample;
import dev.cria.checkpoint.ModelDirectory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole loop through the HTTP API, with the simulated annotator as the labeller: generate pairs
 * from the policy, label them, train a reward model and run PPO (the train action), then judge: the new
 * policy must beat the old one in the simulated annotator's eyes, and must write the next pairs.
 */
class FullRoundTest {
    static final int PAIRS = 48;
    static final int JUDGE_PROMPTS = 200;
    /** Below 1, so the tiny model's rare slips stay rare, while its coin flip between the two answers stays a coin flip. */
    static final float TEMPERATURE = 0.7f;

    @TempDir
    Path tmp;

    /** Added to every seed, to check by hand that the result holds on other trajectories: -Dcria.fullround.seed=N. */
    static final long SEED = Long.getLong("cria.fullround.seed", 0);

    static RoundConfig testRound() {
        return new RoundConfig(RoundMethod.PPO, 80, 8, 3e-3, 20, 16, 3e-4, 0.2, 50, 1e-3, 0.1, 80, TEMPERATURE, 5, 0, 11 + SEED);
    }

    @Test
    void aRoundOfHumanFeedbackImprovesThePolicy() throws Exception {
        long t0 = System.nanoTime();
        Path policy = TwoModePolicy.train(tmp, 5 + SEED);
        long t1 = System.nanoTime();
        try (var f = new ServeFixture(tmp, policy, testRound(), new Sampling(80, TEMPERATURE, 1f, 17 + SEED))) {
            Client admin = f.as(f.admin);
            admin.post("/api/prompts/builtin", Map.of("count", PAIRS, "seed", 21 + SEED));
            assertThat(admin.post("/api/generate", Map.of("kind", "pair", "count", PAIRS)).status()).isEqualTo(202);
            waitFor(() -> admin.get("/api/queue").json().get("jobs").get(0).get("state").asText().equals("done"), 120);
            int labelled = new SimulatedLabeller(f.url(), f.alice.apiKey(), 0).label("pair", PAIRS);
            new SimulatedLabeller(f.url(), f.bob.apiKey(), 0).label("pair", PAIRS / 4);
            assertThat(labelled).isEqualTo(PAIRS);
            int preferences = admin.get("/api/stats").json().get("preferences").asInt();
            assertThat(preferences).as("pairs where the two samples differ").isGreaterThan(8);
            long t2 = System.nanoTime();

            assertThat(admin.post("/api/train", Map.of("method", "ppo")).status()).isEqualTo(202);
            waitFor(() -> {
                JsonNode rounds = admin.get("/api/rounds").json().get("rounds");
                if (!rounds.isEmpty() && rounds.get(0).get("status").asText().equals("failed")) throw new AssertionError(rounds.get(0).get("error").asText());
                return !rounds.isEmpty() && !rounds.get(0).get("status").asText().equals("running");
            }, 300);
            JsonNode round = admin.get("/api/rounds").json().get("rounds").get(0);
            assertThat(round.get("status").asText()).as(round.toString()).isEqualTo("done");
            assertThat(admin.get("/api/rounds").json().get("policy").asText()).isEqualTo("round-1");
            long t3 = System.nanoTime();

            List<String> prompts = new InstructionGenerator(777).prompts(JUDGE_PROMPTS).stream().map(PromptExample::prompt).toList();
            var before = ModelDirectory.load(policy);
            var after = ModelDirectory.load(Path.of(round.get("policy_dir").asText()));
            var answersBefore = Judge.answer(before.model(), before.chat(), prompts, 80, TEMPERATURE, 777);
            var answersAfter = Judge.answer(after.model(), after.chat(), prompts, 80, TEMPERATURE, 777);
            double winRate = Judge.winRate(prompts, answersAfter, answersBefore);
            long good = answersAfter.texts().stream().filter(TwoModePolicy.GOOD::equals).count();
            long goodBefore = answersBefore.texts().stream().filter(TwoModePolicy.GOOD::equals).count();
            System.out.printf("full round: SFT %.1fs, generate+label %.1fs, train %.1fs; %d preferences, RM held-out accuracy %s; "
                            + "stories %d -> %d of " + JUDGE_PROMPTS + "; annotator win rate of round 1 over base %.3f%n",
                    (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9, preferences, round.get("figures").path("reward_accuracy"),
                    goodBefore, good, winRate);
            // measured 0.755 here (stories 95 -> 188 of 200), and 0.683 to 0.825 with -Dcria.fullround.seed=1..4;
            // 0.55 leaves room for other float rounding
            assertThat(winRate).isGreaterThan(0.55);
            assertThat(good).isGreaterThan(goodBefore);

            assertThat(admin.post("/api/generate", Map.of("kind", "pair", "count", 2)).status()).isEqualTo(202);
            waitFor(() -> admin.get("/api/queue").json().get("jobs").get(1).get("state").asText().equals("done"), 60);
            assertThat(f.run.items.recent(1).getFirst().modelA()).as("the new policy writes the next pairs").isEqualTo("round-1");
            String dashboard = f.signedIn(f.admin).get("/dashboard").body();
            assertThat(dashboard).contains("<polyline").contains("round-1");
        }
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static void waitFor(Check check, int seconds) throws Exception {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (!check.ok()) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("not done within " + seconds + " s");
            Thread.sleep(100);
        }
    }
}
