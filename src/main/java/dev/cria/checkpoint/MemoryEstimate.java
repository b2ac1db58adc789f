package dev.cria.checkpoint;

import dev.cria.io.Safetensors.Dtype;
import dev.cria.model.LlamaConfig;

/**
 * Bytes a model needs in Cria. A model that is only run, and the frozen base of a LoRA run, keep their
 * weights in the dtype the file stores (w bytes each: 2 for BF16 and F16, else 4; see
 * {@link ModelDirectory#loadFrozen}); full fine-tuning holds every tensor in float32. Estimates for
 * planning, not measurements: the JVM, the tokenizer and work buffers come on top.
 *
 * <p>With P parameters, L layers, C = hidden_size, KV = num_key_value_heads × head_dim,
 * F = intermediate_size, H = heads, V = vocab, B sequences of T tokens, adapters of rank r:
 * <ul>
 *   <li>KV cache = 2 (k and v) × L × B × T × KV × 4</li>
 *   <li>activations = 4 × B × T × (L × (7C + 2KV + 3F + H·T) + 2V): per layer and token the saved inputs
 *       of the norms and projections, q, k, v, the gate, up and product of the MLP, and a row of attention
 *       probabilities per head; at the end the logits and their gradient</li>
 *   <li>adapters A = L × r × (9C + 2KV + 3F): A (r × in) and B (out × r) on all seven projections</li>
 *   <li>inference = wP + KV cache</li>
 *   <li>LoRA fine-tuning = wP (frozen) + 16A (weights, gradients, AdamW's two moments) + activations</li>
 *   <li>full fine-tuning = 16P (weights, gradients, AdamW's two moments) + activations</li>
 * </ul>
 */
public record MemoryEstimate(long weights, long kvCache, long activations, long adapterParameters, long inference, long lora,
                             long full) {
    private static final long F32 = Float.BYTES;

    /** As {@link #of(LlamaConfig, Dtype, int, int, int)} for weights stored in float32. */
    public static MemoryEstimate of(LlamaConfig c, int batch, int seqLen, int rank) {
        return of(c, Dtype.F32, batch, seqLen, rank);
    }

    /**
     * @param stored the dtype the checkpoint stores its weights in, which frozen weights keep
     * @param batch  sequences at once (B)
     * @param seqLen tokens per sequence (T), at most the context length
     * @param rank   LoRA rank (r)
     */
    public static MemoryEstimate of(LlamaConfig c, Dtype stored, int batch, int seqLen, int rank) {
        if (batch <= 0) throw new IllegalArgumentException("batch must be positive: " + batch);
        if (seqLen <= 0 || seqLen > c.maxSeqLen()) {
            throw new IllegalArgumentException("seqLen must be in 1.." + c.maxSeqLen() + ": " + seqLen);
        }
        if (rank <= 0) throw new IllegalArgumentException("rank must be positive: " + rank);
        long P = c.parameterCount();
        long L = c.layers(), C = c.dim(), KV = c.kvDim(), F = c.hiddenDim(), H = c.heads(), V = c.vocab();
        long B = batch, T = seqLen;
        long kvCache = 2 * L * B * T * KV * F32;
        long activations = F32 * B * T * (L * (7 * C + 2 * KV + 3 * F + H * T) + 2 * V);
        long adapters = L * rank * (9 * C + 2 * KV + 3 * F);
        long frozen = (stored == Dtype.BF16 || stored == Dtype.F16 ? 2 : F32) * P;
        return new MemoryEstimate(frozen, kvCache, activations, adapters, frozen + kvCache,
                frozen + 4 * F32 * adapters + activations, 4 * F32 * P + activations);
    }
}
