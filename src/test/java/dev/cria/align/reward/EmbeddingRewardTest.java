package dev.cria.align.reward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.cria.util.CriaException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The sentence-embedding reward with the real all-MiniLM-L6-v2 (from Maven Central, inside the langchain4j
 * jar): a story about a cat is closer to "cat" than one about a truck, and the figures repeat.
 */
class EmbeddingRewardTest {
    private static final String CAT_STORY = "Once upon a time there was a little cat named Tom. The cat liked to chase mice and "
            + "purr on the warm rug. One day the kitten climbed a tree and meowed until his mom came.";
    private static final String TRUCK_STORY = "Once upon a time there was a big red truck named Max. The truck carried heavy rocks "
            + "down the road to the busy town. One day its tire went flat and a man fixed it with a wrench.";

    private static Reward.Sample answer(String text) {
        return new Reward.Sample("Write a story.", text, new int[0], new int[0], true);
    }

    @Test
    void aCatStoryScoresAboveATruckStory() {
        float[] s = new EmbeddingReward("cat").score(List.of(answer(CAT_STORY), answer(TRUCK_STORY)));
        assertThat(s[0]).as("cat story").isBetween(0.3f, 0.9f);
        assertThat(s[1]).as("truck story").isBetween(-0.2f, 0.3f);
        assertThat(s[0] - s[1]).isGreaterThan(0.2f);
    }

    @Test
    void theSameTextsScoreTheSameAgainInAnotherBatch() {
        var reward = new EmbeddingReward("cat");
        float[] together = reward.score(List.of(answer(TRUCK_STORY), answer(CAT_STORY)));
        float[] alone = reward.score(List.of(answer(CAT_STORY)));
        assertThat(alone[0]).isCloseTo(together[1], within(1e-5f));
        assertThat(new EmbeddingReward("cat").score(List.of(answer(CAT_STORY)))[0]).isCloseTo(alone[0], within(1e-5f));
    }

    @Test
    void aTextIsAtCosineOneFromItself() {
        float[] e = SentenceEmbedder.embed("The cat sat on the mat.");
        assertThat(e).hasSize(SentenceEmbedder.DIMENSION);
        assertThat(SentenceEmbedder.cosine(e, e)).isCloseTo(1.0, within(1e-5));
        assertThat(new EmbeddingReward("The cat sat on the mat.").score(List.of(answer("The cat sat on the mat.")))[0])
                .isCloseTo(1f, within(1e-5f));
    }

    @Test
    void aBlankResponseScoresZeroAndABlankTargetIsRefused() {
        assertThat(new EmbeddingReward("cat").score(List.of(answer(""), answer("  "))) ).containsExactly(0f, 0f);
        assertThatThrownBy(() -> new EmbeddingReward(" ")).isInstanceOf(CriaException.class).hasMessageContaining("non-empty");
    }

    @Test
    void combinesWithWeightsLikeAnyReward() {
        var combined = new Reward.Weighted(List.of(new EmbeddingReward("cat"), new KeywordReward("cat")), new double[] {2, 1});
        float similarity = new EmbeddingReward("cat").score(List.of(answer(CAT_STORY)))[0];
        assertThat(combined.score(List.of(answer(CAT_STORY)))[0]).isCloseTo(2 * similarity + 1, within(1e-5f));
        assertThat(combined.name()).isEqualTo("2.0·embedding(cat) + 1.0·keyword(cat)");
    }
}
