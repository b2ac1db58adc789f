package dev.cria.model;

import dev.cria.autograd.Tensor;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

/**
 * One decoder block's tensors: two RMSNorm weights, the seven projection weights, the biases and q/k norm
 * weights its {@link Variant} asks for and, when LoRA is attached, an adapter per targeted projection. It
 * holds state only; {@link Llama} runs it.
 */
final class Block {
    private final Tensor attnNorm; // (C) before attention
    private final Tensor mlpNorm;  // (C) before the MLP
    private final Map<Projection, Tensor> weights;                                      // each (out, in), float32 or frozen 16-bit
    private final Map<Projection, Tensor> biases;                                       // each (out), the biased ones only
    private final Tensor qNorm;    // (HS) per-head norm of q before RoPE, or null
    private final Tensor kNorm;    // (HS) per-head norm of k before RoPE, or null
    private final Map<Projection, LoraAdapter> adapters = new EnumMap<>(Projection.class); // the targeted ones only

    Block(Tensor attnNorm, Tensor mlpNorm, Map<Projection, Tensor> weights) {
        this(attnNorm, mlpNorm, weights, Map.of(), null, null);
    }

    Block(Tensor attnNorm, Tensor mlpNorm, Map<Projection, Tensor> weights, Map<Projection, Tensor> biases, Tensor qNorm, Tensor kNorm) {
        if (weights.size() != Projection.values().length) {
            throw new IllegalArgumentException("a block needs all " + Projection.values().length + " projections, got " + weights.keySet());
        }
        if ((qNorm == null) != (kNorm == null)) throw new IllegalArgumentException("a block needs both q and k norms or neither");
        this.attnNorm = attnNorm;
        this.mlpNorm = mlpNorm;
        this.weights = new EnumMap<>(weights);
        this.biases = biases.isEmpty() ? Map.of() : new EnumMap<>(biases);
        this.qNorm = qNorm;
        this.kNorm = kNorm;
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

    /** Replaces a projection's weight (same shape): a frozen 16-bit one by its float32 merge with an adapter. */
    void replaceWeight(Projection p, Tensor w) {
        if (!Arrays.equals(w.shape(), weights.get(p).shape())) {
            throw new IllegalArgumentException(p + ": weight of shape " + Arrays.toString(w.shape()) + " replaces "
                    + Arrays.toString(weights.get(p).shape()));
        }
        weights.put(p, w);
    }

    /** The projection's bias (out), or null when it has none. */
    Tensor bias(Projection p) {
        return biases.get(p);
    }

    /** The per-head RMSNorm weight of q (HS), or null. */
    Tensor qNorm() {
        return qNorm;
    }

    /** The per-head RMSNorm weight of k (HS), or null. */
    Tensor kNorm() {
        return kNorm;
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
