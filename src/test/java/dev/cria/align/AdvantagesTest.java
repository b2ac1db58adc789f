package dev.cria.align;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.cria.autograd.Ops;
import dev.cria.autograd.Tensor;
import org.junit.jupiter.api.Test;

/** GAE, whitening and the RLOO/GRPO baselines on examples worked by hand. */
class AdvantagesTest {
    private static final float TOL = 1e-5f;

    @Test
    void ppoCreditsATokensPointsToThatTokenAndTheRestOfTheScoreToTheLast() {
        // Row 0: prompt 1 2, response 3 4, eos 9. Row 1: prompt 1 2, response 3 (no eos), padded to 5.
        var batch = SequenceBatch.of(java.util.List.of(new int[] {1, 2, 3, 4, 9}, new int[] {1, 2, 3}), new int[] {2, 2}, 0);
        float[] k1 = new float[10];
        java.util.Arrays.fill(k1, 0.2f);
        float[][] tokenScores = {{1, 0}, {1}};
        float[] rewards = Advantages.tokenRewards(k1, 0.5, new float[] {3, 1}, tokenScores, batch);
        // position 1 predicts response token 0; position 3 predicts the eos, which takes 3 - 1 = 2
        assertThat(rewards).containsExactly(new float[] {-0.1f, 0.9f, -0.1f, 1.9f, -0.1f, -0.1f, 0.9f, -0.1f, -0.1f, -0.1f}, within(1e-6f));
        float[] atTheEnd = Advantages.tokenRewards(k1, 0.5, new float[] {3, 1}, null, batch);
        assertThat(atTheEnd).containsExactly(new float[] {-0.1f, -0.1f, -0.1f, 2.9f, -0.1f, -0.1f, 0.9f, -0.1f, -0.1f, -0.1f}, within(1e-6f));
    }

    @Test
    void gaeOverThreeStepsFollowsTheRecursionByHand() {
        // γ = 0.9, λ = 0.8, so γλ = 0.72. Row 0: rewards [0, 0, 1], values [0.5, 0.4, 0.6], all valid.
        //   t = 2: δ = 1 + 0.9·0   − 0.6 =  0.4    A = 0.4
        //   t = 1: δ = 0 + 0.9·0.6 − 0.4 =  0.14   A = 0.14 + 0.72·0.4   = 0.428
        //   t = 0: δ = 0 + 0.9·0.4 − 0.5 = −0.14   A = −0.14 + 0.72·0.428 = 0.16816
        //   returns = A + V = [0.66816, 0.828, 1.0]
        // Row 1: rewards [0, 2, 99], values [1, 0.5, 99], mask [1, 1, 0]: the 99s are padding.
        //   t = 1: δ = 2 + 0.9·0   − 0.5 =  1.5    A = 1.5
        //   t = 0: δ = 0 + 0.9·0.5 − 1   = −0.55   A = −0.55 + 0.72·1.5 = 0.53
        //   returns = [1.53, 2.0], and 0 under the padding
        float[] rewards = {0, 0, 1, 0, 2, 99};
        float[] values = {0.5f, 0.4f, 0.6f, 1, 0.5f, 99};
        float[] mask = {1, 1, 1, 1, 1, 0};

        Advantages.Gae gae = Advantages.gae(rewards, values, mask, 2, 3, 0.9, 0.8);

        assertThat(gae.advantages()).containsExactly(new float[] {0.16816f, 0.428f, 0.4f, 0.53f, 1.5f, 0}, within(TOL));
        assertThat(gae.returns()).containsExactly(new float[] {0.66816f, 0.828f, 1.0f, 1.53f, 2.0f, 0}, within(TOL));
    }

    @Test
    void gaeWithGammaAndLambdaOneIsRewardToGoMinusValue() {
        // A_t = Σ_{s ≥ t} r_s − V_t: rewards [1, 2, 3] → reward-to-go [6, 5, 3]; minus values [1, 1, 1].
        Advantages.Gae gae = Advantages.gae(new float[] {1, 2, 3}, new float[] {1, 1, 1}, new float[] {1, 1, 1}, 1, 3, 1, 1);

        assertThat(gae.advantages()).containsExactly(new float[] {5, 4, 2}, within(TOL));
        assertThat(gae.returns()).containsExactly(new float[] {6, 5, 3}, within(TOL));
    }

