package dev.cria.align;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.cria.autograd.GradCheck;
import dev.cria.autograd.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** PPO's clipped policy and value losses, their gradients inside and beyond the clip range, and statistics. */
class PpoLossesTest {
    private static final float LN_1_5 = (float) Math.log(1.5), LN_0_5 = (float) Math.log(0.5);

    @Test
    void policyLossInsideAndBeyondTheClipRange() {
        // ε = 0.2, so the ratio is clipped to [0.8, 1.2]. old log-probs are 0, so ratio = e^new.
        //   t0: A = +1, ratio 1.5 (too far up, the way A favours): pg1 = −1.5, pg2 = −1.2 → −1.2, clipped, d = 0
        //   t1: A = −1, ratio 0.5 (too far down, the way A favours): pg1 = 0.5, pg2 = 0.8  →  0.8, clipped, d = 0
        //   t2: A = +2, ratio 1 (inside): pg1 = pg2 = −2 → −2,                                  d = −A·ratio = −2
        //   t3: A = −1, ratio 1.5 (too far up, against A: never clipped): pg1 = 1.5, pg2 = 1.2 → 1.5, d = 1.5
        //   t4: padding, ignored
        // loss = (−1.2 + 0.8 − 2 + 1.5)/4 = −0.225; d loss/d new = [0, 0, −2, 1.5, 0]/4 = [0, 0, −0.5, 0.375, 0]
        // clipfrac = 2/4; approxkl = 0.5·(ln²1.5 + ln²0.5 + 0 + ln²1.5)/4 = 0.5·(0.164402 + 0.480453 + 0.164402)/4
        //          = 0.101157; mean ratio = (1.5 + 0.5 + 1 + 1.5)/4 = 1.125
        Tensor newLogprobs = Tensor.parameter(new float[] {LN_1_5, LN_0_5, 0, LN_1_5, 3}, 1, 5);
        float[] old = new float[5];
        float[] advantages = {1, -1, 2, -1, 100};
        float[] mask = {1, 1, 1, 1, 0};

        PpoLosses.PolicyLoss result = PpoLosses.policy(newLogprobs, old, advantages, mask, 0.2);
        result.loss().backward();

        assertThat(result.loss().item()).isCloseTo(-0.225f, within(1e-6f));
        assertThat(newLogprobs.grad()).containsExactly(new float[] {0, 0, -0.5f, 0.375f, 0}, within(1e-6f));
        assertThat(result.clipFraction()).isEqualTo(0.5);
        assertThat(result.approxKl()).isCloseTo(0.101157, within(1e-6));
        assertThat(result.meanRatio()).isCloseTo(1.125, within(1e-6));
        assertThat(result.metrics()).containsOnlyKeys("loss/policy_avg", "policy/clipfrac_avg", "policy/approxkl_avg", "val/ratio");
    }

    @Test
    void policyGradientAtTheEdgeOfTheClipRangeIsTheUnclippedOne() {
        // ε = 0 puts ratio 1 exactly on both edges. clamp passes the gradient at its bounds and max splits
        // a tie evenly, as in PyTorch, so d loss/d new = −A·ratio = −3 in full.
        Tensor newLogprobs = Tensor.parameter(new float[] {0}, 1, 1);

        PpoLosses.PolicyLoss result = PpoLosses.policy(newLogprobs, new float[] {0}, new float[] {3}, new float[] {1}, 0);
        result.loss().backward();

        assertThat(result.loss().item()).isEqualTo(-3f);
        assertThat(newLogprobs.grad()[0]).isEqualTo(-3f);
        assertThat(result.clipFraction()).isZero();
    }

