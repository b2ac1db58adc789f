package dev.cria.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cria.backend.Backends;
import dev.cria.backend.JavaBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code --precision bf16} on every trainer and bench: the run says which backend it used, bad values are one line. */
class PrecisionCliTest {
    @RegisterExtension
    final CapturedConsole console = new CapturedConsole();

    @TempDir
    Path dir;

    private static final String[] SMALL = {"--steps", "2", "--batch", "2", "--max-len", "200", "--eval-every", "0", "--precision", "bf16",
            "--backend", "java"};

    private int run(String... args) {
        int code = Main.execute(args);
        if (code != 0) console.realErr().println(String.join(" ", args) + " -> " + code + ": " + console.err());
        return code;
    }

    private static String[] with(String command, String... rest) {
        var all = new java.util.ArrayList<String>();
        all.add(command);
        all.addAll(java.util.List.of(SMALL));
        all.addAll(java.util.List.of(rest));
        return all.toArray(String[]::new);
    }

    private static String[] rlWith(String[] flags, String... command) {
        var all = new java.util.ArrayList<>(java.util.List.of(command));
        all.addAll(java.util.List.of(flags));
        return all.toArray(String[]::new);
    }

    private static String backendOf(Path run) throws Exception {
        return new ObjectMapper().readTree(Files.readAllLines(run.resolve("metrics.jsonl")).get(0)).path("backend").asText();
    }

    @Test
    void everyTrainerRunsInBfloat16AndNamesItsBackend() throws Exception {
        Path base = dir.resolve("base");
        assertThat(run("pretrain", "--out", base.toString(), "--dim", "16", "--layers", "1", "--heads", "2", "--kv-heads", "1",
                "--hidden", "32", "--vocab", "300", "--max-seq-len", "256", "--seq-len", "32", "--batch", "2", "--stories", "40",
                "--steps", "2", "--eval-every", "0", "--eval-batches", "1", "--precision", "bf16", "--backend", "java")).isZero();
        assertThat(console.err()).contains("backend: java-bf16");
        assertThat(backendOf(base)).isEqualTo("java-bf16");
        assertThat(Backends.current()).as("each command starts from the default").isSameAs(JavaBackend.F32);

        Path sft = dir.resolve("sft"), reward = dir.resolve("reward"), dpo = dir.resolve("dpo"), ppo = dir.resolve("ppo"), grpo = dir.resolve("grpo");
        assertThat(run(with("sft", "--model", base.toString(), "--out", sft.toString(), "--examples", "20"))).isZero();
        assertThat(run(with("reward", "--model", base.toString(), "--out", reward.toString(), "--pairs", "20"))).isZero();
        assertThat(run(with("dpo", "--model", base.toString(), "--out", dpo.toString(), "--pairs", "20"))).isZero();
        String[] rl = {"--iterations", "1", "--prompts-per-round", "2", "--max-new-tokens", "8", "--num-prompts", "4", "--minibatches", "1",
                "--precision", "bf16", "--backend", "java"};
        assertThat(run(rlWith(rl, "ppo", "--model", base.toString(), "--out", ppo.toString(), "--reward-model", reward.toString()))).isZero();
        assertThat(run(rlWith(rl, "grpo", "--model", base.toString(), "--out", grpo.toString(), "--reward", "keyword:cat=1", "-k", "2"))).isZero();
        for (Path run : new Path[] {sft, reward, dpo, ppo, grpo}) assertThat(backendOf(run)).as(run.toString()).isEqualTo("java-bf16");
    }

    @Test
    void benchesNameTheirBackendAndPrecision() throws Exception {
        int threads = dev.cria.tensor.Parallel.threads();
        assertThat(run("bench", "gemm", "--m", "32", "--n", "48", "--k", "40", "--seconds", "0.05", "--layout", "atb",
                "--precision", "bf16", "--backend", "java", "--threads", Integer.toString(threads), "--json", "--no-probe")).isZero();
        var gemm = new ObjectMapper().readTree(console.out().strip());
        assertThat(gemm.path("backend").asText()).isEqualTo("java-bf16");
        assertThat(gemm.path("threads").asInt()).isEqualTo(threads);
        assertThat(gemm.path("gflops").asDouble()).isPositive();
        console.clear();
        assertThat(run("bench", "train", "--threads", Integer.toString(threads + 1), "--no-probe")).isEqualTo(1);
        assertThat(console.err()).contains("this JVM already runs " + threads + " threads").doesNotContain("Exception");
    }

    @Test
    void autoTakesOneDnnForBfloat16WhereTheLibraryLoadsAndCanMultiplyIt() throws Exception {
        assertThat(run("bench", "gemm", "--m", "32", "--n", "48", "--k", "40", "--seconds", "0.05", "--precision", "bf16", "--json",
                "--no-probe")).isZero();
        String expected = dev.cria.backend.OneDnnBackend.cannot(dev.cria.backend.Precision.BF16) == null ? "onednn-bf16" : "java-bf16";
        assertThat(new ObjectMapper().readTree(console.out().strip()).path("backend").asText()).isEqualTo(expected);
    }

    @Test
    void aBadPrecisionOrBackendIsOneLine() {
        assertThat(run("bench", "gemm", "--precision", "fp8", "--no-probe")).isEqualTo(1);
        assertThat(console.err().strip()).isEqualTo("cria: error: --precision must be f32 or bf16, not 'fp8'");
        assertThat(run("sft", "--model", dir.toString(), "--out", dir.resolve("x").toString(), "--backend", "cuda")).isEqualTo(1);
        assertThat(console.err()).contains("--backend").contains("'cuda'").doesNotContain("Exception");
    }
}