    @Test
    void gaeRejectsArraysOfTheWrongLength() {
        assertThatThrownBy(() -> Advantages.gae(new float[5], new float[6], new float[6], 2, 3, 1, 0.95))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rewards has 5 elements, expected 6");
    }

    @Test
    void maskedWhiteningUsesTheUnbiasedVarianceOfTheValidPositions() {
        // Valid x = [1, 3, 5, 7]; the 50 is padding. Mean 4, deviations −3, −1, 1, 3, Σ² = 20,
        // unbiased variance 20/3 = 6.6667, std 2.5820: whitened = ±3/2.5820 = ±1.16190, ±1/2.5820 = ±0.38730.
        float[] x = {1, 3, 5, 7, 50};
        float[] mask = {1, 1, 1, 1, 0};

        assertThat(Advantages.whiten(x, mask, true))
                .containsExactly(new float[] {-1.161895f, -0.387298f, 0.387298f, 1.161895f, 0}, within(TOL));
        // shiftMean false adds the mean 4 back, as TRL does for rewards.
        assertThat(Advantages.whiten(x, mask, false))
                .containsExactly(new float[] {2.838105f, 3.612702f, 4.387298f, 5.161895f, 0}, within(TOL));
    }

    @Test
    void floatWhiteningAgreesWithTheAutogradOp() {
        float[] x = {0.3f, -1.2f, 2.5f, 0.7f, 9f, -0.4f};
        float[] mask = {1, 1, 0, 1, 1, 1};

        float[] viaOps = Ops.maskedWhiten(Tensor.of(x, 2, 3), mask, true).data;

        assertThat(Advantages.whiten(x, mask, true)).containsExactly(viaOps, within(TOL));
    }

    @Test
    void whiteningNeedsTwoValidValues() {
        assertThatThrownBy(() -> Advantages.whiten(new float[] {1, 2}, new float[] {1, 0}, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs at least 2 masked-in values for an unbiased variance, got 1.0");
    }

    @Test
    void leaveOneOutSubtractsTheMeanOfTheOtherSamples() {
        // k = 3. Prompt 0: scores [1, 2, 6].
        //   1 − (2 + 6)/2 = −3,   2 − (1 + 6)/2 = −1.5,   6 − (1 + 2)/2 = 4.5
        // Prompt 1: scores [0, 0, 3].
        //   0 − (0 + 3)/2 = −1.5, 0 − 1.5 = −1.5,         3 − 0 = 3
        float[] advantages = Advantages.leaveOneOutBaseline(new float[] {1, 2, 6, 0, 0, 3}, 3);

        assertThat(advantages).containsExactly(new float[] {-3, -1.5f, 4.5f, -1.5f, -1.5f, 3}, within(TOL));
    }

    @Test
    void leaveOneOutNeedsTwoSamplesPerPrompt() {
        assertThatThrownBy(() -> Advantages.leaveOneOutBaseline(new float[] {1, 2}, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("k ≥ 2")
                .hasMessageContaining("k = 1");
        assertThatThrownBy(() -> Advantages.leaveOneOutBaseline(new float[] {1, 2, 3}, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("3 scores do not split into groups of k = 2");
    }

    @Test
    void groupNormalizedDividesByTheBesselStdPlusEpsilon() {
        // k = 3. Prompt 0: [1, 2, 6], mean 3, deviations −2, −1, 3, Σ² = 14, variance 14/2 = 7,
        //   std √7 = 2.6457513, + 1e-4 = 2.6458513: −2/2.6458513 = −0.7559004, −0.3779502, 1.1338506.
        // Prompt 1: [5, 5, 5], std 0: all advantages 0, not NaN, thanks to the 1e-4.
        float[] scores = {1, 2, 6, 5, 5, 5};

        assertThat(Advantages.groupNormalized(scores, 3, true))
                .containsExactly(new float[] {-0.7559004f, -0.3779502f, 1.1338506f, 0, 0, 0}, within(TOL));
        assertThat(Advantages.groupNormalized(scores, 3, false))
                .containsExactly(new float[] {-2, -1, 3, 0, 0, 0}, within(TOL));
    }
}
