package dev.cria.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cria.align.Judge;
import dev.cria.chat.PromptExample;
import dev.cria.checkpoint.ModelDirectory;
import dev.cria.world.InstructionGenerator;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The measurement behind docs/web-app.md's "KTO and online-DPO rounds": FullRoundTest's two-mode policy
 * (it finishes its story half the time) goes through a KTO round on thumbs given through the API, and
 * through two online-DPO rounds on the simulated labeller's choices between its own samples; the
 * simulated annotator then judges each new policy against the base on 200 held-out prompts. It prints
 * the figures and checks only that each round finished: what the rounds achieve is a measurement, not
 * yet a guarantee. Off by default (about 5 minutes on 2 cores): {@code -Dcria.roundkinds=true}.
 */
@EnabledIfSystemProperty(named = "cria.roundkinds", matches = "true")
class RoundKindsMeasureTest {
    static final int ITEMS = 48;

    @TempDir
    Path tmp;

    /** The learning rate of DPO and KTO; another with -Dcria.roundkinds.lr=X. */
    static final double LR = Double.parseDouble(System.getProperty("cria.roundkinds.lr", "5e-5"));
    static final int STEPS = Integer.getInteger("cria.roundkinds.steps", 50);
    /** Added to every seed, as FullRoundTest's -Dcria.fullround.seed: -Dcria.roundkinds.seed=N. */
    static final long SEED = Long.getLong("cria.roundkinds.seed", 0);

    static RoundConfig round(RoundMethod method) {
        return new RoundConfig(method, 80, 8, 3e-3, 20, 16, 3e-4, 0.2, STEPS, LR, 0.1, 80, FullRoundTest.TEMPERATURE, 5, 0, 11 + SEED);
    }

    @Test
    void ktoAndOnlineDpoRoundsOnTheTwoModePolicy() throws Exception {
        Path policy = TwoModePolicy.train(tmp, 5 + SEED);
        Judged base = judge(policy);
        System.out.printf("round kinds: seed +%d, lr %s, %d steps; base finishes %d of %d%n", SEED, LR, STEPS, base.good(), FullRoundTest.JUDGE_PROMPTS);

        try (var f = new ServeFixture(tmp.resolve("kto"), policy, round(RoundMethod.KTO), new Sampling(80, FullRoundTest.TEMPERATURE, 1f, 17 + SEED))) {
            Client admin = f.as(f.admin), alice = f.as(f.alice);
            admin.post("/api/prompts/builtin", Map.of("count", ITEMS, "seed", 21 + SEED));
            generate(admin, "single", 0);
            int up = 0;
            for (int i = 0; i < ITEMS; i++) {
                JsonNode item = alice.get("/api/next?kind=single").json().get("item");
                boolean finished = item.get("answer_a").asText().equals(TwoModePolicy.GOOD);
                RoundKindsTest.label(alice, item.get("id").asLong(), finished ? "up" : "down");
                if (finished) up++;
            }
            admin.post("/api/train", Map.of("method", "kto"));
            JsonNode r = RoundKindsTest.awaitRound(admin, 1);
            Judged after = judge(Path.of(r.get("policy_dir").asText()));
            System.out.printf("round kinds: kto on %d ratings (%d up): finishes %d of %d, annotator win rate over base %.3f; %s%n", ITEMS, up,
                    after.good(), FullRoundTest.JUDGE_PROMPTS, Judge.winRate(base.prompts(), after.answers(), base.answers()), r.get("figures"));
        }

        try (var f = new ServeFixture(tmp.resolve("online"), policy, round(RoundMethod.ONLINE_DPO), new Sampling(80, FullRoundTest.TEMPERATURE, 1f, 17 + SEED))) {
            Client admin = f.as(f.admin);
            admin.post("/api/prompts/builtin", Map.of("count", 3 * ITEMS, "seed", 21 + SEED));
            generate(admin, "pair", 0);
            for (int n = 1; n <= 2; n++) {
                int labelled = new SimulatedLabeller(f.url(), f.alice.apiKey(), 0).label("pair", ITEMS);
                var started = admin.post("/api/train", Map.of("method", "online-dpo"));
                assertThat(started.status()).as(started.body()).isEqualTo(202);
                JsonNode r = RoundKindsTest.awaitRound(admin, n);
                Judged after = judge(Path.of(r.get("policy_dir").asText()));
                System.out.printf("round kinds: online-dpo round %d on %d of %d labelled pairs of %s: finishes %d of %d, annotator win rate over base %.3f; %s%n",
                        n, started.json().get("examples").asInt(), labelled, r.get("policy_before").asText(), after.good(), FullRoundTest.JUDGE_PROMPTS,
                        Judge.winRate(base.prompts(), after.answers(), base.answers()), r.get("figures"));
                // the round queued the new policy's pairs itself; wait for them before labelling
                int job = n;
                FullRoundTest.waitFor(() -> {
                    JsonNode jobs = admin.get("/api/queue").json().get("jobs");
                    return jobs.size() > job && jobs.get(job).get("state").asText().equals("done");
                }, 300);
            }
        }
    }

    private record Judged(List<String> prompts, Judge.Answers answers, long good) {
    }

    private static Judged judge(Path model) {
        List<String> prompts = new InstructionGenerator(777).prompts(FullRoundTest.JUDGE_PROMPTS).stream().map(PromptExample::prompt).toList();
        var m = ModelDirectory.load(model);
        var answers = Judge.answer(m.model(), m.chat(), prompts, 80, FullRoundTest.TEMPERATURE, 777);
        var counts = answers.texts().stream().collect(java.util.stream.Collectors.groupingBy(t -> t, java.util.stream.Collectors.counting()));
        counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(3)
                .forEach(e -> System.out.printf("round kinds:   %3d x %s%n", e.getValue(), e.getKey()));
        return new Judged(prompts, answers, answers.texts().stream().filter(TwoModePolicy.GOOD::equals).count());
    }

    private static void generate(Client admin, String kind, int job) throws Exception {
        assertThat(admin.post("/api/generate", Map.of("kind", kind, "count", ITEMS)).status()).isEqualTo(202);
        FullRoundTest.waitFor(() -> admin.get("/api/queue").json().get("jobs").get(job).get("state").asText().equals("done"), 300);
    }
}
