package dev.cria.align;

/**
 * The coefficient β of the KL penalty in PPO's shaped reward {@code r_t = score·[t = last] − β·KL_t}:
 * either fixed, or adapted toward a target KL (Ziegler et al. 2019). A sealed interface, so a switch
 * over the kinds is exhaustive. Mutable: {@link #update} is called once per PPO batch.
 */
public sealed interface KlController permits AdaptiveKlController, FixedKlController {
    /** The current KL coefficient β. */
    double beta();

    /** Takes the KL measured on the last batch (summed over tokens, averaged over sequences) and its size. */
    void update(double kl, int nSteps);
}
