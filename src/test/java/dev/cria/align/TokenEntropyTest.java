package dev.cria.align;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The policy entropy PPO and the GRPO family log, on distributions worked by hand. */
class TokenEntropyTest {
    @Test
    void uniformLogitsHaveEntropyLogVAndAPeakedDistributionNearlyNone() {
        float[] logits = {0, 0, 0, 0, /* next position */ 50, 0, 0, 0, /* not a response position */ 1, 2, 3, 4};
        float[] entropy = TokenLogProbs.entropy(logits, new float[] {1, 1, 0}, 4);
        assertThat(entropy[0]).isCloseTo((float) Math.log(4), within(1e-6f));
        assertThat(entropy[1]).isCloseTo(0f, within(1e-6f));
        assertThat(entropy[2]).as("masked out").isZero();
    }

    @Test
    void twoOutcomesAtOneToThreeOddsGiveTheirShannonEntropy() {
        float[] logits = {0, (float) Math.log(3)};   // p = 1/4, 3/4
        double expected = -(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75));
        assertThat(TokenLogProbs.entropy(logits, new float[] {1}, 2)[0]).isCloseTo((float) expected, within(1e-6f));
    }
}
