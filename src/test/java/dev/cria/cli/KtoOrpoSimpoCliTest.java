package dev.cria.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code kto}, {@code orpo} and {@code simpo} end to end on a very small model: each runs, logs TRL's names, and refuses bad input clearly. */
class KtoOrpoSimpoCliTest {
    @TempDir
    static Path dir;
    private static Path base;
    @RegisterExtension
    final CapturedConsole console = new CapturedConsole();

    private static final String[] SMALL = {"--steps", "2", "--batch", "2", "--max-len", "200", "--eval-every", "0"};

    @BeforeAll
    static void pretrainASmallModel() {
        base = dir.resolve("base");
        int code = Main.execute("pretrain", "--out", base.toString(), "--dim", "16", "--layers", "1", "--heads", "2", "--kv-heads", "1",
                "--hidden", "32", "--vocab", "300", "--max-seq-len", "256", "--seq-len", "32", "--batch", "2", "--stories", "60",
                "--steps", "2", "--eval-every", "0", "--eval-batches", "1");
        assertThat(code).isZero();
    }

    private int run(String command, String... args) {
        var all = new java.util.ArrayList<>(List.of(command));
        all.addAll(List.of(SMALL));
        all.addAll(List.of(args));
        int code = Main.execute(all.toArray(String[]::new));
        if (code != 0) console.realErr().println(all + " -> " + code + ": " + console.err());
        return code;
    }

    private static List<String> lastMetrics(Path run) throws Exception {
        var lines = Files.readAllLines(run.resolve("metrics.jsonl"));
        var names = new java.util.ArrayList<String>();
        new ObjectMapper().readTree(lines.getLast()).fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void ktoTrainsOnBuiltInPairsUnpairedAndOnAFile() throws Exception {
        Path kto = dir.resolve("kto");
        assertThat(run("kto", "--model", base.toString(), "--out", kto.toString(), "--pairs", "10")).isZero();
        assertThat(console.err()).contains("each built-in pair gives a good and a bad example: 18 to train on");
        assertThat(console.out()).contains("held-out examples: rewards/margins");
        assertThat(lastMetrics(kto)).contains("kl", "eval/kl", "eval/rewards/chosen", "eval/rewards/rejected", "eval/rewards/margins", "eval/logps/chosen");

        Path data = dir.resolve("thumbs.jsonl");
        Files.writeString(data, """
                {"prompt": "Write a story about a cat named Tom.", "completion": "Tom the cat found a ball.", "label": true}
                {"prompt": "Write a story about a dog named Sue.", "completion": "Once upon a time a fish.", "label": false}
                {"prompt": "Write a story about a fox named Max.", "completion": "Max the fox ran home.", "label": true}
                {"prompt": "Write a story about a hen named Ann.", "completion": "Ann Ann Ann Ann.", "label": false}
                """);
        assertThat(run("kto", "--model", base.toString(), "--out", dir.resolve("kto-file").toString(), "--data", data.toString(),
                "--val-fraction", "0", "--lora", "--lora-rank", "2", "--desirable-weight", "1.2")).isZero();
        assertThat(console.out()).contains("LoRA adapters merged");
    }

    @Test
    void orpoAndSimpoTrainWithNoReference() throws Exception {
        Path orpo = dir.resolve("orpo"), simpo = dir.resolve("simpo");
        assertThat(run("orpo", "--model", base.toString(), "--out", orpo.toString(), "--pairs", "10")).isZero();
        assertThat(console.out()).contains("held-out pairs: rewards/accuracies");
        assertThat(lastMetrics(orpo)).contains("nll_loss", "log_odds_ratio", "log_odds_chosen", "eval/rewards/margins");
        assertThat(Files.exists(orpo.resolve("orpo_loss.png"))).isTrue();
        assertThat(run("simpo", "--model", base.toString(), "--out", simpo.toString(), "--pairs", "10", "--beta", "2.5", "--gamma", "1.25")).isZero();
        assertThat(lastMetrics(simpo)).contains("rewards/chosen", "eval/rewards/accuracies").doesNotContain("log_odds_ratio");
        assertThat(console.err()).doesNotContain("reference log-probs");
    }

    @Test
    void badInputIsRefusedWithTheReason() throws Exception {
        Path bad = dir.resolve("bad-kto.jsonl");
        Files.writeString(bad, "{\"prompt\": \"hi\", \"completion\": \"yo\", \"label\": true}\n{\"prompt\": \"hi\", \"completion\": \"yo\", \"label\": 1}\n");
        assertThat(run("kto", "--model", base.toString(), "--out", dir.resolve("x").toString(), "--data", bad.toString())).isEqualTo(1);
        assertThat(console.err()).contains("bad-kto.jsonl:2: field \"label\" is number, expected true or false");
        assertThat(Main.execute("kto", "--model", base.toString(), "--out", dir.resolve("y").toString(), "--batch", "1")).isEqualTo(1);
        assertThat(console.err()).contains("--batch must be at least 2 for KTO");
        assertThat(Main.execute("kto", "--model", base.toString(), "--out", dir.resolve("y").toString(), "--undesirable-weight", "-1")).isEqualTo(1);
        assertThat(console.err()).contains("--undesirable-weight must be positive: -1.0");
        assertThat(Main.execute("orpo", "--model", base.toString(), "--out", dir.resolve("z").toString(), "--beta", "0")).isEqualTo(1);
        assertThat(console.err()).contains("--beta must be positive: 0.0");
        assertThat(Main.execute("simpo", "--model", base.toString(), "--out", dir.resolve("z").toString(), "--gamma", "-1")).isEqualTo(1);
        assertThat(console.err()).contains("--gamma must be 0 or more: -1.0");
        assertThat(Main.execute("simpo", "--model", base.toString(), "--out", dir.resolve("z").toString(), "--reference", base.toString())).isNotZero();
        assertThat(console.err()).contains("Unknown options: '--reference'");
    }
}
