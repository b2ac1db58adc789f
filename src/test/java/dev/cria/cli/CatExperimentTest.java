package dev.cria.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The cat experiment end to end on a barely trained model: one round, figures before and after, metrics and the reward curve. */
class CatExperimentTest {
    @TempDir
    Path dir;
    @RegisterExtension
    final CapturedConsole console = new CapturedConsole();

    private Path pretrainedBase() {
        Path base = dir.resolve("base");
        assertThat(Main.execute("pretrain", "--out", base.toString(), "--dim", "16", "--layers", "1", "--heads", "2", "--kv-heads", "1",
                "--hidden", "32", "--vocab", "300", "--max-seq-len", "512", "--seq-len", "32", "--batch", "2", "--stories", "60",
                "--steps", "2", "--eval-every", "0", "--eval-batches", "1")).isZero();
        return base;
    }

    @Test
    void oneRoundMeasuresBeforeAndAfterAndDrawsTheRewardCurve() throws Exception {
        Path base = pretrainedBase();

        var result = CatExperiment.run(base, 1, 1, dir.resolve("cats"));

        assertThat(result.before().kl()).as("the policy is the reference before training").isCloseTo(0, within(1e-3));
        for (var f : new CatExperiment.Figures[] {result.before(), result.after()}) {
            assertThat(f.similarity()).isBetween(-1.0, 1.0);
            assertThat(f.catShare()).isBetween(0.0, 1.0);
            assertThat(f.eosRate()).isBetween(0.0, 1.0);
            assertThat(f.length()).isBetween(0.0, 256.0);
        }
        assertThat(result.after().kl()).isFinite();
        String metrics = Files.readString(result.run().resolve("metrics.jsonl"));
        assertThat(metrics).contains("eval/similarity", "eval/cat_share", "objective/scores", "objective/kl");
        assertThat(result.run().resolve("rl_reward.png")).exists();
        assertThat(result.run().resolve("model")).isDirectory();
    }

    @Test
    void withLoraTheAdaptersTrainAndAreMergedIntoTheSavedModel() {
        Path base = pretrainedBase();
        Path cats = dir.resolve("cats-lora");

        assertThat(Main.execute("cats", "--model", base.toString(), "--out", cats.toString(), "--rounds", "1", "--lora", "--lora-rank", "2")).isZero();

        assertThat(console.out()).contains("LoRA adapters merged", "before", "after");
        assertThat(cats.resolve("model/adapter_config.json")).doesNotExist();
        assertThat(dev.cria.checkpoint.ModelDirectory.load(cats).model().hasAdapters()).isFalse();
    }
}
