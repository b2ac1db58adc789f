package dev.cria.align.reward;

import java.util.List;

/**
 * The copy task's golden reward, as in the Tiny-Llama RLHF write-up: +1 for each response token that
 * reproduces the prompt's text token at the same position. The prompt's text tokens are the given
 * {@code promptTokens} minus a fixed number of template tokens around them.
 *
 * @param prefix template tokens before the prompt text (e.g. bos and the user marker)
 * @param suffix template tokens after it (e.g. end and assistant markers)
 */
public record CopyReward(int prefix, int suffix) implements Reward {
    @Override
    public float[] score(List<Sample> samples) {
        float[][] perToken = tokenScores(samples);
        float[] out = new float[samples.size()];
        for (int i = 0; i < out.length; i++) for (float hit : perToken[i]) out[i] += hit;
        return out;
    }

    /** 1 for each response token that reproduces the prompt's text token at its position, else 0. */
    @Override
    public float[][] tokenScores(List<Sample> samples) {
        float[][] out = new float[samples.size()][];
        for (int i = 0; i < out.length; i++) {
            int[] p = samples.get(i).promptTokens(), r = samples.get(i).responseTokens();
            int textLength = Math.max(0, p.length - prefix - suffix);
            out[i] = new float[r.length];
            for (int t = 0; t < Math.min(textLength, r.length); t++) if (r[t] == p[prefix + t]) out[i][t] = 1;
        }
        return out;
    }

    @Override
    public String name() {
        return "copy";
    }
}
