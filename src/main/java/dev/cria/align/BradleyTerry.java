package dev.cria.align;

import dev.cria.autograd.Ops;
import dev.cria.autograd.Tensor;
import java.util.Arrays;

/**
 * The reward model's pairwise loss: Bradley–Terry (1952) as used by InstructGPT (Ouyang et al. 2022,
 * eq. 1), with Llama 2's margin (Touvron et al. 2023, eq. 2) and TRL RewardTrainer's centering term
 * ({@code center_rewards_coefficient}, from Eisenstein et al. 2023):
 *
 * <pre>
 *   loss = mean(−log σ(r_c − r_r − m)) + coef · mean((r_c + r_r)²)
 * </pre>
 *
 * Scores are one scalar per sequence, shape (B). Not here: the scalar head that produces them.
 */
public final class BradleyTerry {
    private BradleyTerry() {
    }

    /** The loss with the same margin m for every pair (0 for plain Bradley–Terry). */
    public static Tensor loss(Tensor chosenScores, Tensor rejectedScores, double margin, double centeringCoef) {
        float[] margins = new float[chosenScores.size()];
        Arrays.fill(margins, (float) margin);
        return loss(chosenScores, rejectedScores, margins, centeringCoef);
    }

    /** The loss with a margin per pair, as TRL's optional {@code margin} column. */
    public static Tensor loss(Tensor chosenScores, Tensor rejectedScores, float[] margins, double centeringCoef) {
        check(chosenScores, rejectedScores);
        Guards.sameLength("BradleyTerry.loss", chosenScores.size(), margins, "margins");
        Guards.nonNegative("BradleyTerry.loss", centeringCoef, "centeringCoef");
        Tensor gap = Ops.sub(Ops.sub(chosenScores, rejectedScores), Tensor.of(margins, chosenScores.shape()));
        Tensor loss = Ops.neg(Ops.mean(Ops.logSigmoid(gap)));
        if (centeringCoef == 0) return loss;
        Tensor total = Ops.add(chosenScores, rejectedScores);
        return Ops.add(loss, Ops.scale(Ops.mean(Ops.mul(total, total)), (float) centeringCoef));
    }

    /** Share of pairs where the chosen score is strictly greater (ties count as wrong). */
    public static double accuracy(Tensor chosenScores, Tensor rejectedScores) {
        check(chosenScores, rejectedScores);
        double correct = 0;
        for (int i = 0; i < chosenScores.size(); i++) if (chosenScores.data[i] > rejectedScores.data[i]) correct++;
        return correct / chosenScores.size();
    }

    /** Mean of r_c − r_r over the batch. */
    public static double meanMargin(Tensor chosenScores, Tensor rejectedScores) {
        check(chosenScores, rejectedScores);
        double sum = 0;
        for (int i = 0; i < chosenScores.size(); i++) sum += (double) chosenScores.data[i] - rejectedScores.data[i];
        return sum / chosenScores.size();
    }

    private static void check(Tensor chosenScores, Tensor rejectedScores) {
        Guards.vector("BradleyTerry", chosenScores, "chosenScores");
        Guards.sameShape("BradleyTerry", chosenScores, "chosenScores", rejectedScores, "rejectedScores");
        if (chosenScores.size() == 0) throw new IllegalArgumentException("BradleyTerry: empty batch");
    }
}
