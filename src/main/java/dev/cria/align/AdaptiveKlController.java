package dev.cria.align;

/**
 * The adaptive KL coefficient of Ziegler et al. 2019, "Fine-Tuning Language Models from Human
 * Preferences" (the adaptive β of its fine-tuning section, with the nSteps/horizon form of its
 * lm-human-preferences code), as TRL's {@code AdaptiveKLController}: a proportional controller that
 * nudges β so the measured KL tracks a target.
 *
 * <pre>
 *   e   = clip(KL / target − 1, −0.2, 0.2)
 *   β  ← β · (1 + e · nSteps / horizon)
 * </pre>
 *
 * Not thread-safe; one trainer owns it.
 */
public final class AdaptiveKlController implements KlController {
    private static final double MAX_ERROR = 0.2;

    private double value;
    private final double target;
    private final double horizon;

    /**
     * @param initialBeta β before the first update (TRL's {@code init_kl_coef})
     * @param target      the KL the controller steers toward, in nats per sequence
     * @param horizon     how many samples a full proportional correction is spread over
     */
    public AdaptiveKlController(double initialBeta, double target, double horizon) {
        Guards.nonNegative("AdaptiveKlController", initialBeta, "initialBeta");
        Guards.positive("AdaptiveKlController", target, "target");
        Guards.positive("AdaptiveKlController", horizon, "horizon");
        this.value = initialBeta;
        this.target = target;
        this.horizon = horizon;
    }

    /** Restores β, e.g. from a checkpoint. */
    public void setBeta(double beta) {
        if (!(beta >= 0) || !Double.isFinite(beta)) throw new IllegalArgumentException("beta must be a finite number >= 0: " + beta);
        value = beta;
    }

    @Override
    public double beta() {
        return value;
    }

    public double target() {
        return target;
    }

    public double horizon() {
        return horizon;
    }

    @Override
    public void update(double kl, int nSteps) {
        if (!Double.isFinite(kl)) throw new IllegalArgumentException("AdaptiveKlController.update: kl is " + kl);
        if (nSteps < 0) throw new IllegalArgumentException("AdaptiveKlController.update: nSteps < 0: " + nSteps);
        double error = Math.clamp(kl / target - 1, -MAX_ERROR, MAX_ERROR);
        value *= 1 + error * nSteps / horizon;
    }

    @Override
    public String toString() {
        return "AdaptiveKlController[beta=" + value + ", target=" + target + ", horizon=" + horizon + "]";
    }
}
