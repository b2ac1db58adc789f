package dev.cria.checkpoint.gguf;

import dev.cria.kernels.QuantMatrix;

/**
 * The tensor types (ggml_type) Cria reads and writes in a GGUF file, by the numbers llama.cpp's ggml.h
 * gives them. A type stores its elements in blocks: one element a block for F32, F16 and BF16, 32 for
 * the block-quantized Q8_0 and Q4_0 (layout in {@link QuantMatrix}). Other ggml types (the K-quants,
 * Q4_1, Q5_x ...) are refused by number.
 */
public enum GgufType {
    F32(0, 1, 4),
    F16(1, 1, 2),
    Q4_0(2, QuantMatrix.BLOCK, 18),
    Q8_0(8, QuantMatrix.BLOCK, 34),
    BF16(30, 1, 2);

    private final int id;
    private final int blockSize;
    private final int blockBytes;

    GgufType(int id, int blockSize, int blockBytes) {
        this.id = id;
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
    }

    /** The ggml_type number written in a tensor info. */
    public int id() {
        return id;
    }

    /** Elements per block; a row's length must be a multiple of it. */
    public int blockSize() {
        return blockSize;
    }

    /** Bytes of {@code count} elements (a multiple of {@link #blockSize}). */
    public long bytesFor(long count) {
        return count / blockSize * blockBytes;
    }

    /** The type numbered {@code id}, or null for one Cria does not read. */
    public static GgufType byId(long id) {
        for (GgufType t : values()) if (t.id == id) return t;
        return null;
    }

    /** The quantized layout this type is, or null for the float types. */
    public QuantMatrix.Kind quantKind() {
        return switch (this) {
            case Q8_0 -> QuantMatrix.Kind.Q8_0;
            case Q4_0 -> QuantMatrix.Kind.Q4_0;
            default -> null;
        };
    }

    public static GgufType of(QuantMatrix.Kind kind) {
        return kind == QuantMatrix.Kind.Q8_0 ? Q8_0 : Q4_0;
    }
}
