package dev.cria.backend;

import dev.cria.util.CriaException;

/**
 * The number format of a matrix product's operands. Accumulation is always float32, and so are the
 * master weights, the optimizer's state and every reduction outside the products.
 */
public enum Precision {
    /** Operands as they are: float32. */
    F32("f32"),
    /** Operands rounded to bfloat16 (ties to even) before they are multiplied: PyTorch's bfloat16 autocast. */
    BF16("bf16");

    private final String label;

    Precision(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** "f32"/"fp32"/"float32" or "bf16"/"bfloat16"; anything else is a one-line error. */
    public static Precision parse(String text) {
        return switch (text.toLowerCase(java.util.Locale.ROOT)) {
            case "f32", "fp32", "float32" -> F32;
            case "bf16", "bfloat16" -> BF16;
            default -> throw new CriaException("--precision must be f32 or bf16, not '" + text + "'");
        };
    }
}
