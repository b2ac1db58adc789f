package dev.cria.align;

import dev.cria.autograd.Ops;
import dev.cria.autograd.Tensor;

/**
 * Per-token estimators of KL(π ‖ π_ref) from tokens sampled from π (J. Schulman, "Approximating KL
 * Divergence", 2020). With logp the policy's log-probability of the sampled token, logq the reference's,
 * and r = q/p = exp(logq − logp):
 *
 * <pre>
 *   k1 = −log r             = logp − logq                (unbiased, can be negative per token)
 *   k3 = (r − 1) − log r    = exp(logq − logp) − 1 − (logq − logp)   (unbiased, ≥ 0, lower variance)
 * </pre>
 *
 * TRL's PPOTrainer uses k1 (or k3 with {@code kl_estimator="k3"}) to shape the reward; GRPOTrainer adds
 * β·k3 to its loss. Float versions are for reward shaping and logging, Tensor versions for losses.
 * Not here: the sum over tokens or the mean over the batch, which depend on the trainer.
 */
public final class KlEstimators {
    private KlEstimators() {
    }

    /** k1 = logp − logq, elementwise. */
    public static float[] k1(float[] logp, float[] logq) {
        Guards.sameLength("k1", logp.length, logq, "logq");
        float[] out = new float[logp.length];
        for (int i = 0; i < out.length; i++) out[i] = logp[i] - logq[i];
        return out;
    }

    /**
     * k3 = exp(logq − logp) − 1 − (logq − logp), elementwise.
     *
     * <p>subtle: computed as expm1(d) − d in double so that it is exactly 0 when the log-probabilities
     * are equal and never a tiny negative from cancellation.
     */
    public static float[] k3(float[] logp, float[] logq) {
        Guards.sameLength("k3", logp.length, logq, "logq");
        float[] out = new float[logp.length];
        for (int i = 0; i < out.length; i++) {
            double d = (double) logq[i] - logp[i];
            out[i] = (float) Math.max(0, Math.expm1(d) - d);
        }
        return out;
    }

    /** k1 = logp − logq, as a graph node; gradients flow into whichever input requires them. */
    public static Tensor k1(Tensor logp, Tensor logq) {
        Guards.sameShape("k1", logp, "logp", logq, "logq");
        return Ops.sub(logp, logq);
    }

    /** k3 = exp(logq − logp) − 1 − (logq − logp), as a graph node (GRPO's per-token KL term). */
    public static Tensor k3(Tensor logp, Tensor logq) {
        Guards.sameShape("k3", logp, "logp", logq, "logq");
        Tensor d = Ops.sub(logq, logp);
        return Ops.addScalar(Ops.sub(Ops.exp(d), d), -1f);
    }
}
