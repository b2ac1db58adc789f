package dev.cria.model;

import dev.cria.autograd.Tensor;
import java.util.EnumMap;
import java.util.Map;

/**
 * One decoder block's tensors: two RMSNorm weights, the seven projection weights and, when LoRA is
 * attached, an adapter per targeted projection. It holds state only; {@link Llama} runs it.
 */
final class Block {
    private final Tensor attnNorm; // (C) before attention
    private final Tensor mlpNorm;  // (C) before the MLP
    private final Map<Projection, Tensor> weights;                                      // each (out, in)
    private final Map<Projection, LoraAdapter> adapters = new EnumMap<>(Projection.class); // the targeted ones only

    Block(Tensor attnNorm, Tensor mlpNorm, Map<Projection, Tensor> weights) {
        if (weights.size() != Projection.values().length) {
            throw new IllegalArgumentException("a block needs all " + Projection.values().length + " projections, got " + weights.keySet());
        }
        this.attnNorm = attnNorm;
        this.mlpNorm = mlpNorm;
        this.weights = new EnumMap<>(weights);
    }

    Tensor attnNorm() {
        return attnNorm;
    }

    Tensor mlpNorm() {
        return mlpNorm;
    }

    Tensor weight(Projection p) {
        return weights.get(p);
    }

    /** The projection's LoRA adapter, or null when it has none. */
    LoraAdapter adapter(Projection p) {
        return adapters.get(p);
    }

    void attach(Projection p, LoraAdapter adapter) {
        adapters.put(p, adapter);
    }

    void detachAdapters() {
        adapters.clear();
    }
}
