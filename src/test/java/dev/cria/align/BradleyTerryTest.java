package dev.cria.align;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.cria.autograd.GradCheck;
import dev.cria.autograd.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reward model's pairwise loss on a worked batch, its gradient, and the helpers. */
class BradleyTerryTest {
    @Test
    void lossOnAWorkedBatch() {
        // Pairs (r_c, r_r) = (2, 0) and (0, 1): gaps 2 and −1.
        //   −log σ(2)  = ln(1 + e^−2) = 0.126928
        //   −log σ(−1) = ln(1 + e)    = 1.313262        mean = 0.720095
        Tensor chosen = Tensor.of(new float[] {2, 0}, 2), rejected = Tensor.of(new float[] {0, 1}, 2);

        assertThat(BradleyTerry.loss(chosen, rejected, 0, 0).item()).isCloseTo(0.720095f, within(1e-6f));
        // Margin 1: gaps 1 and −2: (ln(1 + e^−1) + ln(1 + e^2))/2 = (0.313262 + 2.126928)/2 = 1.220095
        assertThat(BradleyTerry.loss(chosen, rejected, 1, 0).item()).isCloseTo(1.220095f, within(1e-6f));
        // Centering 0.01: mean((2 + 0)², (0 + 1)²) = 2.5, so + 0.025 = 0.745095
        assertThat(BradleyTerry.loss(chosen, rejected, 0, 0.01).item()).isCloseTo(0.745095f, within(1e-6f));
        assertThat(BradleyTerry.accuracy(chosen, rejected)).isEqualTo(0.5);
        assertThat(BradleyTerry.meanMargin(chosen, rejected)).isEqualTo(0.5);
    }

    @Test
    void gradientOnAWorkedBatch() {
        // d/dr_c0 = −σ(−2)/2 + 0.01·2·(2 + 0)/2 = −0.119203/2 + 0.02 = −0.039601
        // d/dr_r0 = +σ(−2)/2 + 0.02                                  =  0.079601
        Tensor chosen = Tensor.parameter(new float[] {2, 0}, 2), rejected = Tensor.parameter(new float[] {0, 1}, 2);

        BradleyTerry.loss(chosen, rejected, 0, 0.01).backward();

        assertThat(chosen.grad()[0]).isCloseTo(-0.039601f, within(1e-6f));
        assertThat(rejected.grad()[0]).isCloseTo(0.079601f, within(1e-6f));
    }

    @Test
    void perPairMarginsGradientMatchesFiniteDifferences() {
        float[] margins = {0.5f, 0, 1.5f};
        GradCheck.check("bradley-terry", in -> BradleyTerry.loss(in.get(0), in.get(1), margins, 0.05),
                List.of(Tensor.parameter(new float[] {1.2f, -0.3f, 0.8f}, 3), Tensor.parameter(new float[] {0.4f, 0.9f, -1.1f}, 3)), 1e-2f, 2e-3f, 2e-2f);
    }
}
