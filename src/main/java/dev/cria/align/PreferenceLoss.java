package dev.cria.align;

import dev.cria.autograd.Ops;
import dev.cria.autograd.Tensor;
import dev.cria.util.CriaException;

/**
 * The offline preference losses of TRL's DPOTrainer ({@code dpo_loss}), over summed response
 * log-probabilities per sequence, each of shape (B). With
 *
 * <pre>
 *   logits = (log π(y_c) − log π(y_r)) − (log π_ref(y_c) − log π_ref(y_r))
 * </pre>
 *
 * the per-pair losses, averaged over the batch, are
 *
 * <ul>
 *   <li>{@link Sigmoid}: −log σ(β·logits)·(1 − ls) − log σ(−β·logits)·ls. DPO (Rafailov et al. 2023,
 *       "Direct Preference Optimization", eq. 7); with label smoothing ls, conservative DPO (Mitchell
 *       2023, "A note on DPO with noisy preferences").
 *   <li>{@link Hinge}: relu(1 − β·logits), the hinge loss of SLiC (Zhao et al. 2023, "SLiC-HF").
 *   <li>{@link Ipo}: (logits − 1/(2β))², IPO (Azar et al. 2023, "A General Theoretical Paradigm to
 *       Understand Learning from Human Preferences", eq. 17, with β as its τ).
 * </ul>
 *
 * A sealed interface, so a switch over the variants is exhaustive. Not here: computing the
 * log-probabilities, and the metrics (see {@link DpoMetrics}).
 */
public sealed interface PreferenceLoss {
    /** DPO's logistic loss, with optional label smoothing ls ∈ [0, 0.5). */
    record Sigmoid(double labelSmoothing) implements PreferenceLoss {
        public Sigmoid {
            if (!(labelSmoothing >= 0 && labelSmoothing < 0.5)) {
                throw new IllegalArgumentException("label smoothing must be in [0, 0.5), got " + labelSmoothing);
            }
        }
    }

    /** IPO's squared loss toward a log-ratio margin of 1/(2β). */
    record Ipo() implements PreferenceLoss {
    }

    /** SLiC's hinge loss with margin 1/β in the log-ratio. */
    record Hinge() implements PreferenceLoss {
    }

    /** The name used on the command line and in TRL's {@code loss_type}. */
    default String name() {
        return switch (this) {
            case Sigmoid _ -> "sigmoid";
            case Ipo _ -> "ipo";
            case Hinge _ -> "hinge";
        };
    }

    /**
     * The mean loss over the batch, a scalar with a graph.
     *
     * @param policyChosen  (B) summed log π of the chosen responses, usually with a graph
     * @param policyRejected (B) summed log π of the rejected responses
     * @param refChosen     (B) summed log π_ref of the chosen responses, usually a constant
     * @param refRejected   (B) summed log π_ref of the rejected responses
     * @param beta          β > 0, the strength of the implicit KL constraint
     */
    default Tensor loss(Tensor policyChosen, Tensor policyRejected, Tensor refChosen, Tensor refRejected, double beta) {
        Tensor logits = logits(policyChosen, policyRejected, refChosen, refRejected, beta);
        float b = (float) beta;
        Tensor perPair = switch (this) {
            case Sigmoid(double ls) -> {
                Tensor scaled = Ops.scale(logits, b);
                Tensor agree = Ops.scale(Ops.logSigmoid(scaled), (float) -(1 - ls));
                yield ls == 0 ? agree : Ops.sub(agree, Ops.scale(Ops.logSigmoid(Ops.neg(scaled)), (float) ls));
            }
            case Hinge _ -> relu(Ops.addScalar(Ops.scale(logits, -b), 1f));
            case Ipo _ -> {
                Tensor gap = Ops.addScalar(logits, (float) (-1 / (2 * beta)));
                yield Ops.mul(gap, gap);
            }
        };
        return Ops.mean(perPair);
    }

    /**
     * The variant for a CLI name: "sigmoid", "ipo" or "hinge".
     *
     * @throws CriaException for an unknown name, or label smoothing with a loss that has none
     */
    static PreferenceLoss parse(String name, double labelSmoothing) {
        PreferenceLoss loss = switch (name) {
            case "sigmoid" -> {
                if (!(labelSmoothing >= 0 && labelSmoothing < 0.5)) {
                    throw new CriaException("--label-smoothing must be in [0, 0.5), got " + labelSmoothing);
                }
                yield new Sigmoid(labelSmoothing);
            }
            case "ipo" -> new Ipo();
            case "hinge" -> new Hinge();
            case null, default -> throw new CriaException("unknown preference loss '" + name + "': use sigmoid, ipo or hinge");
        };
        if (!(loss instanceof Sigmoid) && labelSmoothing != 0) {
            throw new CriaException("label smoothing applies only to the sigmoid loss, got " + labelSmoothing
                    + " with " + name + ": drop --label-smoothing or use --loss sigmoid");
        }
        return loss;
    }

    private static Tensor logits(Tensor policyChosen, Tensor policyRejected, Tensor refChosen, Tensor refRejected, double beta) {
        Guards.vector("PreferenceLoss", policyChosen, "policyChosen");
        Guards.sameShape("PreferenceLoss", policyChosen, "policyChosen", policyRejected, "policyRejected");
        Guards.sameShape("PreferenceLoss", policyChosen, "policyChosen", refChosen, "refChosen");
        Guards.sameShape("PreferenceLoss", policyChosen, "policyChosen", refRejected, "refRejected");
        Guards.positive("PreferenceLoss", beta, "beta");
        return Ops.sub(Ops.sub(policyChosen, policyRejected), Ops.sub(refChosen, refRejected));
    }

    /** max(x, 0) with gradient 0 at x = 0, as {@code torch.relu}. */
    private static Tensor relu(Tensor x) {
        boolean[] positive = new boolean[x.size()];
        for (int i = 0; i < positive.length; i++) positive[i] = x.data[i] > 0;
        return Ops.where(positive, x, Tensor.zeros(x.shape()));
    }
}
