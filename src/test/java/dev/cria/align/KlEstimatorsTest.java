package dev.cria.align;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.cria.autograd.GradCheck;
import dev.cria.autograd.Ops;
import dev.cria.autograd.Tensor;
import dev.cria.util.Rng;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Schulman's k1 and k3 on worked values, their invariants, and the gradient of the Tensor k3. */
class KlEstimatorsTest {
    private static final float LN2 = (float) Math.log(2);

    @Test
    void k1AndK3OnWorkedValues() {
        // Token 0: p = 0.5, q = 0.25. logq − logp = −ln 2.
        //   k1 = ln 2 = 0.693147;  k3 = e^(−ln 2) − 1 + ln 2 = 0.5 − 1 + 0.693147 = 0.193147
        // Token 1: p = 0.25, q = 0.5. logq − logp = ln 2.
        //   k1 = −ln 2 (negative: k1 is only unbiased on average);  k3 = 2 − 1 − 0.693147 = 0.306853
        float[] logp = {(float) Math.log(0.5), (float) Math.log(0.25)};
        float[] logq = {(float) Math.log(0.25), (float) Math.log(0.5)};

        assertThat(KlEstimators.k1(logp, logq)).containsExactly(new float[] {LN2, -LN2}, within(1e-6f));
        assertThat(KlEstimators.k3(logp, logq)).containsExactly(new float[] {0.193147f, 0.306853f}, within(1e-6f));
        Tensor k3 = KlEstimators.k3(Tensor.of(logp, 2), Tensor.of(logq, 2));
        assertThat(k3.data).containsExactly(new float[] {0.193147f, 0.306853f}, within(1e-6f));
        assertThat(KlEstimators.k1(Tensor.of(logp, 2), Tensor.of(logq, 2)).data).containsExactly(new float[] {LN2, -LN2}, within(1e-6f));
    }

    @Test
    void k3IsZeroWhenEqualAndNeverNegative() {
        Rng rng = new Rng(3);
        float[] logp = new float[200], logq = new float[200];
        for (int i = 0; i < logp.length; i++) {
            logp[i] = (float) (-5 * rng.nextDouble());
            logq[i] = i % 4 == 0 ? logp[i] : (float) (-5 * rng.nextDouble());
        }

        float[] k3 = KlEstimators.k3(logp, logq);
        float[] k3Tensor = KlEstimators.k3(Tensor.of(logp, 200), Tensor.of(logq, 200)).data;

        for (int i = 0; i < k3.length; i++) {
            assertThat(k3[i]).as("k3[%d]", i).isGreaterThanOrEqualTo(0f);
            assertThat(k3Tensor[i]).as("tensor k3[%d]", i).isGreaterThanOrEqualTo(0f);
            if (i % 4 == 0) {
                assertThat(k3[i]).as("k3[%d] with logp = logq", i).isZero();
                assertThat(k3Tensor[i]).as("tensor k3[%d] with logp = logq", i).isZero();
            }
        }
    }

    @Test
    void k3GradientMatchesFiniteDifferences() {
        Tensor logp = Tensor.parameter(new float[] {-0.7f, -2.1f, -0.2f, -1.5f}, 2, 2);
        Tensor logq = Tensor.parameter(new float[] {-1.0f, -1.6f, -0.2f, -3.0f}, 2, 2);
        float[] weights = {0.3f, -1.1f, 0.8f, 0.5f};

        GradCheck.check("k3", in -> Ops.sum(Ops.mul(KlEstimators.k3(in.get(0), in.get(1)), Tensor.of(weights, 2, 2))),
                List.of(logp, logq), 1e-2f, 2e-3f, 2e-2f);
    }

    @Test
    void k3GradientWithRespectToThePolicyIsOneMinusTheRatio() {
        // d/dlogp [e^(q−p) − 1 − (q − p)] = −e^(q−p) + 1. At p = ln 0.5, q = ln 0.25: 1 − 0.5 = 0.5.
        Tensor logp = Tensor.parameter(new float[] {(float) Math.log(0.5)}, 1);
        Tensor logq = Tensor.of(new float[] {(float) Math.log(0.25)}, 1);

        Ops.sum(KlEstimators.k3(logp, logq)).backward();

        assertThat(logp.grad()[0]).isCloseTo(0.5f, within(1e-6f));
    }
}
