package dev.cria.align;

/**
 * Advantage estimates for the policy-gradient trainers, on plain float arrays (no autograd: advantages
 * are constants of the loss): GAE and whitening for PPO, the leave-one-out baseline for RLOO, and the
 * group-normalised scores of GRPO.
 *
 * <p>Shape legend: B = sequences, T = response positions. A (B, T) array is flat and row-major; its
 * mask holds 1 at valid response tokens and 0 at padding. Scores for RLOO and GRPO hold one number per
 * completion, k consecutive completions per prompt: {@code [p0s0, p0s1, ..., p0s(k-1), p1s0, ...]}.
 *
 * <p>Not here: the per-token reward shaping (score at the last token minus β·KL), which is the trainer's.
 */
public final class Advantages {
    private static final double WHITEN_EPS = 1e-8;
    private static final double GROUP_STD_EPS = 1e-4;

    private Advantages() {
    }

    /** Per-token GAE advantages and the value targets {@code returns = advantages + values}, both (B, T). */
    public record Gae(float[] advantages, float[] returns) {
    }

    /**
     * PPO's reward per position of a (B, T) batch: {@code -β·k1} at every position, plus each score. A
     * score's per-token part ({@code tokenScores[b][t]}, may be null) goes to the position that predicts
     * response token t, and the rest of the score to the position that predicts the row's last token.
     * Position p predicts token p + 1, so response token t of row b is predicted at {@code trainFrom[b] - 1 + t}.
     */
    public static float[] tokenRewards(float[] k1, double beta, float[] scores, float[][] tokenScores, SequenceBatch batch) {
        float[] rewards = new float[k1.length];
        for (int i = 0; i < k1.length; i++) rewards[i] = (float) (-beta * k1[i]);
        for (int b = 0; b < batch.B; b++) {
            int first = b * batch.T + batch.trainFrom[b] - 1, last = b * batch.T + batch.lengths[b] - 2;
            float credited = 0;
            if (tokenScores != null) {
                for (int t = 0; t < tokenScores[b].length; t++) {
                    rewards[first + t] += tokenScores[b][t];
                    credited += tokenScores[b][t];
                }
            }
            rewards[last] += scores[b] - credited;
        }
        return rewards;
    }

    /**
     * Generalised advantage estimation (Schulman et al. 2016, "High-Dimensional Continuous Control Using
     * Generalized Advantage Estimation", eq. 16), as TRL's PPOTrainer computes it:
     *
     * <pre>
     *   δ_t = r_t + γ·V_{t+1} − V_t
     *   A_t = δ_t + γλ·A_{t+1}
     * </pre>
     *
     * run backwards along each row over its valid positions, with V and A after the last valid token
     * taken as 0 (the episode ends there: TRL's {@code nextvalues = 0.0} at the end).
     *
     * <p>subtle: padding is skipped, not treated as a zero-reward step. For right-padded rows this is
     * exactly TRL (which zeroes rewards and values under padding); for a row with a hole in its mask
     * the recursion joins the valid positions on either side of it. Masked positions come out as 0.
     */
    public static Gae gae(float[] rewards, float[] values, float[] mask, int B, int T, double gamma, double lambda) {
        if (B < 0 || T < 0) throw new IllegalArgumentException("gae: negative shape B = " + B + ", T = " + T);
        int n = B * T;
        Guards.sameLength("gae", n, rewards, "rewards");
        Guards.sameLength("gae", n, values, "values");
        Guards.sameLength("gae", n, mask, "mask");
        Guards.nonNegative("gae", gamma, "gamma");
        Guards.nonNegative("gae", lambda, "lambda");
        float[] advantages = new float[n];
        float[] returns = new float[n];
        for (int b = 0; b < B; b++) {
            double nextValue = 0, nextAdvantage = 0;
            for (int t = T - 1; t >= 0; t--) {
                int i = b * T + t;
                if (mask[i] == 0f) continue;
                double delta = rewards[i] + gamma * nextValue - values[i];
                double advantage = delta + gamma * lambda * nextAdvantage;
                advantages[i] = (float) advantage;
                returns[i] = (float) (advantage + values[i]);
                nextValue = values[i];
                nextAdvantage = advantage;
            }
        }
        return new Gae(advantages, returns);
    }