    @Test
    void valueLossAtAndBeyondTheClipRange() {
        // ε_v = 0.25 (every number below is exact in float32). v_clipped = old + clamp(v − old, −0.25, 0.25).
        //   t0: old 1, v 2, R 3:     v_c = 1.25; (v−R)² = 1, (v_c−R)² = 3.0625 → 3.0625, clipped, d = 0
        //   t1: old 1, v 2, R 0:     v_c = 1.25; (v−R)² = 4, (v_c−R)² = 1.5625 → 4,             d = 2(v−R) = 4
        //   t2: old 0, v 0.25, R 1:  on the edge, v_c = v; both 0.5625 (a tie, not clipped),   d = 2(v−R) = −1.5
        //   t3: old 0, v −0.5, R −1: v_c = −0.25; (v−R)² = 0.25, (v_c−R)² = 0.5625 → 0.5625, clipped, d = 0
        //   t4: padding
        // loss = 0.5·(3.0625 + 4 + 0.5625 + 0.5625)/4 = 0.5·8.1875/4 = 1.0234375
        // d loss/d v = 0.5·[0, 4, −1.5, 0, 0]/4 = [0, 0.5, −0.1875, 0, 0]; clipfrac = 2/4
        Tensor values = Tensor.parameter(new float[] {2, 2, 0.25f, -0.5f, 7}, 1, 5);
        float[] oldValues = {1, 1, 0, 0, 0};
        float[] returns = {3, 0, 1, -1, 0};
        float[] mask = {1, 1, 1, 1, 0};

        PpoLosses.ValueLoss result = PpoLosses.value(values, oldValues, returns, mask, 0.25);
        result.loss().backward();

        assertThat(result.loss().item()).isEqualTo(1.0234375f);
        assertThat(values.grad()).containsExactly(0, 0.5f, -0.1875f, 0, 0);
        assertThat(result.clipFraction()).isEqualTo(0.5);
        assertThat(result.metrics()).containsOnlyKeys("loss/value_avg", "val/clipfrac_avg");
    }

    @Test
    void policyLossGradientMatchesFiniteDifferences() {
        // log-ratios −0.5, −0.1, 0.05, 0.4, 0.3 keep every token ≥ 0.03 away from the kinks at ln 0.8 = −0.223
        // and ln 1.2 = 0.182, more than the finite-difference step.
        float[] old = {-1.0f, -2.0f, -0.5f, -1.5f, -0.7f, -3.0f};
        float[] delta = {-0.5f, -0.1f, 0.05f, 0.4f, 0.3f, 0.0f};
        float[] start = new float[6];
        for (int i = 0; i < 6; i++) start[i] = old[i] + delta[i];
        float[] advantages = {0.7f, -1.2f, 0.4f, 1.5f, -0.9f, 2.0f};
        float[] mask = {1, 1, 1, 1, 1, 0};

        GradCheck.check("ppo policy", in -> PpoLosses.policy(in.get(0), old, advantages, mask, 0.2).loss(),
                List.of(Tensor.parameter(start, 2, 3)), 1e-2f, 2e-3f, 2e-2f);
    }

    @Test
    void valueLossGradientMatchesFiniteDifferences() {
        // v − old = 0.5, −0.05, −0.4, 0.1, 0.5, −0.6 against ε_v = 0.2: each ≥ 0.1 away from ±0.2. Tokens 0
        // and 2 are clipped with the unclipped error larger; token 4 (v_c = 0.2, 0.64 > 0.25) has the clipped
        // branch active; tokens 1 and 3 are inside.
        float[] old = {0.5f, -0.3f, 1.2f, 0.0f, 0.0f, 0.0f};
        float[] start = {1.0f, -0.35f, 0.8f, 0.1f, 0.5f, -0.6f};
        float[] returns = {0.2f, 0.4f, 1.5f, -0.6f, 1.0f, 0.3f};
        float[] mask = {1, 1, 1, 1, 1, 0};

        GradCheck.check("ppo value", in -> PpoLosses.value(in.get(0), old, returns, mask, 0.2).loss(),
                List.of(Tensor.parameter(start, 2, 3)), 1e-2f, 2e-3f, 2e-2f);
    }

    @Test
    void mismatchedLengthsNameTheArray() {
        Tensor newLogprobs = Tensor.parameter(new float[4], 2, 2);
        assertThatThrownBy(() -> PpoLosses.policy(newLogprobs, new float[4], new float[3], new float[4], 0.2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("advantages has 3 elements, expected 4");
        assertThatThrownBy(() -> PpoLosses.value(newLogprobs, new float[4], new float[4], new float[4], -0.1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("clipRangeValue").hasMessageContaining("-0.1");
    }
}
