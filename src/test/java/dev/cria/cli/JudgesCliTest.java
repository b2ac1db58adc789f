package dev.cria.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** --judge on pairs and judge, online-dpo, generate --best-of and rejection-sampling, end to end on a very small model. */
class JudgesCliTest {
    @TempDir
    static Path dir;
    private static Path base;
    @RegisterExtension
    final CapturedConsole console = new CapturedConsole();

    @BeforeAll
    static void pretrainASmallModel() {
        base = dir.resolve("base");
        int code = Main.execute("pretrain", "--out", base.toString(), "--dim", "16", "--layers", "1", "--heads", "2", "--kv-heads", "1",
                "--hidden", "32", "--vocab", "300", "--max-seq-len", "256", "--seq-len", "32", "--batch", "2", "--stories", "60",
                "--steps", "2", "--eval-every", "0", "--eval-batches", "1");
        assertThat(code).isZero();
    }

    private int run(String... args) {
        int code = Main.execute(args);
        if (code != 0) console.realErr().println(String.join(" ", args) + " -> " + code + ": " + console.err());
        return code;
    }

    @Test
    void onlineDpoTrainsOnPairsTheAnnotatorJudges() throws Exception {
        Path out = dir.resolve("online");
        assertThat(run("online-dpo", "--model", base.toString(), "--out", out.toString(), "--steps", "2", "--batch", "2",
                "--max-new-tokens", "8", "--num-prompts", "10", "--judge", "annotator")).isZero();
        assertThat(console.out()).contains("objective/kl");
        var metrics = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertThat(metrics).hasSize(2);
        assertThat(new ObjectMapper().readTree(metrics.get(1)).has("judge/ties")).isTrue();
        assertThat(Files.exists(out.resolve("model/config.json"))).isTrue();
        assertThat(run("online-dpo", "--out", out.toString(), "--resume", "--reference", base.toString(), "--steps", "3", "--batch", "2",
                "--max-new-tokens", "8", "--num-prompts", "10")).isZero();
        assertThat(Files.readAllLines(out.resolve("metrics.jsonl"))).hasSize(3);
        assertThat(run("online-dpo", "--model", base.toString(), "--out", dir.resolve("online-lora").toString(), "--steps", "1", "--batch", "2",
                "--max-new-tokens", "8", "--num-prompts", "10", "--lora", "--lora-rank", "2", "--judge", "model:" + base)).isZero();
        assertThat(console.out()).contains("LoRA adapters merged");
    }

    @Test
    void pairsAndJudgeTakeAnAiJudgeAndARewardModel() throws Exception {
        Path rm = dir.resolve("rm");
        assertThat(run("reward", "--model", base.toString(), "--out", rm.toString(), "--pairs", "20", "--steps", "1", "--batch", "2",
                "--max-len", "200")).isZero();
        Path pairs = dir.resolve("ai-pairs.jsonl");
        assertThat(run("pairs", "--model", base.toString(), "--out", pairs.toString(), "--num-prompts", "4", "--samples", "3",
                "--max-new-tokens", "8", "--judge", "model:" + base)).isZero();
        assertThat(console.out()).contains("pairs to " + pairs).contains("model(" + base + ") could not tell apart");
        assertThat(run("pairs", "--model", base.toString(), "--out", dir.resolve("rm-pairs.jsonl").toString(), "--num-prompts", "4",
                "--samples", "2", "--max-new-tokens", "8", "--judge", "reward-model:" + rm)).isZero();
        console.clear();
        assertThat(run("judge", "--model", base.toString(), "--against", base.toString(), "--num-prompts", "3", "--max-new-tokens", "8",
                "--judge", "model:" + base)).isZero();
        var judged = new ObjectMapper().readTree(console.out());
        assertThat(judged.get("judge").asText()).isEqualTo("model:" + base);
        // the same seed gives both models the same answers, which a judge asked in both orders calls even
        assertThat(judged.get("win_rate").asDouble()).isEqualTo(0.5, org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void bestOfNAndRejectionSamplingRun() throws Exception {
        console.clear();
        assertThat(run("generate", "--model", base.toString(), "--chat", "--prompt", "Tell me a story about a cat named Tom.",
                "--max-new-tokens", "8", "--best-of", "3", "--reward", "annotator")).isZero();
        assertThat(console.err()).contains("best of 3 by annotator");
        assertThat(run("generate", "--model", base.toString(), "--best-of", "3")).isEqualTo(1);
        assertThat(console.err()).contains("--best-of needs --reward");
        Path out = dir.resolve("rs");
        assertThat(run("rejection-sampling", "--model", base.toString(), "--out", out.toString(), "--rounds", "2", "--samples", "2",
                "--num-prompts", "4", "--max-new-tokens", "8", "--steps", "1", "--batch", "2", "--reward", "annotator")).isZero();
        assertThat(console.out()).contains("round 2: mean score");
        assertThat(Files.readAllLines(out.resolve("metrics.jsonl"))).hasSize(2);
        assertThat(dev.cria.chat.AlignmentJsonl.readSft(out.resolve("round-1/best.jsonl"))).hasSize(4);
        assertThat(Files.exists(out.resolve("model/config.json"))).isTrue();
    }

    @Test
    void badJudgesAreRefusedInOneLine() throws Exception {
        Path out = dir.resolve("bad.jsonl");
        assertThat(run("pairs", "--model", base.toString(), "--out", out.toString(), "--judge", "oracle")).isEqualTo(1);
        assertThat(console.err()).contains("--judge: unknown judge 'oracle'; use annotator, reward-model:DIR, model:DIR or remote:URL[#MODEL]");
        assertThat(run("judge", "--model", base.toString(), "--judge", "model:")).isEqualTo(1);
        assertThat(console.err()).contains("--judge model needs a directory: model:DIR");
        assertThat(run("judge", "--model", base.toString(), "--judge", "remote:localhost:8080")).isEqualTo(1);
        assertThat(console.err()).contains("http:// or https://");
        int closed;
        try (var socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        console.clear();
        assertThat(run("judge", "--model", base.toString(), "--against", base.toString(), "--num-prompts", "2", "--max-new-tokens", "4",
                "--judge", "remote:http://127.0.0.1:" + closed + "#judge")).isEqualTo(1);
        assertThat(console.err().strip()).isEqualTo("cria: error: remote judge at http://127.0.0.1:" + closed
                + "/v1/chat/completions: cannot connect (is the server running?)");
        assertThat(run("online-dpo", "--model", base.toString(), "--out", dir.resolve("od-bad").toString(), "--temperature", "0")).isEqualTo(1);
        assertThat(console.err()).contains("--temperature must be above 0");
    }
}