    /**
     * TRL's {@code masked_whiten}: (x − mean) / sqrt(var + 1e-8) over the masked-in positions, with the
     * unbiased (Bessel-corrected) variance; the mean is added back when {@code shiftMean} is false
     * (TRL whitens PPO advantages with shiftMean true, rewards with it false). Masked-out positions are 0.
     * The statistics are taken over the whole array, not per row.
     */
    public static float[] whiten(float[] x, float[] mask, boolean shiftMean) {
        Guards.sameLength("whiten", x.length, mask, "mask");
        double count = 0, sum = 0;
        for (int i = 0; i < x.length; i++) {
            count += mask[i];
            sum += (double) x[i] * mask[i];
        }
        if (count < 2) {
            throw new IllegalArgumentException("whiten: needs at least 2 masked-in values for an unbiased variance, got " + count);
        }
        double mean = sum / count;
        double squares = 0;
        for (int i = 0; i < x.length; i++) squares += (x[i] - mean) * (x[i] - mean) * mask[i];
        double variance = squares / (count - 1);
        double invStd = 1 / Math.sqrt(variance + WHITEN_EPS);
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            if (mask[i] == 0f) continue;
            double w = (x[i] - mean) * invStd;
            out[i] = (float) (shiftMean ? w : w + mean);
        }
        return out;
    }

    /**
     * RLOO's advantage (Ahmadian et al. 2024, "Back to Basics: Revisiting REINFORCE Style Optimization
     * for Learning from Human Feedback in LLMs"; TRL's RLOOTrainer): each completion's score minus
     * the mean score of the other k − 1 completions of its prompt, {@code r_i − (Σ_group r − r_i) / (k − 1)}.
     *
     * <p>subtle: the older TRL RLOOTrainer laid samples out k-major ({@code reshape(k, -1)}); here the k
     * samples of a prompt are consecutive, as GRPO and the newer RLOOTrainer lay them out.
     */
    public static float[] leaveOneOutBaseline(float[] scores, int k) {
        Guards.groupSize("leaveOneOutBaseline", scores.length, k);
        float[] out = new float[scores.length];
        for (int g = 0; g < scores.length; g += k) {
            double sum = 0;
            for (int j = g; j < g + k; j++) sum += scores[j];
            for (int j = g; j < g + k; j++) out[j] = (float) (scores[j] - (sum - scores[j]) / (k - 1));
        }
        return out;
    }

    /**
     * GRPO's advantage (Shao et al. 2024, "DeepSeekMath", §4.1.2 outcome supervision; TRL's
     * GRPOTrainer): {@code (r − group mean) / (group std + 1e-4)}, with the Bessel-corrected std as
     * {@code torch.std}; with {@code scaleByStd} false (Dr. GRPO, Liu et al. 2025) only the mean is
     * subtracted. A group whose scores are all equal gets advantages 0.
     */
    public static float[] groupNormalized(float[] scores, int k, boolean scaleByStd) {
        Guards.groupSize("groupNormalized", scores.length, k);
        float[] out = new float[scores.length];
        for (int g = 0; g < scores.length; g += k) {
            double sum = 0;
            for (int j = g; j < g + k; j++) sum += scores[j];
            double mean = sum / k;
            double squares = 0;
            for (int j = g; j < g + k; j++) squares += (scores[j] - mean) * (scores[j] - mean);
            double std = Math.sqrt(squares / (k - 1));
            for (int j = g; j < g + k; j++) {
                double centered = scores[j] - mean;
                out[j] = (float) (scaleByStd ? centered / (std + GROUP_STD_EPS) : centered);
            }
        }
        return out;
    }
}
