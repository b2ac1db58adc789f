package dev.cria.align;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.cria.autograd.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** KTO's loss, reference point and metrics on hand-worked examples. */
class KtoLossTest {
    private static Tensor vector(float... values) {
        return Tensor.of(values, values.length);
    }

    @Test
    void referencePointIsTheMeanLogRatioOfTheMismatchedPairs() {
        // Log-ratios −4 + 5 = 1, −6 + 5 = −1 and −2 + 5 = 3: mean 1.
        assertThat(KtoLoss.referencePoint(new float[] {-4, -6, -2}, new float[] {-5, -5, -5})).isCloseTo(1.0, within(1e-9));
    }

    @Test
    void referencePointIsClampedAtZero() {
        // Mean log-ratio (−1 − 3)/2 = −2 < 0: KL is never negative, so z0 = 0.
        assertThat(KtoLoss.referencePoint(new float[] {-6, -8}, new float[] {-5, -5})).isZero();
    }

    @Test
    void atThePolicyEqualsReferenceEveryExampleLosesAHalf() {
        // r = 0, z0 = 0: 1 − σ(0) = 0.5 on both sides.
        Tensor same = vector(-3, -7);
        assertThat(KtoLoss.loss(same, same, new boolean[] {true, false}, 0, 0.1, 1, 1).item()).isCloseTo(0.5f, within(1e-7f));
    }

    @Test
    void workedBatchWithKlTermAndWeights() {
        // β = 0.5, z0 = 1, λ_D = 2, λ_U = 1.5.
        //   good, r = (−1) − (−3) = 2:  2·(1 − σ(0.5·(2 − 1))) = 2·(1 − σ(0.5)) = 2·0.377541 = 0.755081
        //   bad,  r = (−4) − (−2) = −2: 1.5·(1 − σ(0.5·(1 + 2))) = 1.5·(1 − σ(1.5)) = 1.5·0.182426 = 0.273638
        //   mean over the 2 examples: 0.514360
        Tensor policy = Tensor.parameter(new float[] {-1, -4}, 2);
        Tensor loss = KtoLoss.loss(policy, vector(-3, -2), new boolean[] {true, false}, 1.0, 0.5, 2.0, 1.5);
        assertThat(loss.item()).isCloseTo(0.514360f, within(1e-6f));

        // d/dπ of λ·σ(−x) with x = ±β(r − z0): −λ·β·σ(x)σ(−x)·(±1), over a mean of 2.
        //   good: −2·0.5·σ(0.5)σ(−0.5)/2 = −0.5·0.235004 = −0.117502
        //   bad:  +1.5·0.5·σ(1.5)σ(−1.5)/2 = 0.375·0.149146 = 0.055930
        loss.backward();
        assertThat(policy.grad()).containsExactly(new float[] {-0.117502f, 0.055930f}, within(1e-6f));
    }

    @Test
    void theKlTermRaisesTheBarForGoodAnswersAndLowersItForBad() {
        Tensor policy = vector(-1), reference = vector(-2);
        float goodAtZero = KtoLoss.loss(policy, reference, new boolean[] {true}, 0, 1, 1, 1).item();
        float goodAtOne = KtoLoss.loss(policy, reference, new boolean[] {true}, 1, 1, 1, 1).item();
        float badAtZero = KtoLoss.loss(policy, reference, new boolean[] {false}, 0, 1, 1, 1).item();
        float badAtOne = KtoLoss.loss(policy, reference, new boolean[] {false}, 1, 1, 1, 1).item();
        // r = 1: good 1 − σ(1) = 0.268941, then 1 − σ(0) = 0.5; bad 1 − σ(−1) = 0.731059, then 0.5.
        assertThat(goodAtZero).isCloseTo(0.268941f, within(1e-6f));
        assertThat(goodAtOne).isCloseTo(0.5f, within(1e-6f));
        assertThat(badAtZero).isCloseTo(0.731059f, within(1e-6f));
        assertThat(badAtOne).isCloseTo(0.5f, within(1e-6f));
    }

    @Test
    void metricsOnAWorkedBatch() {
        // β = 0.5. Good: rewards 0.5·(−1 + 3) = 1 and 0.5·(−2 + 2) = 0; bad: 0.5·(−4 + 2) = −1.
        KtoMetrics m = KtoMetrics.of(vector(-1, -4, -2), vector(-3, -2, -2), new boolean[] {true, false, true}, 0.25, 0.5);
        assertThat(m.metrics()).containsEntry("rewards/chosen", 0.5).containsEntry("rewards/rejected", -1.0)
                .containsEntry("rewards/margins", 1.5).containsEntry("kl", 0.25)
                .containsEntry("logps/chosen", -1.5).containsEntry("logps/rejected", -4.0)
                .containsEntry("count/chosen", 2.0).containsEntry("count/rejected", 1.0);
    }

    @Test
    void aBatchOfOneKindLogsOnlyThatSide() {
        var metrics = KtoMetrics.of(vector(-1), vector(-2), new boolean[] {true}, 0, 0.1).metrics();
        assertThat(metrics).containsKeys("rewards/chosen", "kl").doesNotContainKeys("rewards/rejected", "rewards/margins");
    }

    @Test
    void partnersAreTheNearestEarlierExampleOfAnotherPrompt() {
        int[] a = {1, 2}, b = {1, 3}, c = {4};
        assertThat(KtoLoss.mismatchedPartners(List.of(a, a.clone(), b, c))).containsExactly(3, 3, 1, 2);
        assertThat(KtoLoss.mismatchedPartners(List.of(a, a.clone()))).containsExactly(1, 0);
    }

    @Test
    void badArgumentsAreRefusedWithTheValue() {
        assertThatThrownBy(() -> KtoLoss.loss(vector(-1), vector(-1), new boolean[] {true}, -0.5, 0.1, 1, 1))
                .hasMessageContaining("z0").hasMessageContaining("-0.5");
        assertThatThrownBy(() -> KtoLoss.loss(vector(-1, -2), vector(-1, -2), new boolean[] {true}, 0, 0.1, 1, 1))
                .hasMessageContaining("1 labels for 2 examples");
        assertThatThrownBy(() -> KtoLoss.mismatchedPartners(List.of(new int[] {1}))).hasMessageContaining("at least 2");
    }
}
