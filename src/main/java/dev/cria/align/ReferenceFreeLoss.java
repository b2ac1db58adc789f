package dev.cria.align;

import dev.cria.autograd.Ops;
import dev.cria.autograd.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Preference losses that need no reference model: they read only the policy's log-probabilities of the
 * chosen and rejected responses, normalised by length. Each takes (B) summed response log-probs and the
 * responses' lengths in tokens; ȳ below is a response's mean log-prob per token, log π(y)/|y|.
 *
 * <ul>
 *   <li>{@link Orpo}: NLL(chosen) − λ·mean(log σ(log odds(ȳ_c) − log odds(ȳ_r))), log odds(p) =
 *       log(p/(1−p)) with log p = ȳ. ORPO (Hong et al. 2024, "ORPO: Monolithic Preference Optimization
 *       without Reference Model", eq. 6–7), as TRL's ORPOTrainer; the NLL is the mean over every chosen
 *       response token in the batch.
 *   <li>{@link Simpo}: mean(−log σ(β·(ȳ_c − ȳ_r) − γ)). SimPO (Meng et al. 2024, "SimPO: Simple
 *       Preference Optimization with a Reference-Free Reward", eq. 6), as TRL's CPOTrainer with
 *       {@code loss_type="simpo"} and {@code cpo_alpha=0}.
 * </ul>
 *
 * Logged with TRL's names; the implicit reward of a response is (λ or β)·ȳ, as TRL computes it. A sealed
 * interface, so a switch over the variants is exhaustive. Not here: computing the log-probs.
 */
public sealed interface ReferenceFreeLoss {
    /** ORPO with weight λ on the odds-ratio term (TRL's {@code beta}, default 0.1). */
    record Orpo(double lambda) implements ReferenceFreeLoss {
        public Orpo {
            Guards.positive("Orpo", lambda, "lambda");
        }
    }

    /** SimPO with reward scale β and target margin γ. */
    record Simpo(double beta, double gamma) implements ReferenceFreeLoss {
        public Simpo {
            Guards.positive("Simpo", beta, "beta");
            Guards.nonNegative("Simpo", gamma, "gamma");
        }
    }

    /** The name on the command line, of the run's stage and of its plots. */
    default String name() {
        return switch (this) {
            case Orpo _ -> "orpo";
            case Simpo _ -> "simpo";
        };
    }

    /** The scale of the implicit reward (λ·ȳ for ORPO, β·ȳ for SimPO), as TRL logs {@code rewards/*}. */
    default double rewardScale() {
        return switch (this) {
            case Orpo o -> o.lambda();
            case Simpo s -> s.beta();
        };
    }

    /**
     * The loss, a scalar with a graph.
     *
     * @param chosenSums     (B) summed log π of the chosen responses
     * @param rejectedSums   (B) summed log π of the rejected responses
     * @param chosenLengths  tokens of each chosen response
     * @param rejectedLengths tokens of each rejected response
     */
    default Tensor loss(Tensor chosenSums, Tensor rejectedSums, int[] chosenLengths, int[] rejectedLengths) {
        Guards.sameShape("ReferenceFreeLoss", chosenSums, "chosenSums", rejectedSums, "rejectedSums");
        Tensor chosen = meanLogProbs(chosenSums, chosenLengths), rejected = meanLogProbs(rejectedSums, rejectedLengths);
        return switch (this) {
            case Orpo(double lambda) -> Ops.sub(chosenNll(chosenSums, chosenLengths), Ops.scale(Ops.mean(oddsRatioTerm(chosen, rejected)), (float) lambda));
            case Simpo(double beta, double gamma) -> Ops.mean(Ops.neg(Ops.logSigmoid(Ops.addScalar(Ops.scale(Ops.sub(chosen, rejected), (float) beta), (float) -gamma))));
        };
    }

    /**
     * TRL's metrics for the batch: {@code rewards/chosen}, {@code rewards/rejected}, {@code rewards/accuracies},
     * {@code rewards/margins}, {@code logps/chosen} and {@code logps/rejected} (mean per-token log-probs),
     * {@code nll_loss}, and for ORPO {@code log_odds_ratio} and {@code log_odds_chosen}.
     */
    default Map<String, Double> metrics(Tensor chosenSums, Tensor rejectedSums, int[] chosenLengths, int[] rejectedLengths) {
        Tensor chosen = meanLogProbs(chosenSums, chosenLengths), rejected = meanLogProbs(rejectedSums, rejectedLengths);
        Tensor zero = Tensor.zeros(chosen.shape());
        var metrics = new LinkedHashMap<>(DpoMetrics.of(chosen, rejected, zero, zero, rewardScale()).metrics());
        metrics.put("nll_loss", (double) chosenNll(chosenSums, chosenLengths).item());
        if (this instanceof Orpo) {
            metrics.put("log_odds_ratio", (double) Ops.mean(oddsRatioTerm(chosen, rejected)).item());
            metrics.put("log_odds_chosen", (double) Ops.mean(Ops.sub(logOdds(chosen), logOdds(rejected))).item());
        }
        return metrics;
    }

    /** ȳ = log π(y)/|y| per response: (B) sums and lengths → (B). */
    static Tensor meanLogProbs(Tensor sums, int[] lengths) {
        Guards.vector("ReferenceFreeLoss", sums, "sums");
        if (lengths.length != sums.size()) {
            throw new IllegalArgumentException("ReferenceFreeLoss: " + lengths.length + " lengths for " + sums.size() + " responses");
        }
        float[] inverse = new float[lengths.length];
        for (int i = 0; i < lengths.length; i++) {
            if (lengths[i] < 1) throw new IllegalArgumentException("ReferenceFreeLoss: response " + i + " has " + lengths[i] + " tokens");
            inverse[i] = 1f / lengths[i];
        }
        return Ops.mul(sums, Tensor.of(inverse, inverse.length));
    }

    /** Mean negative log-likelihood per token over every response of the batch: −Σ sums / Σ lengths. */
    static Tensor chosenNll(Tensor sums, int[] lengths) {
        long tokens = 0;
        for (int n : lengths) tokens += n;
        return Ops.scale(Ops.sum(sums), -1f / Math.max(1, tokens));
    }

    /**
     * log(p/(1−p)) = ȳ − log(1 − e^ȳ) for log p = ȳ. subtle: at ȳ = 0 (a response the model is certain of)
     * log(1 − e^ȳ) is −∞, so ȳ is capped just below 0; the cap passes no gradient, and a mean log-prob that
     * close to 0 has nothing left to learn.
     */
    static Tensor logOdds(Tensor meanLogProbs) {
        Tensor y = Ops.clamp(meanLogProbs, Float.NEGATIVE_INFINITY, -1e-6f);
        return Ops.sub(y, Ops.log(Ops.addScalar(Ops.neg(Ops.exp(y)), 1f)));
    }

    /** ORPO's per-pair term log σ(log odds(ȳ_c) − log odds(ȳ_r)), which the loss maximises: (B). */
    static Tensor oddsRatioTerm(Tensor chosenMean, Tensor rejectedMean) {
        return Ops.logSigmoid(Ops.sub(logOdds(chosenMean), logOdds(rejectedMean)));
    }
}
