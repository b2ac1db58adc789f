package dev.cria.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole demo, every stage cut to a few steps and examples ({@code --align-scale}): it runs end to end
 * and its report holds each seed experiment and each aligned model's win rate with an interval. The
 * figures of a full run are in docs/demo.md.
 */
class DemoReportTest {
    @TempDir
    Path dir;
    @RegisterExtension
    final CapturedConsole console = new CapturedConsole();

    @Test
    void aScaledDownDemoReportsEverySeedExperiment() throws Exception {
        Path out = dir.resolve("demo");
        int code = Main.execute("demo", "--out", out.toString(), "--steps", "4", "--stories", "200", "--align-scale", "1000");
        if (code != 0) console.realErr().println(console.err());
        assertThat(code).isZero();

        String report = Files.readString(out.resolve("report.md"));
        assertThat(report).contains("## 1. The copy task", "Tokens repeated in place per answer", "## 2. Cats", "similarity to \"cat\"",
                "## 3. Preferences");
        assertThat(report).containsPattern("\\| PPO \\(reward model\\) \\| -?\\d+\\.\\d\\d \\| \\d\\.\\d\\d \\| \\d\\.\\d\\d \\| \\d\\.\\d{3} \\[\\d\\.\\d{3}, \\d\\.\\d{3}] \\|");
        assertThat(report).containsPattern("\\| DPO \\(own answers\\) \\|.*\\[");
        assertThat(report).containsPattern("\\| online DPO \\(annotator\\) \\|.*\\[");
        for (String curve : new String[] {"copy/rl_reward.png", "cats/rl_reward.png", "ppo/rl_entropy.png", "dpo/dpo_rewards.png", "online-dpo/online_dpo_rewards.png"}) {
            assertThat(out.resolve(curve)).as("the report names " + curve).exists();
        }
    }
}
