package dev.cria.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cria.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cria serve user ...} and {@code cria rlhf --human}: accounts from the command line, and clear refusals. */
class ServeCliTest {
    @TempDir
    Path tmp;

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        PrintStream savedOut = System.out, savedErr = System.err;
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Main.execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
    }

    @Test
    void usersAreAddedListedAndRemovedFromTheCommandLine() {
        String runDir = tmp.resolve("run").toString();
        Run added = run("serve", "user", "add", "carol", "--role", "admin", "--run", runDir);
        assertThat(added.code()).isZero();
        assertThat(added.out()).contains("added carol (admin)").contains("password: ").contains("API key:  cria-");
        try (RunDir dir = RunDir.open(tmp.resolve("run"))) {
            String key = added.out().replaceAll("(?s).*API key:  (\\S+).*", "$1");
            assertThat(dir.accounts.byApiKey(key).name()).isEqualTo("carol");
        }
        assertThat(run("serve", "user", "list", "--run", runDir).out()).contains("carol").contains("admin");
        Run again = run("serve", "user", "add", "carol", "--run", runDir);
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).contains("already exists");
        assertThat(run("serve", "user", "add", "dave", "--role", "boss", "--run", runDir).err()).contains("--role: must be labeller or admin");
        assertThat(run("serve", "user", "remove", "carol", "--run", runDir).out()).contains("removed carol");
    }

    @Test
    void rlhfRunsDpoThenPpoRoundsFromStoredLabels() {
        Path runPath = tmp.resolve("labelled");
        try (RunDir dir = RunDir.open(runPath)) {
            dir.useBase(ServeFixture.randomModel(tmp));
            var ana = dir.accounts.create("ana", User.Role.LABELLER).user();
            dir.prompts.addBuiltIn(4, 1);
            for (int i = 0; i < 6; i++) {
                long item = dir.items.addPair("Write a story about a dog named Max.", "Max the dog found a ball. The end.", "dog dog dog", "base", "base");
                dir.labels.submit(ana, new Labels.Submission("s" + i, item, i % 3 == 0 ? "b" : "a", null, null, "test"));
            }
        }
        String[] quick = {"--reward-steps", "4", "--dpo-steps", "4", "--ppo-iterations", "2", "--ppo-prompts", "2", "--round-max-new-tokens", "8",
                "--judge-prompts", "4"};
        Run dpo = run(concat(new String[] {"rlhf", "--human", "--run", runPath.toString(), "--method", "dpo"}, quick));
        assertThat(dpo.code()).as(dpo.err()).isZero();
        assertThat(dpo.out()).contains("round 1 (dpo) done").contains("annotator_win_rate");
        Run ppo = run(concat(new String[] {"rlhf", "--human", "--run", runPath.toString()}, quick));
        assertThat(ppo.code()).as(ppo.err()).isZero();
        assertThat(ppo.out()).contains("round 2 (ppo) done").contains("reward_accuracy");
        try (RunDir dir = RunDir.open(runPath)) {
            assertThat(dir.rounds.get(2).policyBefore()).isEqualTo("round-1");
            assertThat(dir.currentPolicy()).isEqualTo("round-2");
            assertThat(dir.roundDir(2).resolve("ppo/metrics.jsonl")).exists();
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void theSimulatedAnnotatorLabelsThroughARunningServer() {
        try (var f = new ServeFixture(tmp.resolve("sim"), ServeFixture.randomModel(tmp), RoundConfig.defaults())) {
            f.run.items.addPair("Write a story about a dog named Max.", "Max the dog found a ball. The end.", "dog dog dog", "base", "base");
            f.run.items.addPair("Write a story about a cat.", "meow", "The cat slept in the sun. The end.", "base", "base");
            Run sim = run("serve", "simulate", "--url", f.url(), "--api-key", f.alice.apiKey(), "--count", "5");
            assertThat(sim.code()).as(sim.err()).isZero();
            assertThat(sim.out()).contains("labelled 2 pairs");
            assertThat(f.run.labels.list(null, 10, 0)).extracting(Label::choice).containsExactlyInAnyOrder("a", "b");
            assertThat(run("serve", "simulate", "--url", f.url(), "--api-key", "cria-wrong").err()).contains("401");
        }
    }

    @Test
    void rlhfRefusesARunWithoutModelOrLabels() {
        String runDir = tmp.resolve("empty").toString();
        Run noModel = run("rlhf", "--human", "--run", runDir);
        assertThat(noModel.code()).isEqualTo(1);
        assertThat(noModel.err()).contains("needs --model");
        Run noLabels = run("rlhf", "--human", "--run", runDir, "--model", ServeFixture.randomModel(tmp).toString());
        assertThat(noLabels.code()).isEqualTo(1);
        assertThat(noLabels.err()).contains("at least 2 preference labels");
        assertThat(run("serve", "--help").out()).contains("--labels-per-item").contains("--host");
    }
}
