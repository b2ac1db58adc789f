package dev.cria.generate;

import dev.cria.kernels.Softmax;
import dev.cria.util.CriaException;

/**
 * The log-probability of a chosen token and of the {@code k} likeliest tokens, from one row of logits:
 * {@code log softmax(logits)} at temperature 1, the model's own distribution whatever the sampler did
 * with it. Example: logits {@code [0, ln 3]} give log-probs {@code [ln 0.25, ln 0.75]}.
 *
 * <p>Costs one pass for the log-sum-exp and one for the top k; the caller asks only when a client wants it.
 *
 * @param top         token ids, likeliest first (ties: lower id first)
 * @param topLogprobs their log-probs, in the same order
 */
public record TokenLogprob(int token, float logprob, int[] top, float[] topLogprobs) {
    public static TokenLogprob of(float[] logits, int offset, int vocab, int token, int k) {
        if (token < 0 || token >= vocab) throw new CriaException("token " + token + " is outside the vocabulary of " + vocab);
        if (k < 0 || k > vocab) throw new CriaException("top-k must be from 0 to the vocabulary size " + vocab + ": " + k);
        float lse = Softmax.rowLseScalar(logits, offset, vocab);
        int[] top = topIds(logits, offset, vocab, k);
        float[] topLogprobs = new float[k];
        for (int i = 0; i < k; i++) topLogprobs[i] = logits[offset + top[i]] - lse;
        return new TokenLogprob(token, logits[offset + token] - lse, top, topLogprobs);
    }

    /** The k largest logits' ids by insertion into a sorted array of k: one pass, since most tokens lose to the k-th at once. */
    private static int[] topIds(float[] logits, int offset, int vocab, int k) {
        int[] top = new int[k];
        int filled = 0;
        for (int id = 0; id < vocab && k > 0; id++) {
            float x = logits[offset + id];
            if (filled == k && !(x > logits[offset + top[k - 1]])) continue;
            int at = Math.min(filled, k - 1);
            while (at > 0 && x > logits[offset + top[at - 1]]) {
                top[at] = top[at - 1];
                at--;
            }
            top[at] = id;
            if (filled < k) filled++;
        }
        return top;
    }
}
