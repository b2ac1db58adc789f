package dev.cria.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Refactoring must not change what training does: short fixed-seed runs of pretraining, SFT, the
 * reward model, PPO and DPO, driven through the command line, must write the same {@code metrics.jsonl}
 * as the ones recorded in {@code src/test/resources/same-runs/}, number for number. Only the throughput
 * column, which depends on the clock, is left out.
 *
 * <p>Floating-point sums round differently at different vector widths, so this test runs in its own
 * JVM at 256-bit vectors (the pom's {@code same-runs} execution), which every supported CPU has.
 * {@code -Dcria.same-runs.record=true} writes the files anew, after a change that is meant to alter them.
 */
class SameRunsTest {
    private static final Path RECORDED = Path.of("src/test/resources/same-runs");
    private static final boolean RECORD = Boolean.getBoolean("cria.same-runs.record");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    @BeforeAll
    static void train() {
        quietly("pretrain", "--out", dir.resolve("pretrain").toString(), "--dim", "32", "--layers", "2", "--heads", "4", "--kv-heads", "2",
                "--hidden", "64", "--vocab", "300", "--max-seq-len", "256", "--seq-len", "64", "--batch", "4", "--stories", "400",
                "--steps", "30", "--eval-every", "10", "--eval-batches", "2", "--warmup", "5", "--seed", "11");
        String base = dir.resolve("pretrain").toString();
        String[] small = {"--steps", "6", "--batch", "4", "--max-len", "200", "--eval-every", "3", "--seed", "12"};
        quietly(concat(new String[] {"sft", "--model", base, "--out", dir.resolve("sft").toString(), "--examples", "40"}, small));
        String sft = dir.resolve("sft").toString();
        quietly(concat(new String[] {"reward", "--model", sft, "--out", dir.resolve("reward").toString(), "--pairs", "40"}, small));
        quietly(concat(new String[] {"dpo", "--model", sft, "--out", dir.resolve("dpo").toString(), "--pairs", "40"}, small));
        quietly("ppo", "--model", sft, "--out", dir.resolve("ppo").toString(), "--reward-model", dir.resolve("reward").toString(),
                "--iterations", "3", "--prompts-per-round", "4", "--max-new-tokens", "12", "--num-prompts", "20", "--minibatches", "2",
                "--seed", "13");
    }

    @Test
    void pretrainingWritesTheRecordedMetrics() throws IOException {
        check("pretrain");
    }

    @Test
    void sftWritesTheRecordedMetrics() throws IOException {
        check("sft");
    }

    @Test
    void theRewardModelWritesTheRecordedMetrics() throws IOException {
        check("reward");
    }

    @Test
    void dpoWritesTheRecordedMetrics() throws IOException {
        check("dpo");
    }

    @Test
    void ppoWritesTheRecordedMetrics() throws IOException {
        check("ppo");
    }

    private static void check(String run) throws IOException {
        String metrics = deterministic(Files.readAllLines(dir.resolve(run).resolve("metrics.jsonl")));
        Path recorded = RECORDED.resolve(run + ".jsonl");
        if (RECORD) {
            Files.createDirectories(RECORDED);
            Files.writeString(recorded, metrics);
        }
        assertThat(metrics).as(run + " against " + recorded).isEqualTo(Files.readString(recorded));
    }

    /** The lines with their fields in name order (a map's order is not the run's), without the clock-dependent ones. */
    private static String deterministic(List<String> lines) {
        return lines.stream().map(SameRunsTest::sortedWithoutClock).collect(Collectors.joining("\n", "", "\n"));
    }

    private static String sortedWithoutClock(String line) {
        try {
            var fields = new TreeMap<String, Object>(JSON.readValue(line, new TypeReference<Map<String, Object>>() { }));
            fields.keySet().removeIf(k -> k.endsWith("tokens_per_sec") || k.endsWith("seconds"));
            return JSON.writeValueAsString(fields);
        } catch (IOException e) {
            throw new UncheckedIOException("not a JSON line: " + line, e);
        }
    }

    private static void quietly(String... args) {
        PrintStream out = System.out, err = System.err;
        var captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.execute(args);
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        assertThat(code).as(String.join(" ", args) + "\n" + captured.toString(StandardCharsets.UTF_8)).isZero();
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
