package dev.cria.align;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.cria.autograd.GradCheck;
import dev.cria.autograd.Tensor;
import dev.cria.util.CriaException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The DPO-family losses and metrics on worked examples, their gradients, and the CLI names. */
class PreferenceLossTest {
    private static final float LN2 = (float) Math.log(2);

    private static Tensor vector(float... values) {
        return Tensor.of(values, values.length);
    }

    @Test
    void sigmoidLossIsLnTwoWhenThePolicyIsTheReference() {
        // logits = 0 for every pair, so the loss is −log σ(0) = ln 2, whatever β.
        Tensor chosen = Tensor.parameter(new float[] {-4, -7}, 2);
        Tensor rejected = Tensor.parameter(new float[] {-5, -6}, 2);

        Tensor loss = new PreferenceLoss.Sigmoid(0).loss(chosen, rejected, vector(-4, -7), vector(-5, -6), 0.1);
        loss.backward();

        assertThat(loss.item()).isCloseTo(LN2, within(1e-6f));
        // d/dπ_c of −log σ(β·logits), averaged over 2 pairs: −β·σ(0)/2 = −0.1·0.5/2 = −0.025; +0.025 for π_r.
        assertThat(chosen.grad()).containsExactly(new float[] {-0.025f, -0.025f}, within(1e-7f));
        assertThat(rejected.grad()).containsExactly(new float[] {0.025f, 0.025f}, within(1e-7f));
    }

    @Test
    void everyLossAtPolicyEqualsReference() {
        Tensor same = vector(-3);
        // With label smoothing: (1 − ls)·ln 2 + ls·ln 2 = ln 2. Hinge: relu(1 − 0) = 1. IPO: (0 − 1/(2·0.1))² = 25.
        assertThat(new PreferenceLoss.Sigmoid(0.2).loss(same, same, same, same, 0.1).item()).isCloseTo(LN2, within(1e-6f));
        assertThat(new PreferenceLoss.Hinge().loss(same, same, same, same, 0.1).item()).isCloseTo(1f, within(1e-6f));
        assertThat(new PreferenceLoss.Ipo().loss(same, same, same, same, 0.1).item()).isCloseTo(25f, within(1e-4f));
    }

    @Test
    void eachLossOnAWorkedPair() {
        // π_c = −1, π_r = −3, ref_c = ref_r = −2: logits = (−1 + 3) − (−2 + 2) = 2; β = 0.25, β·logits = 0.5.
        //   sigmoid:          −log σ(0.5) = ln(1 + e^−0.5) = 0.474077
        //   sigmoid, ls 0.1:  0.9·0.474077 + 0.1·ln(1 + e^0.5) = 0.426669 + 0.1·0.974077 = 0.524077
        //   hinge:            relu(1 − 0.5) = 0.5
        //   ipo:              (2 − 1/(2·0.25))² = (2 − 2)² = 0
        Tensor pc = vector(-1), pr = vector(-3), rc = vector(-2), rr = vector(-2);

        assertThat(new PreferenceLoss.Sigmoid(0).loss(pc, pr, rc, rr, 0.25).item()).isCloseTo(0.474077f, within(1e-6f));
        assertThat(new PreferenceLoss.Sigmoid(0.1).loss(pc, pr, rc, rr, 0.25).item()).isCloseTo(0.524077f, within(1e-6f));
        assertThat(new PreferenceLoss.Hinge().loss(pc, pr, rc, rr, 0.25).item()).isCloseTo(0.5f, within(1e-6f));
        assertThat(new PreferenceLoss.Ipo().loss(pc, pr, rc, rr, 0.25).item()).isCloseTo(0f, within(1e-6f));
    }

    @Test
    void hingeIsFlatOnceTheMarginIsMet() {
        // β·logits = 0.5·4 = 2 > 1: relu(1 − 2) = 0, and no gradient.
        Tensor chosen = Tensor.parameter(new float[] {-1}, 1);

        Tensor loss = new PreferenceLoss.Hinge().loss(chosen, vector(-5), vector(-2), vector(-2), 0.5);
        loss.backward();

        assertThat(loss.item()).isZero();
        assertThat(chosen.grad()[0]).isZero();
    }

