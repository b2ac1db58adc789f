package dev.cria.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.cria.align.judge.RemoteJudge;
import dev.cria.util.CriaException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The remote judge against Cria's own OpenAI-compatible server, which answers with log-probs. */
class RemoteJudgeServeTest {
    @TempDir
    Path tmp;

    @Test
    void criasJudgesWithAnApiKeyAndRefusesWithout() {
        try (var f = new ServeFixture(tmp, ServeFixture.randomModel(tmp), RoundConfig.defaults())) {
            var judge = new RemoteJudge(f.url(), "policy", f.alice.apiKey(), Duration.ofSeconds(30));
            double[] ab = judge.probabilityAWins(List.of("Tell a story."), List.of("Once upon a time."), List.of("The end"));
            double[] ba = judge.probabilityAWins(List.of("Tell a story."), List.of("The end"), List.of("Once upon a time."));
            assertThat(ab[0]).isBetween(0.0, 1.0);
            assertThat(ab[0] + ba[0]).isCloseTo(1.0, within(1e-9));
            var anonymous = new RemoteJudge(f.url() + "/v1", null, null, Duration.ofSeconds(30));
            assertThatThrownBy(() -> anonymous.probabilityAWins(List.of("q"), List.of("a"), List.of("b")))
                    .isInstanceOf(CriaException.class).hasMessageContaining("HTTP 401").hasMessageContaining("CRIA_JUDGE_API_KEY");
        }
    }
}
