package dev.cria.align;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.cria.autograd.Tensor;
import org.junit.jupiter.api.Test;

/** ORPO's and SimPO's losses and metrics on a hand-worked pair. */
class ReferenceFreeLossTest {
    // One pair: the chosen response sums to −2 over 2 tokens (ȳ_c = −1), the rejected to −6 over 3 (ȳ_r = −2).
    private static final int[] CHOSEN_LENGTH = {2}, REJECTED_LENGTH = {3};

    private static Tensor vector(float... values) {
        return Tensor.of(values, values.length);
    }

    @Test
    void logOddsOfAMeanLogProb() {
        // log odds(ȳ) = ȳ − log(1 − e^ȳ): −1 + 0.458675 = −0.541325 and −2 + 0.145413 = −1.854587.
        Tensor odds = ReferenceFreeLoss.logOdds(vector(-1, -2));
        assertThat(odds.data).containsExactly(new float[] {-0.541325f, -1.854587f}, within(1e-6f));
        // p = 1/2 has odds 1.
        assertThat(ReferenceFreeLoss.logOdds(vector((float) Math.log(0.5))).item()).isCloseTo(0f, within(1e-6f));
    }

    @Test
    void orpoIsTheChosenNllMinusLambdaTimesTheLogSigmoidOfTheOddsRatio() {
        // NLL = 2/2 = 1; log-odds ratio = −0.541325 + 1.854587 = 1.313262, log σ(1.313262) = −0.238183;
        // loss = 1 − 0.1·(−0.238183) = 1.023818.
        Tensor loss = new ReferenceFreeLoss.Orpo(0.1).loss(vector(-2), vector(-6), CHOSEN_LENGTH, REJECTED_LENGTH);
        assertThat(loss.item()).isCloseTo(1.023818f, within(1e-6f));
    }

    @Test
    void orpoOnEqualAnswersAddsLambdaLnTwo() {
        // Equal odds: log σ(0) = −ln 2, so the loss is the NLL (3/3 = 1) + 0.5·ln 2.
        Tensor loss = new ReferenceFreeLoss.Orpo(0.5).loss(vector(-3), vector(-3), new int[] {3}, new int[] {3});
        assertThat(loss.item()).isCloseTo(1f + 0.5f * (float) Math.log(2), within(1e-6f));
    }

    @Test
    void simpoIsTheLengthNormalisedMarginLoss() {
        // β(ȳ_c − ȳ_r) − γ = 2·(−1 + 2) − 1 = 1: −log σ(1) = 0.313262.
        Tensor chosen = Tensor.parameter(new float[] {-2}, 1), rejected = Tensor.parameter(new float[] {-6}, 1);
        Tensor loss = new ReferenceFreeLoss.Simpo(2.0, 1.0).loss(chosen, rejected, CHOSEN_LENGTH, REJECTED_LENGTH);
        assertThat(loss.item()).isCloseTo(0.313262f, within(1e-6f));
        // d/d log π(y_c) = −σ(−1)·β/|y_c| = −0.268941·2/2; d/d log π(y_r) = +0.268941·2/3.
        loss.backward();
        assertThat(chosen.grad()[0]).isCloseTo(-0.268941f, within(1e-6f));
        assertThat(rejected.grad()[0]).isCloseTo(0.179294f, within(1e-6f));
    }

    @Test
    void theMarginIsPerTokenSoALongerRejectedAnswerIsNotFavoured() {
        // Same mean per token (−1): no preference either way, whatever the lengths; the loss is −log σ(−γ).
        Tensor loss = new ReferenceFreeLoss.Simpo(2.0, 1.0).loss(vector(-2), vector(-10), new int[] {2}, new int[] {10});
        assertThat(loss.item()).isCloseTo((float) Math.log1p(Math.E), within(1e-6f));
    }

    @Test
    void metricsUnderTrlsNames() {
        var orpo = new ReferenceFreeLoss.Orpo(0.1).metrics(vector(-2), vector(-6), CHOSEN_LENGTH, REJECTED_LENGTH);
        // Rewards λ·ȳ: −0.1 and −0.2; margin 0.1; log-probs per token.
        assertThat(orpo.get("rewards/chosen")).isCloseTo(-0.1, within(1e-7));
        assertThat(orpo.get("rewards/rejected")).isCloseTo(-0.2, within(1e-7));
        assertThat(orpo.get("rewards/margins")).isCloseTo(0.1, within(1e-7));
        assertThat(orpo).containsEntry("rewards/accuracies", 1.0).containsEntry("logps/chosen", -1.0).containsEntry("logps/rejected", -2.0)
                .containsEntry("nll_loss", 1.0);
        assertThat(orpo.get("log_odds_chosen")).isCloseTo(1.313262, within(1e-6));
        assertThat(orpo.get("log_odds_ratio")).isCloseTo(-0.238183, within(1e-6));
        var simpo = new ReferenceFreeLoss.Simpo(2.0, 1.0).metrics(vector(-2), vector(-6), CHOSEN_LENGTH, REJECTED_LENGTH);
        assertThat(simpo).containsEntry("rewards/chosen", -2.0).containsEntry("rewards/margins", 2.0).doesNotContainKey("log_odds_ratio");
    }

    @Test
    void badHyperparametersAndLengthsAreRefusedWithTheValue() {
        assertThatThrownBy(() -> new ReferenceFreeLoss.Orpo(0)).hasMessageContaining("lambda").hasMessageContaining("0.0");
        assertThatThrownBy(() -> new ReferenceFreeLoss.Simpo(2, -1)).hasMessageContaining("gamma").hasMessageContaining("-1.0");
        assertThatThrownBy(() -> new ReferenceFreeLoss.Simpo(2, 1).loss(vector(-1), vector(-1), new int[] {0}, new int[] {1}))
                .hasMessageContaining("response 0 has 0 tokens");
    }
}
