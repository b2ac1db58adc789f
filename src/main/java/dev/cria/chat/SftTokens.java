package dev.cria.chat;

import java.util.Arrays;

/**
 * One example laid out for training: {@code tokens} is the prompt followed by the response, and the first
 * {@code promptLength} tokens are the prompt, which is context only. Made by {@link ChatTemplate#encode}.
 *
 * <p>Everything here is unshifted, position by position, as Hugging Face's {@code labels} are: token t
 * is trained when it is a response token, and the model learns it from its logits at position t - 1. So
 * the trainer shifts (logits[0..n-2] against labels[1..n-1]); the first response token is learned from
 * the prompt's last position ({@code <|assistant|>}).
 *
 * @param tokens prompt then response, at least one token of each
 * @param promptLength how many leading tokens are prompt, in [1, tokens.length - 1]
 */
public record SftTokens(int[] tokens, int promptLength) {
    /** The label of a position that is not trained, as in PyTorch's cross-entropy ignore_index. */
    public static final int IGNORE = -100;

    public SftTokens {
        if (tokens == null) throw new IllegalArgumentException("tokens is null");
        if (promptLength < 1 || promptLength >= tokens.length) {
            throw new IllegalArgumentException("promptLength must be in [1, " + (tokens.length - 1) + "] for "
                    + tokens.length + " tokens (a prompt and at least one response token): " + promptLength);
        }
    }

    public int length() {
        return tokens.length;
    }

    public int responseLength() {
        return tokens.length - promptLength;
    }

    /** The response part, with its eos unless it was truncated. */
    public int[] responseTokens() {
        return Arrays.copyOfRange(tokens, promptLength, tokens.length);
    }

    /** True at the positions whose token is trained: the response, including its final eos. */
    public boolean[] lossMask() {
        boolean[] mask = new boolean[tokens.length];
        Arrays.fill(mask, promptLength, tokens.length, true);
        return mask;
    }

    /** The tokens with every prompt position set to {@link #IGNORE}; unshifted (see the class comment). */
    public int[] labels() {
        int[] labels = tokens.clone();
        Arrays.fill(labels, 0, promptLength, IGNORE);
        return labels;
    }

    // Records compare arrays by identity; two encodings of the same example should be equal.
    @Override
    public boolean equals(Object o) {
        return o instanceof SftTokens other && promptLength == other.promptLength && Arrays.equals(tokens, other.tokens);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(tokens) + promptLength;
    }

    @Override
    public String toString() {
        return "SftTokens[tokens=" + Arrays.toString(tokens) + ", promptLength=" + promptLength + "]";
    }
}
