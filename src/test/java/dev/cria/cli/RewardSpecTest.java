package dev.cria.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cria.align.reward.EmbeddingReward;
import dev.cria.align.reward.KeywordReward;
import dev.cria.align.reward.Reward;
import dev.cria.util.CriaException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code --reward}: the embedding term alone and in weighted combinations, its mistakes, and the help that lists it. */
class RewardSpecTest {
    @Test
    void anEmbeddingTermAloneIsTheRewardItself() {
        Reward r = RewardSpec.parse("embedding:a cat", null, null, null);
        assertThat(r).isInstanceOf(EmbeddingReward.class);
        assertThat(((EmbeddingReward) r).target()).isEqualTo("a cat");
    }

    @Test
    void embeddingTermsCombineWithWeights() {
        Reward r = RewardSpec.parse("embedding:cat=2, keyword:cat=0.5", null, null, null);
        assertThat(r).isInstanceOf(Reward.Weighted.class);
        var combo = (Reward.Weighted) r;
        assertThat(combo.rewards()).hasExactlyElementsOfTypes(EmbeddingReward.class, KeywordReward.class);
        assertThat(combo.weights()).containsExactly(2, 0.5);
        assertThat(combo.name()).isEqualTo("2.0·embedding(cat) + 0.5·keyword(cat)");
    }

    @Test
    void anEmptyTextOrABadWeightIsNamedInOneLine() {
        assertThatThrownBy(() -> RewardSpec.terms("embedding:")).isInstanceOf(CriaException.class)
                .hasMessage("--reward: write it as embedding:TEXT, e.g. embedding:cat");
        assertThatThrownBy(() -> RewardSpec.terms("embedding: =1")).hasMessageStartingWith("--reward: write it as embedding:TEXT");
        assertThatThrownBy(() -> RewardSpec.terms("embedding:cat=x")).hasMessage("--reward: weight of 'embedding:cat=x' is not a number");
        assertThatThrownBy(() -> RewardSpec.terms("embed:cat")).hasMessageContaining("embedding:TEXT");
    }

    @Test
    void theHelpOfPpoAndGrpoListsIt() {
        for (String command : new String[] {"ppo", "grpo"}) {
            PrintStream saved = System.out;
            var stdout = new ByteArrayOutputStream();
            System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
            try {
                assertThat(Main.execute(new String[] {command, "--help"})).isZero();
            } finally {
                System.setOut(saved);
            }
            assertThat(stdout.toString(StandardCharsets.UTF_8)).as(command).contains("embedding:TEXT");
        }
    }
}
