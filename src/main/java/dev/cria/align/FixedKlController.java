package dev.cria.align;

/** A constant KL coefficient, as TRL's {@code FixedKLController}; {@link #update} only checks its input. */
public final class FixedKlController implements KlController {
    private final double beta;

    public FixedKlController(double beta) {
        Guards.nonNegative("FixedKlController", beta, "beta");
        this.beta = beta;
    }

    @Override
    public double beta() {
        return beta;
    }

    @Override
    public void update(double kl, int nSteps) {
        if (!Double.isFinite(kl)) throw new IllegalArgumentException("FixedKlController.update: kl is " + kl);
        if (nSteps < 0) throw new IllegalArgumentException("FixedKlController.update: nSteps < 0: " + nSteps);
    }

    @Override
    public String toString() {
        return "FixedKlController[beta=" + beta + "]";
    }
}
