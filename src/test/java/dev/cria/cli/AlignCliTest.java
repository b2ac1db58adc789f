package dev.cria.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cria.align.reward.Reward;
import dev.cria.checkpoint.ModelDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The alignment commands end to end on a very small model: each runs, writes its outputs, and refuses bad input clearly. */
class AlignCliTest {
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

    private static final String[] SMALL = {"--steps", "2", "--batch", "2", "--max-len", "200", "--eval-every", "0"};

    private int run(String... args) {
        int code = Main.execute(args);
        if (code != 0) console.realErr().println(String.join(" ", args) + " -> " + code + ": " + stderr());
        return code;
    }

    /** The command b[0], then the shared flags a, then the rest of b. */
    private static String[] with(String[] a, String... b) {
        var all = new java.util.ArrayList<String>();
        all.add(b[0]);
        all.addAll(java.util.List.of(a));
        all.addAll(java.util.List.of(b).subList(1, b.length));
        return all.toArray(String[]::new);
    }

    @Test
    void sftRewardDpoAndRlRunFromTheCommandLine() throws Exception {
        Path sft = dir.resolve("sft"), rm = dir.resolve("rm"), dpo = dir.resolve("dpo"), ppo = dir.resolve("ppo"), grpo = dir.resolve("grpo");
        assertThat(run(with(SMALL, "sft", "--model", base.toString(), "--out", sft.toString(), "--examples", "20", "--lora", "--lora-rank", "2"))).isZero();
        assertThat(stdout()).contains("LoRA adapters merged");
        assertThat(Files.exists(sft.resolve("model/adapter_config.json"))).isFalse();
        assertThat(run(with(SMALL, "reward", "--model", sft.toString(), "--out", rm.toString(), "--pairs", "20"))).isZero();
        assertThat(stdout()).contains("held-out pairs: accuracy");
        assertThat(Files.exists(rm.resolve("model/reward_stats.json"))).isTrue();
        assertThat(run("reward", "--model", sft.toString(), "--out", dir.resolve("rm-cut").toString(), "--pairs", "20", "--steps", "1",
                "--max-len", "150")).isZero();
        assertThat(stderr()).contains("responses are longer than --max-len 150 allows and lose their end");
        assertThat(run(with(SMALL, "dpo", "--model", sft.toString(), "--out", dpo.toString(), "--pairs", "20", "--loss", "ipo"))).isZero();
        String[] rl = {"--iterations", "2", "--prompts-per-round", "2", "--max-new-tokens", "8", "--num-prompts", "10", "--minibatches", "1"};
        assertThat(run(with(rl, "ppo", "--model", sft.toString(), "--out", ppo.toString(), "--reward-model", rm.toString()))).isZero();
        assertThat(Files.exists(ppo.resolve("critic/model/config.json"))).isTrue();
        var metrics = Files.readAllLines(ppo.resolve("metrics.jsonl"));
        assertThat(metrics).hasSize(2);
        assertThat(new ObjectMapper().readTree(metrics.get(1)).has("objective/kl")).isTrue();
        assertThat(run(with(rl, "grpo", "--model", sft.toString(), "--out", grpo.toString(), "--reward", "keyword:cat=1,annotator=0.1", "-k", "2"))).isZero();
        assertThat(run("grpo", "--iterations", "3", "--prompts-per-round", "2", "--max-new-tokens", "8", "--num-prompts", "10",
                "--minibatches", "1", "--out", grpo.toString(), "--resume", "--reference", sft.toString(),
                "--reward", "keyword:cat=1,annotator=0.1", "-k", "2")).isZero();
        assertThat(Files.readAllLines(grpo.resolve("metrics.jsonl"))).hasSize(3);
        console.clear();
        assertThat(run("judge", "--model", grpo.toString(), "--against", sft.toString(), "--num-prompts", "4", "--max-new-tokens", "8")).isZero();
        var judged = new ObjectMapper().readTree(stdout());
        assertThat(judged.get("win_rate").asDouble()).isBetween(0.0, 1.0);
        console.clear();
        assertThat(run("judge", "--model", sft.toString(), "--built-in-prompts", "echo", "--num-prompts", "4", "--max-new-tokens", "8")).isZero();
        assertThat(new ObjectMapper().readTree(stdout()).get("copy_score").asDouble()).isBetween(0.0, 8.0);
    }