    @Test
    void metricsOnAWorkedPair() {
        // Pair 0: rewards β(π − ref) = 0.25·(−1 + 2) = 0.25 chosen, 0.25·(−3 + 2) = −0.25 rejected: correct.
        // Pair 1: 0.25·(−2 + 1) = −0.25 chosen, 0.25·(−1 + 1) = 0 rejected: wrong.
        // Means: chosen 0, rejected −0.125, accuracy 0.5, margin 0.125; log-probs −1.5 and −2.
        DpoMetrics metrics = DpoMetrics.of(vector(-1, -2), vector(-3, -1), vector(-2, -1), vector(-2, -1), 0.25);

        assertThat(metrics.chosenReward()).isCloseTo(0, within(1e-9));
        assertThat(metrics.rejectedReward()).isCloseTo(-0.125, within(1e-9));
        assertThat(metrics.accuracy()).isEqualTo(0.5);
        assertThat(metrics.margin()).isCloseTo(0.125, within(1e-9));
        assertThat(metrics.chosenLogp()).isEqualTo(-1.5);
        assertThat(metrics.rejectedLogp()).isEqualTo(-2);
        assertThat(metrics.metrics()).containsKeys("rewards/chosen", "rewards/rejected", "rewards/accuracies", "rewards/margins");
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        // β·logits per pair stays ≥ 0.1 away from the hinge's kink at 1 (β = 0.5: logits 0.2, 3.4, −1.1).
        float[] pc = {-1.2f, -0.4f, -2.5f}, pr = {-1.6f, -3.1f, -2.0f}, rc = {-1.5f, -0.9f, -2.2f}, rr = {-2.1f, -2.9f, -2.8f};
        for (PreferenceLoss kind : List.of(new PreferenceLoss.Sigmoid(0), new PreferenceLoss.Sigmoid(0.2),
                new PreferenceLoss.Hinge(), new PreferenceLoss.Ipo())) {
            GradCheck.check(kind.name(), in -> kind.loss(in.get(0), in.get(1), in.get(2), in.get(3), 0.5),
                    List.of(Tensor.parameter(pc.clone(), 3), Tensor.parameter(pr.clone(), 3),
                            Tensor.parameter(rc.clone(), 3), Tensor.parameter(rr.clone(), 3)), 1e-2f, 2e-3f, 2e-2f);
        }
    }

    @Test
    void parseNamesTheVariants() {
        assertThat(PreferenceLoss.parse("sigmoid", 0.1)).isEqualTo(new PreferenceLoss.Sigmoid(0.1));
        assertThat(PreferenceLoss.parse("ipo", 0)).isEqualTo(new PreferenceLoss.Ipo());
        assertThat(PreferenceLoss.parse("hinge", 0)).isEqualTo(new PreferenceLoss.Hinge());
        assertThat(PreferenceLoss.parse("hinge", 0).name()).isEqualTo("hinge");
    }

    @Test
    void parseRejectsWhatItCannotDo() {
        assertThatThrownBy(() -> PreferenceLoss.parse("kto", 0))
                .isInstanceOf(CriaException.class)
                .hasMessage("unknown preference loss 'kto': use sigmoid, ipo or hinge");
        assertThatThrownBy(() -> PreferenceLoss.parse("ipo", 0.1))
                .isInstanceOf(CriaException.class)
                .hasMessageContaining("label smoothing applies only to the sigmoid loss, got 0.1 with ipo");
        assertThatThrownBy(() -> PreferenceLoss.parse("sigmoid", 0.5))
                .isInstanceOf(CriaException.class)
                .hasMessageContaining("[0, 0.5), got 0.5");
    }

    @Test
    void badShapesAndBetaNameTheValue() {
        var sigmoid = new PreferenceLoss.Sigmoid(0);
        assertThatThrownBy(() -> sigmoid.loss(vector(1, 2), vector(1), vector(1, 2), vector(1, 2), 0.1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("policyRejected has shape [1]");
        assertThatThrownBy(() -> sigmoid.loss(vector(1), vector(1), vector(1), vector(1), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("beta").hasMessageContaining("0.0");
    }
}
