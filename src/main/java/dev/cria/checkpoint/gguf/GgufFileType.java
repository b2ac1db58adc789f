package dev.cria.checkpoint.gguf;

import dev.cria.util.CriaException;

/**
 * What {@code cria export gguf --type} writes, and general.file_type as llama.cpp's llama_ftype numbers it
 * (ALL_F32 = 0, MOSTLY_F16 = 1, MOSTLY_Q4_0 = 2, MOSTLY_Q8_0 = 7, MOSTLY_BF16 = 32). "Mostly": vectors
 * (norms, biases) stay F32 in every type, as llama.cpp keeps them.
 */
public enum GgufFileType {
    F32(0, GgufType.F32), F16(1, GgufType.F16), BF16(32, GgufType.BF16), Q8_0(7, GgufType.Q8_0), Q4_0(2, GgufType.Q4_0);

    final int fileType;
    /** The type of the weight matrices. */
    final GgufType matrices;

    GgufFileType(int fileType, GgufType matrices) {
        this.fileType = fileType;
        this.matrices = matrices;
    }

    public static GgufFileType named(String name) {
        for (GgufFileType t : values()) if (t.name().equalsIgnoreCase(name)) return t;
        throw new CriaException("--type " + name + ": choose f32, f16, bf16, q8_0 or q4_0");
    }

    boolean quantized() {
        return matrices.quantKind() != null;
    }

    /**
     * The type tensor {@code ggufName} of shape {@code shape} is stored in. Vectors are F32. A matrix whose
     * rows do not cut into 32-weight blocks falls back to F16, as llama.cpp's converter does. Under Q4_0
     * the embedding and the output matrix take Q8_0: the logits feel every error there directly, and
     * llama.cpp's own quantizer likewise keeps them at a higher precision.
     */
    GgufType typeOf(String ggufName, int[] shape) {
        if (shape.length < 2) return GgufType.F32;
        if (!quantized()) return matrices;
        if (shape[shape.length - 1] % GgufType.Q8_0.blockSize() != 0) return GgufType.F16;
        boolean outerMatrix = ggufName.equals("token_embd.weight") || ggufName.equals("output.weight");
        return this == Q4_0 && outerMatrix ? GgufType.Q8_0 : matrices;
    }
}