    @Test
    void rewardWithLoraSavesARewardModelThatScoresTheSameMergedOrNot() throws Exception {
        Path merged = dir.resolve("rm-lora"), kept = dir.resolve("rm-lora-kept");
        String[] lora = {"--pairs", "20", "--lora", "--lora-rank", "2"};
        assertThat(run(concat(with(SMALL, "reward", "--model", base.toString(), "--out", merged.toString()), lora))).isZero();
        assertThat(stdout()).contains("LoRA adapters merged", "held-out pairs: accuracy");
        assertThat(merged.resolve("model/adapter_config.json")).doesNotExist();
        assertThat(merged.resolve("model/reward_stats.json")).exists();
        console.clear();
        // the same run, interrupted after one step and resumed, with the adapters kept beside the model
        assertThat(run(concat(new String[] {"reward", "--model", base.toString(), "--out", kept.toString(), "--steps", "1", "--batch", "2",
                "--max-len", "200", "--eval-every", "0", "--no-merge"}, lora))).isZero();
        assertThat(run(concat(new String[] {"reward", "--resume", "--out", kept.toString(), "--steps", "2", "--batch", "2",
                "--max-len", "200", "--eval-every", "0", "--no-merge"}, lora))).isZero();
        assertThat(stdout()).doesNotContain("LoRA adapters merged");
        assertThat(Files.readString(kept.resolve("model/adapter_config.json"))).contains("SEQ_CLS", "\"score\"");

        var withAdapters = ModelDirectory.load(kept);
        assertThat(withAdapters.model().hasAdapters()).isTrue();
        assertThat(withAdapters.model().hasScoreHead()).isTrue();
        assertThat(ModelDirectory.load(merged).model().hasAdapters()).isFalse();
        var chat = withAdapters.chat();
        var samples = new java.util.ArrayList<Reward.Sample>();
        for (String story : new String[] {"Tom the cat found a red ball.", "Once upon a time there was a dog.", ""}) {
            String prompt = "Write a story about a cat named Tom.";
            samples.add(new Reward.Sample(prompt, story, chat.promptTokens(prompt), chat.tokenizer().encode(story), true));
        }
        float[] fromMerged = RewardSpec.parse("model", merged, chat.tokenizer(), null).score(samples);
        float[] fromAdapters = RewardSpec.parse("model", kept, chat.tokenizer(), null).score(samples);
        assertThat(fromAdapters).containsExactly(fromMerged, org.assertj.core.data.Offset.offset(1e-4f));
        assertThat(fromMerged[0]).isNotEqualTo(fromMerged[1]);

        String[] rl = {"--iterations", "1", "--prompts-per-round", "2", "--max-new-tokens", "8", "--num-prompts", "10", "--minibatches", "1"};
        assertThat(run(with(rl, "ppo", "--model", base.toString(), "--out", dir.resolve("ppo-lora-rm").toString(), "--reward-model", kept.toString()))).isZero();
    }

    private static String[] concat(String[] a, String[] b) {
        var all = new java.util.ArrayList<>(java.util.List.of(a));
        all.addAll(java.util.List.of(b));
        return all.toArray(String[]::new);
    }

    @Test
    void pairsFromAModelsOwnAnswersAreOrderedByTheAnnotatorAndTrainOn() throws Exception {
        Path pairs = dir.resolve("own-pairs.jsonl");
        assertThat(run("pairs", "--model", base.toString(), "--out", pairs.toString(), "--num-prompts", "12", "--samples", "3",
                "--max-new-tokens", "24")).isZero();
        var written = dev.cria.chat.AlignmentJsonl.readPreferences(pairs);
        assertThat(stdout()).contains("wrote " + written.size() + " pairs to " + pairs);
        assertThat(written).isNotEmpty();
        var annotator = new dev.cria.world.SimulatedAnnotator();
        for (var pair : written) assertThat(annotator.prefer(pair.prompt(), pair.chosen(), pair.rejected())).as(pair.prompt()).isEqualTo(1);
        assertThat(run(with(SMALL, "dpo", "--model", base.toString(), "--out", dir.resolve("dpo-own").toString(), "--data", pairs.toString()))).isZero();
        assertThat(run(with(SMALL, "reward", "--model", base.toString(), "--out", dir.resolve("rm-drill").toString(), "--pairs", "20",
                "--request-checks", "10"))).isZero();
        assertThat(stderr()).contains("adding 10 built-in whole-story request checks to the 18 training pairs");
        assertThat(run("pairs", "--model", base.toString(), "--out", pairs.toString(), "--samples", "1")).isEqualTo(1);
        assertThat(stderr()).contains("--samples must be at least 2 to make a pair: 1");
        assertThat(run("pairs", "--model", base.toString(), "--out", pairs.toString(), "--num-prompts", "-1")).isEqualTo(1);
        assertThat(stderr()).contains("--num-prompts must be positive: -1");
        Path empty = dir.resolve("no-prompts.jsonl");
        Files.writeString(empty, "");
        assertThat(run("judge", "--model", base.toString(), "--prompts", empty.toString())).isEqualTo(1);
        assertThat(stderr()).contains("no-prompts.jsonl: no prompts in it");
    }

    @Test
    void badAlignmentInputIsRefusedWithTheReason() throws Exception {
        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, "{\"prompt\": \"hi\", \"response\": \"yo\"}\n{\"prompt\": \"hi\"}\n");
        assertThat(run(with(SMALL, "sft", "--model", base.toString(), "--out", dir.resolve("x").toString(), "--data", bad.toString()))).isEqualTo(1);
        assertThat(stderr()).contains("bad.jsonl:2");
        assertThat(run("grpo", "--model", base.toString(), "--out", dir.resolve("y").toString(), "--reward", "smile")).isEqualTo(1);
        assertThat(stderr()).contains("unknown reward 'smile'");
        assertThat(run("ppo", "--model", base.toString(), "--out", dir.resolve("z").toString())).isEqualTo(1);
        assertThat(stderr()).contains("--reward-model");
        assertThat(run("dpo", "--model", base.toString(), "--out", dir.resolve("w").toString(), "--loss", "kto")).isEqualTo(1);
        assertThat(stderr()).contains("'kto'");
        assertThat(run("sft", "--out", dir.resolve("v").toString())).isEqualTo(1);
        assertThat(stderr()).contains("--model is required");
        assertThat(run("sft", "--model", base.toString(), "--out", dir.resolve("u").toString(), "--echo-share", "2")).isEqualTo(1);
        assertThat(stderr()).contains("--echo-share must be in [0, 1]: 2.0");
        assertThat(run("reward", "--model", base.toString(), "--out", dir.resolve("t").toString(), "--pairs", "4", "--max-len", "300")).isEqualTo(1);
        assertThat(stderr()).contains("--max-len 300 exceeds the model's context of 256 tokens");
        assertThat(run("judge", "--model", base.toString(), "--built-in-prompts", "poems")).isEqualTo(1);
        assertThat(stderr()).contains("--built-in-prompts must be story or echo: poems");
    }

    private String stdout() {
        return console.out();
    }

    private String stderr() {
        return console.err();
    }
}
