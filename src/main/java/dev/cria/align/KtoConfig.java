package dev.cria.align;

import dev.cria.train.RunSettings;
import dev.cria.util.CriaException;

/**
 * Kahneman–Tversky optimisation (Ethayarajh et al. 2024, "KTO: Model Alignment as Prospect Theoretic
 * Optimization"), as TRL's KTOConfig.
 *
 * @param run               batch, steps, learning rate, clipping, schedule of evaluations and checkpoints, seed;
 *                          the batch must hold at least 2 examples, since the KL reference point pairs each
 *                          prompt with another example's completion
 * @param beta              strength of the pull to the reference (TRL's default 0.1)
 * @param desirableWeight   weight of the losses of good examples (λ_D; TRL's default 1.0)
 * @param undesirableWeight weight of the losses of bad examples (λ_U; TRL's default 1.0). TRL suggests
 *                          weights that make λ_D·n_D / (λ_U·n_U) lie between 1 and 4/3
 */
public record KtoConfig(RunSettings run, double beta, double desirableWeight, double undesirableWeight) {
    public KtoConfig {
        if (!(beta > 0) || Double.isInfinite(beta)) throw new CriaException("--beta must be positive: " + beta);
        if (!(desirableWeight > 0) || Double.isInfinite(desirableWeight)) {
            throw new CriaException("--desirable-weight must be positive: " + desirableWeight);
        }
        if (!(undesirableWeight > 0) || Double.isInfinite(undesirableWeight)) {
            throw new CriaException("--undesirable-weight must be positive: " + undesirableWeight);
        }
        if (run.batchSize() < 2) {
            throw new CriaException("--batch must be at least 2 for KTO: its KL estimate needs other examples' completions, got " + run.batchSize());
        }
    }

    /** The one place KTO's defaults live: β 0.1 and both weights 1.0, as TRL. */
    public static KtoConfig defaults() {
        return new KtoConfig(RunSettings.defaults(), 0.1, 1.0, 1.0);
    }

    public KtoConfig withRun(RunSettings run) {
        return new KtoConfig(run, beta, desirableWeight, undesirableWeight);
    }

    public KtoConfig withBeta(double beta) {
        return new KtoConfig(run, beta, desirableWeight, undesirableWeight);
    }

    public KtoConfig withWeights(double desirableWeight, double undesirableWeight) {
        return new KtoConfig(run, beta, desirableWeight, undesirableWeight);
    }
}
