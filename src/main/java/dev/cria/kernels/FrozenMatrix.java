package dev.cria.kernels;

/**
 * A frozen weight matrix (rows, cols), row-major, kept in a storage narrower than float32: 16-bit
 * ({@link HalfMatrix}) or block-quantized ({@link QuantMatrix}). Read only, no gradient.
 *
 * <p>Kernels read it a run of one row at a time, widened into float32 ({@link #widen}): into the GEMM's
 * packed panels, or a few rows' buffer for decoding. The matrix as a whole is never held in float32.
 */
public sealed interface FrozenMatrix permits HalfMatrix, QuantMatrix {
    int rows();

    int cols();

    /** Element (r, c), widened. */
    float get(int r, int c);

    /** dst[at ..] = row {@code row}, columns col .. col+count, widened to float32. */
    void widen(int row, int col, int count, float[] dst, int at);

    /** Reference for {@link #widen}: one element at a time. */
    void widenScalar(int row, int col, int count, float[] dst, int at);

    /** Bytes of storage: what this matrix costs in memory (or in the mapped file). */
    long byteSize();

    /** The whole matrix as a new float32 array: for the rare code that must have one (a LoRA merge). */
    default float[] toFloats() {
        float[] out = new float[rows() * cols()];
        for (int r = 0; r < rows(); r++) widen(r, 0, cols(), out, r * cols());
        return out;
    }
}
