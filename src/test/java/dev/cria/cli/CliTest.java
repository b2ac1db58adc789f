package dev.cria.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cria.io.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user drives it: exit codes, messages that name the problem, files written. */
class CliTest {
    private static final Path FIXTURE = Path.of("src/test/resources/fixtures/hf-tied");
    @RegisterExtension
    final CapturedConsole console = new CapturedConsole();

    @TempDir
    Path dir;

    private int run(String... args) {
        return Main.execute(args);
    }

    private String stdout() {
        return console.out();
    }

    private String stderr() {
        return console.err();
    }

    @Test
    void evalMatchesReferenceLogitsAndReportsJson() throws Exception {
        int[][] ids = new ObjectMapper().readValue(FIXTURE.resolve("input_ids.json").toFile(), int[][].class);
        Path data = dir.resolve("ids.jsonl");
        Files.writeString(data, "{\"input_ids\": " + java.util.Arrays.toString(ids[0]) + "}\n\n{\"input_ids\": "
                + java.util.Arrays.toString(ids[1]) + "}\n");
        Path npy = dir.resolve("logits.npy");
        assertThat(run("eval", "--model", FIXTURE.toString(), "--data", data.toString(), "--json", "--dump-logits", npy.toString())).isZero();
        var json = new ObjectMapper().readTree(stdout());
        assertThat(json.get("tokens").asLong()).isEqualTo(ids[0].length - 1 + ids[1].length - 1);
        assertThat(json.get("loss").asDouble()).isCloseTo(json.get("nll").asDouble() / json.get("tokens").asDouble(), org.assertj.core.data.Offset.offset(1e-9));
        assertThat(json.get("perplexity").asDouble()).isCloseTo(Math.exp(json.get("loss").asDouble()), org.assertj.core.data.Offset.offset(1e-6));
        float[] ours = Npy.read(npy).data(), reference = Npy.read(FIXTURE.resolve("logits.npy")).data();
        assertThat(Npy.read(npy).shape()).containsExactly(ids[0].length + ids[1].length, 300);
        for (int i = 0; i < ours.length; i++) assertThat(ours[i]).isCloseTo(reference[i], org.assertj.core.data.Offset.offset(2e-6f));
    }

    @Test
    void malformedEvalLineIsReportedWithFileAndLine() throws Exception {
        Path data = dir.resolve("bad.jsonl");
        Files.writeString(data, "{\"input_ids\": [1, 2, 3]}\n{\"input_ids\": [1, \"x\"]}\n");
        assertThat(run("eval", "--model", FIXTURE.toString(), "--data", data.toString())).isEqualTo(1);
        assertThat(stderr()).contains("bad.jsonl:2").contains("input_ids[1]").doesNotContain("Exception");
        Files.writeString(data, "{\"input_ids\": [1, 2, 999]}\n");
        assertThat(run("eval", "--model", FIXTURE.toString(), "--data", data.toString())).isEqualTo(1);
        assertThat(stderr()).contains("bad.jsonl:1").contains("999");
        Files.writeString(data, "{not json\n");
        assertThat(run("eval", "--model", FIXTURE.toString(), "--data", data.toString())).isEqualTo(1);
        assertThat(stderr()).contains("bad.jsonl:1: not valid JSON");
    }

    @Test
    void missingModelDirectoryIsNamed() {
        assertThat(run("generate", "--model", dir.resolve("nowhere").toString())).isEqualTo(1);
        assertThat(stderr()).contains("nowhere").contains("no such directory");
    }

    @Test
    void corruptWeightsAreReportedWithTheFile() throws Exception {
        Path model = dir.resolve("model");
        Files.createDirectories(model);
        Files.copy(FIXTURE.resolve("config.json"), model.resolve("config.json"));
        byte[] weights = Files.readAllBytes(FIXTURE.resolve("model.safetensors"));
        Files.write(model.resolve("model.safetensors"), java.util.Arrays.copyOf(weights, weights.length / 2));
        Path data = dir.resolve("ids.jsonl");
        Files.writeString(data, "{\"input_ids\": [1, 2, 3]}\n");
        assertThat(run("eval", "--model", model.toString(), "--data", data.toString())).isEqualTo(1);
        assertThat(stderr()).contains("model.safetensors");
    }

    @Test
    void outOfRangeFlagsAreRefusedWithTheirValue() {
        assertThat(run("pretrain", "--out", dir.toString(), "--lr", "-1", "--stories", "20")).isEqualTo(1);
        assertThat(stderr()).contains("--lr must be positive: -1");
        assertThat(run("pretrain", "--out", dir.resolve("x").toString(), "--preset", "huge")).isEqualTo(1);
        assertThat(stderr()).contains("unknown preset 'huge'");
        assertThat(run("pretrain", "--out", dir.toString(), "--batch", "many")).isEqualTo(2);
        assertThat(stderr()).contains("'many'");
    }

    @Test
    void pretrainGenerateAndResumeFromTheCommandLine() throws Exception {
        Path run = dir.resolve("run");
        String[] shape = {"--dim", "16", "--layers", "1", "--heads", "2", "--kv-heads", "1", "--hidden", "32", "--vocab", "300",
                "--max-seq-len", "64", "--seq-len", "32", "--batch", "2", "--stories", "50", "--eval-every", "2", "--eval-batches", "1"};
        assertThat(run(concat(new String[] {"pretrain", "--out", run.toString(), "--steps", "3"}, shape))).isZero();
        assertThat(stdout()).contains("finished at step 3");
        assertThat(stderr()).as("the packed data is described for people, not as a record").contains("packed ").doesNotContain("Summary[");
        assertThat(Files.exists(run.resolve("model/config.json"))).isTrue();
        assertThat(Files.exists(run.resolve("loss.png"))).isTrue();
        assertThat(run("pretrain", "--out", run.toString(), "--steps", "3")).isEqualTo(1);
        assertThat(stderr()).contains("already holds a run").contains("--resume");
        assertThat(run("pretrain", "--out", run.toString(), "--resume", "--steps", "5")).isZero();
        assertThat(stdout()).contains("finished at step 5");
        assertThat(new dev.cria.train.MetricsLog(run.resolve("metrics.jsonl")).read()).hasSize(5);
        console.clear();
        assertThat(run("generate", "--model", run.toString(), "--prompt", "Once", "--max-new-tokens", "5", "--num-samples", "2")).isZero();
        assertThat(stdout()).contains("--- sample 1").contains("--- sample 2");
    }

    private static String[] concat(String[] a, String[] b) {
        var all = new java.util.ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(String[]::new);
    }
}
