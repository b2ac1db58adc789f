package dev.cria.align;

import dev.cria.train.RunSettings;

/**
 * Preference optimisation with no reference model: ORPO or SimPO (see {@link ReferenceFreeLoss}).
 *
 * @param run  batch (pairs per step), steps, learning rate, clipping, schedule of evaluations and checkpoints, seed
 * @param loss the loss and its hyperparameters
 */
public record ReferenceFreeConfig(RunSettings run, ReferenceFreeLoss loss) {
    public ReferenceFreeConfig {
        if (run == null || loss == null) throw new IllegalArgumentException("run and loss are required: " + run + ", " + loss);
    }

    /** ORPO's default λ, TRL's ORPOConfig {@code beta}: 0.1. */
    public static final double ORPO_LAMBDA = 0.1;
    /** SimPO's β: 2.0, the SimPO paper's recommended range is 2.0–2.5 (TRL's CPOConfig defaults to 0.1). */
    public static final double SIMPO_BETA = 2.0;
    /** SimPO's target margin γ: β × 0.5, the paper's γ/β ratio (TRL's CPOConfig {@code simpo_gamma} defaults to 0.5). */
    public static final double SIMPO_GAMMA = 1.0;

    public static ReferenceFreeConfig orpo() {
        return new ReferenceFreeConfig(RunSettings.defaults(), new ReferenceFreeLoss.Orpo(ORPO_LAMBDA));
    }

    public static ReferenceFreeConfig simpo() {
        return new ReferenceFreeConfig(RunSettings.defaults(), new ReferenceFreeLoss.Simpo(SIMPO_BETA, SIMPO_GAMMA));
    }

    public ReferenceFreeConfig withRun(RunSettings run) {
        return new ReferenceFreeConfig(run, loss);
    }
}
