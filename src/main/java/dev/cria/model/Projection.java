package dev.cria.model;

/**
 * The seven linear maps of a decoder block, in the order the forward runs them. Fresh weights are drawn,
 * adapters attached and tensors saved in this order, so it is the one list of projections.
 *
 * <p>Each weight is (out, in). {@link #module} is the short name PEFT and {@code --lora-targets} use; the
 * full Hugging Face tensor names are {@link HfNames}' business.
 */
public enum Projection {
    Q("q_proj"),       // (H·HS, C)
    K("k_proj"),       // (KVH·HS, C)
    V("v_proj"),       // (KVH·HS, C)
    O("o_proj"),       // (C, H·HS)
    GATE("gate_proj"), // (F, C)
    UP("up_proj"),     // (F, C)
    DOWN("down_proj"); // (C, F)

    private final String module;

    Projection(String module) {
        this.module = module;
    }

    /** PEFT's target-module name, e.g. {@code q_proj}. */
    public String module() {
        return module;
    }

    /** Whether this map belongs to the attention half of the block (the rest is the MLP). */
    boolean inAttention() {
        return ordinal() <= O.ordinal();
    }

    /** Rows of the weight, and the size of its bias. */
    int out(LlamaConfig c) {
        return switch (this) {
            case Q -> c.qDim();
            case O -> c.dim();
            case K, V -> c.kvDim();
            case GATE, UP -> c.hiddenDim();
            case DOWN -> c.dim();
        };
    }

    /** Columns of the weight. */
    int in(LlamaConfig c) {
        return switch (this) {
            case O -> c.qDim();
            case DOWN -> c.hiddenDim();
            default -> c.dim();
        };
    }

    /** Whether the map writes into the residual stream (o_proj, down_proj), which fresh weights scale down. */
    boolean residual() {
        return this == O || this == DOWN;
    }
}
