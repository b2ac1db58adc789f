package dev.cria.data;

/**
 * A batch for next-token training: {@code rows} windows of {@code seqLen} tokens, flattened row-major
 * (index {@code b * seqLen + t}). {@code targets[b*T + t]} is the token that follows
 * {@code inputs[b*T + t]} in the stream.
 *
 * <p>The arrays are shared, not copied; a trainer may reuse them. Shapes: inputs (rows, seqLen),
 * targets (rows, seqLen).
 */
public record Batch(int[] inputs, int[] targets, int rows, int seqLen) {
    public Batch {
        if (rows <= 0 || seqLen <= 0) throw new IllegalArgumentException("rows and seqLen must be positive: " + rows + ", " + seqLen);
        if (inputs.length != rows * seqLen || targets.length != rows * seqLen) {
            throw new IllegalArgumentException("arrays of " + inputs.length + " and " + targets.length + " tokens do not match "
                    + rows + " rows x " + seqLen);
        }
    }
}
