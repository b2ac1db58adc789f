package dev.cria.align;

import dev.cria.train.RunSettings;
import dev.cria.util.CriaException;

/**
 * Direct preference optimisation (Rafailov et al. 2023).
 *
 * @param run       batch, steps, learning rate, clipping, schedule of evaluations and checkpoints, seed
 * @param beta      strength of the implicit KL constraint to the reference (TRL's default 0.1)
 * @param loss      sigmoid (with label smoothing), IPO or hinge
 * @param rpoAlpha  weight of the chosen responses' mean token NLL added to the loss (RPO, TRL's
 *                  {@code rpo_alpha}); 0 = plain DPO
 */
public record DpoConfig(RunSettings run, double beta, PreferenceLoss loss, double rpoAlpha) {
    public DpoConfig {
        if (!(beta > 0)) throw new CriaException("--beta must be positive: " + beta);
        if (!(rpoAlpha >= 0) || Double.isInfinite(rpoAlpha)) throw new CriaException("--rpo-alpha must be 0 or more: " + rpoAlpha);
    }

    /** The one place DPO's defaults live: β 0.1 and the sigmoid loss, as TRL, and plain DPO. */
    public static DpoConfig defaults() {
        return new DpoConfig(RunSettings.defaults(), 0.1, new PreferenceLoss.Sigmoid(0), 0);
    }

    public DpoConfig withRun(RunSettings run) {
        return new DpoConfig(run, beta, loss, rpoAlpha);
    }

    public DpoConfig withBeta(double beta) {
        return new DpoConfig(run, beta, loss, rpoAlpha);
    }

    public DpoConfig withRpoAlpha(double rpoAlpha) {
        return new DpoConfig(run, beta, loss, rpoAlpha);
    }
}
