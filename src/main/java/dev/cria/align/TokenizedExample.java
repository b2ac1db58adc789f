package dev.cria.align;

/** One prompt + response as tokens: the response (what is trained or scored) starts at {@code responseStart}. */
public record TokenizedExample(int[] tokens, int responseStart) {
    public TokenizedExample {
        if (responseStart < 1 || responseStart >= tokens.length) {
            throw new IllegalArgumentException("response start " + responseStart + " must be inside 1.." + (tokens.length - 1));
        }
    }
}
