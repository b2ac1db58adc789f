package dev.cria.align.reward;

import java.util.List;

/**
 * Scores finished rollouts: one number per (prompt, response). Implementations: a trained reward model,
 * a keyword, the copy task's golden reward, the simulated annotator; {@link Weighted} combines them.
 */
public interface Reward {
    /** One rollout: the prompt and response as text and tokens (response tokens without the eos). */
    record Sample(String prompt, String response, int[] promptTokens, int[] responseTokens, boolean finished) {
    }

    float[] score(List<Sample> samples);

    /**
     * The part of each sample's score earned by single response tokens, one value per response token,
     * or null when the score belongs to the response as a whole (the default). PPO credits each token's
     * part to that token and the rest of the score to the last one, so a token is not credited with
     * points that earlier tokens earned.
     */
    default float[][] tokenScores(List<Sample> samples) {
        return null;
    }

    /** A short name for logs, e.g. {@code keyword(cat)}. */
    String name();

    /** Σ weight·reward. */
    record Weighted(List<Reward> rewards, double[] weights) implements Reward {
        public Weighted {
            if (rewards.size() != weights.length) throw new IllegalArgumentException(rewards.size() + " rewards for " + weights.length + " weights");
        }

        @Override
        public float[] score(List<Sample> samples) {
            float[] total = new float[samples.size()];
            for (int r = 0; r < rewards.size(); r++) {
                float[] s = rewards.get(r).score(samples);
                for (int i = 0; i < total.length; i++) total[i] += (float) (weights[r] * s[i]);
            }
            return total;
        }

        /** Σ weight·token score over the rewards that have them; null when none has. */
        @Override
        public float[][] tokenScores(List<Sample> samples) {
            float[][] total = null;
            for (int r = 0; r < rewards.size(); r++) {
                float[][] s = rewards.get(r).tokenScores(samples);
                if (s == null) continue;
                if (total == null) {
                    total = new float[samples.size()][];
                    for (int i = 0; i < total.length; i++) total[i] = new float[samples.get(i).responseTokens().length];
                }
                for (int i = 0; i < total.length; i++) {
                    for (int t = 0; t < total[i].length; t++) total[i][t] += (float) (weights[r] * s[i][t]);
                }
            }
            return total;
        }

        @Override
        public String name() {
            var names = new StringBuilder();
            for (int r = 0; r < rewards.size(); r++) {
                if (r > 0) names.append(" + ");
                names.append(weights[r]).append('·').append(rewards.get(r).name());
            }
            return names.toString();
        }
    }
}
