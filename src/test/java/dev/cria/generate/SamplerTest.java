package dev.cria.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cria.util.Rng;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SamplerTest {
    private static final float[] LOGITS = {0f, 2f, 1f, -1f, 1.5f};

    private static int[] counts(Sampler sampler, int draws) {
        int[] counts = new int[LOGITS.length];
        Rng rng = new Rng(9);
        for (int i = 0; i < draws; i++) counts[sampler.sample(LOGITS, 0, LOGITS.length, rng)]++;
        return counts;
    }

    @Test
    void greedyPicksTheLargestLogit() {
        assertThat(Sampler.greedy().sample(LOGITS, 0, 5, new Rng(1))).isEqualTo(1);
    }

    @Test
    void pureSamplingFollowsTheSoftmax() {
        int draws = 200_000;
        int[] counts = counts(new Sampler(1f, 0, 1f), draws);
        double z = 0;
        for (float l : LOGITS) z += Math.exp(l);
        for (int i = 0; i < LOGITS.length; i++) {
            assertThat(counts[i] / (double) draws).as("token %d", i).isCloseTo(Math.exp(LOGITS[i]) / z, org.assertj.core.data.Offset.offset(0.005));
        }
    }

    @Test
    void topKKeepsOnlyTheKMostLikely() {
        int[] counts = counts(new Sampler(1f, 2, 1f), 10_000);
        assertThat(counts[0] + counts[2] + counts[3]).isZero();
        assertThat(counts[1]).isGreaterThan(counts[4]).isPositive();
        assertThat(counts[4]).isPositive();
    }

    @Test
    void topPKeepsTheSmallestNucleus() {
        // probabilities ≈ 0.43, 0.26, 0.16, 0.06, 0.02 for tokens 1, 4, 2, 0, 3: p=0.6 keeps {1, 4}
        int[] counts = counts(new Sampler(1f, 0, 0.6f), 10_000);
        assertThat(counts[0] + counts[2] + counts[3]).isZero();
        assertThat(counts[1]).isPositive();
        assertThat(counts[4]).isPositive();
    }

    @Test
    void lowTemperatureSharpens() {
        int[] counts = counts(new Sampler(0.05f, 0, 1f), 2_000);
        assertThat(counts[1]).isGreaterThan(1_990);
    }

    @Test
    void invalidSettingsNameTheValue() {
        assertThatThrownBy(() -> new Sampler(-1f, 0, 1f)).hasMessageContaining("-1.0");
        assertThatThrownBy(() -> new Sampler(1f, -2, 1f)).hasMessageContaining("-2");
        assertThatThrownBy(() -> new Sampler(1f, 0, 0f)).hasMessageContaining("top-p");
    }

    @Test
    void textStreamHoldsBackSplitCharacters() {
        byte[] snowman = "☃".getBytes(StandardCharsets.UTF_8);
        assertThat(TextStream.completePrefix(new byte[] {'a', snowman[0], snowman[1]})).isEqualTo(1);
        assertThat(TextStream.completePrefix(new byte[] {'a', snowman[0], snowman[1], snowman[2]})).isEqualTo(4);
        assertThat(TextStream.completePrefix(new byte[] {'a', 'b'})).isEqualTo(2);
    }
}
