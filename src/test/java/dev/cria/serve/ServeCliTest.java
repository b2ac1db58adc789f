package dev.cria.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.cria.checkpoint.ModelDirectory;
import dev.cria.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    void deactivationKeepsTheLabelsThatRemovalDeletes() {
        Path runPath = tmp.resolve("people");
        String runDir = runPath.toString();
        Run added = run("serve", "user", "add", "erin", "--run", runDir);
        String key = added.out().replaceAll("(?s).*API key:  (\\S+).*", "$1");
        try (RunDir dir = RunDir.open(runPath)) {
            long item = dir.items.addPair("Write a story.", "a story", "a stone", "base", "base");
            dir.labels.submit(dir.accounts.byApiKey(key), new Labels.Submission("erin-1", item, "a", null, null, "test"), 2);
        }
        Run deactivated = run("serve", "user", "deactivate", "erin", "--run", runDir);
        assertThat(deactivated.code()).as(deactivated.err()).isZero();
        assertThat(deactivated.out()).contains("deactivated erin").contains("1 label");
        assertThat(run("serve", "user", "list", "--run", runDir).out()).containsPattern("erin\\s+labeller\\s+deactivated");
        try (RunDir dir = RunDir.open(runPath)) {
            assertThat(dir.accounts.byApiKey(key)).isNull();
            assertThat(dir.labels.list(null, 10, 0)).extracting(Label::user).containsExactly("erin");
        }
        Run unknown = run("serve", "user", "deactivate", "nobody", "--run", runDir);
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).contains("no user called 'nobody'");
        assertThat(run("serve", "user", "--help").out()).contains("deactivate").contains("remove").contains("deletes their labels");
        assertThat(run("serve", "user", "remove", "erin", "--run", runDir).out()).contains("removed erin and their 1 label");
        try (RunDir dir = RunDir.open(runPath)) {
            assertThat(dir.labels.count()).isZero();
        }
    }

    @Test
    void aCorruptModelIsRefusedBeforeTheRunRecordsIt() throws Exception {
        Path bad = ServeFixture.randomModel(tmp.resolve("bad"));
        Path weights = bad.resolve(ModelDirectory.WEIGHTS);
        byte[] bytes = Files.readAllBytes(weights);
        Files.write(weights, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        Path runDir = tmp.resolve("run");
        // subtle: a server that accepted the model would serve until stopped, so the refusal gets a time limit
        Run refused = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> run("serve", "--model", bad.toString(), "--run", runDir.toString(), "--port", "0"));
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).startsWith("cria: error: ").contains(weights.toString()).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(refused.err().strip().lines()).hasSize(1);
        assertThat(runDir.resolve(Store.FILE)).as("nothing is created for a model that does not load").doesNotExist();

        Path good = ServeFixture.randomModel(tmp.resolve("good"));
        String url = serveUntilReady("serve", "--model", good.toString(), "--run", runDir.toString(), "--port", "0");
        try (RunDir dir = RunDir.open(runDir)) {
            assertThat(dir.baseModel()).isEqualTo(good.toAbsolutePath().normalize());
        }
        assertThat(url).startsWith("http://127.0.0.1:");
    }

    @Test
    void badServeFlagsAreRefusedBeforeAnythingIsCreated() {
        Path model = ServeFixture.randomModel(tmp);
        Path runDir = tmp.resolve("flags");
        for (List<String> flags : List.of(List.of("--port", "99999"), List.of("--port", "-1"), List.of("--port", "65536"), List.of("--host", ""),
                List.of("--labels-per-item", "0"), List.of("--temperature", "-1"), List.of("--top-p", "0"), List.of("--max-new-tokens", "0"),
                List.of("--reward-steps", "0"), List.of("--ppo-prompts", "-2"), List.of("--connections-per-address", "0"))) {
            var args = new java.util.ArrayList<>(List.of("serve", "--model", model.toString(), "--run", runDir.toString()));
            args.addAll(flags);
            Run r = run(args.toArray(String[]::new));
            assertThat(r.code()).as(String.join(" ", flags)).isEqualTo(1);
            assertThat(r.err()).as(String.join(" ", flags)).startsWith("cria: error: " + flags.get(0)).contains(flags.get(1))
                    .doesNotContain("Exception");
            assertThat(r.err().strip().lines()).hasSize(1);
            assertThat(runDir).as(String.join(" ", flags)).doesNotExist();
        }
    }

    private static final Pattern SERVING = Pattern.compile("at (http://\\S+)");

    /**
     * Runs {@code cria serve} on a thread until it prints its address, checks that it answers, then stops it
     * (as Ctrl-C would) and returns the address it served.
     */
    private static String serveUntilReady(String... args) throws Exception {
        PrintStream savedOut = System.out, savedErr = System.err;
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        var code = new AtomicInteger(-1);
        Thread server = new Thread(() -> code.set(Main.execute(args)), "cria-serve-test");
        try {
            server.start();
            long deadline = System.currentTimeMillis() + 30_000;
            String url = null;
            while (url == null && server.isAlive() && System.currentTimeMillis() < deadline) {
                Matcher m = SERVING.matcher(out.toString(StandardCharsets.UTF_8));
                if (m.find()) url = m.group(1);
                else Thread.sleep(20);
            }
            assertThat(url).as("serve did not start: " + err.toString(StandardCharsets.UTF_8)).isNotNull();
            var health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            server.interrupt();
            server.join(10_000);
            assertThat(code.get()).as(err.toString(StandardCharsets.UTF_8)).isZero();
            return url;
        } finally {
            server.interrupt();
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
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
                dir.labels.submit(ana, new Labels.Submission("s" + i, item, i % 3 == 0 ? "b" : "a", null, null, "test"), 2);
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

    @Test
    void rlhfRunsOnlineDpoAndKtoRoundsFromStoredLabels() {
        Path runPath = tmp.resolve("rated");
        String prompt = "Write a story about a dog named Max.";
        try (RunDir dir = RunDir.open(runPath)) {
            dir.useBase(ServeFixture.randomModel(tmp));
            var ana = dir.accounts.create("ana", User.Role.LABELLER).user();
            for (int i = 0; i < 6; i++) {
                long single = dir.items.addSingle(prompt, i % 2 == 0 ? "Max the dog found a ball. The end." : "dog dog dog", "base");
                dir.labels.submit(ana, new Labels.Submission("r" + i, single, i % 2 == 0 ? "up" : "down", null, null, "test"), 2);
            }
            for (int i = 0; i < 4; i++) {
                long pair = dir.items.addPair(prompt, "Max the dog found a ball. The end.", "dog dog dog", "base", "base");
                dir.labels.submit(ana, new Labels.Submission("p" + i, pair, "a", null, null, "test"), 2);
            }
            dir.items.addPair(prompt, "Max ran.", "Max sat.", "base", "base");
        }
        String[] quick = {"--dpo-steps", "4", "--dpo-lr", "5e-5", "--judge-prompts", "0"};
        Run online = run(concat(new String[] {"rlhf", "--human", "--run", runPath.toString(), "--method", "online-dpo"}, quick));
        assertThat(online.code()).as(online.err()).isZero();
        assertThat(online.out()).contains("round 1 (online-dpo) done").contains("\"pairs_retired\" : 1").contains("\"policy_pairs\" : 5");
        Run kto = run(concat(new String[] {"rlhf", "--human", "--run", runPath.toString(), "--method", "kto"}, quick));
        assertThat(kto.code()).as(kto.err()).isZero();
        assertThat(kto.out()).contains("round 2 (kto) done").contains("kto_loss").contains("\"ratings_up\" : 3");
        Run again = run(concat(new String[] {"rlhf", "--human", "--run", runPath.toString(), "--method", "online-dpo"}, quick));
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).as("round-2 has written no pairs").contains("two samples of the current policy (round-2); there are 0");
        Run unknown = run("rlhf", "--human", "--run", runPath.toString(), "--method", "sft");
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).contains("--method must be ppo, dpo, kto or online-dpo: sft");
        try (RunDir dir = RunDir.open(runPath)) {
            assertThat(dir.currentPolicy()).isEqualTo("round-2");
            assertThat(dir.roundDir(2).resolve("kto/metrics.jsonl")).exists();
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
