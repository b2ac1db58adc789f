package dev.cria.bench;

import dev.cria.model.LlamaConfig;

/** Floating-point operation counts of the model's work, for GFLOP/s figures (a multiply-add is 2). */
public final class Flops {
    private Flops() {
    }

    /** Weights every token passes through in matrix products, the LM head included. */
    static long matmulWeights(LlamaConfig c) {
        long perLayer = 2L * c.dim() * c.qDim() + 2L * c.dim() * c.kvDim() + 3L * c.dim() * c.hiddenDim();
        return perLayer * c.layers() + (long) c.vocab() * c.dim();
    }

    /** Forward FLOPs of one token that attends to {@code context} positions. */
    static double forwardPerToken(LlamaConfig c, double context) {
        return 2.0 * matmulWeights(c) + 4.0 * c.layers() * c.qDim() * context;
    }

    /** A training step's FLOPs: forward plus a backward of twice its cost, causal context (T+1)/2. */
    public static double trainStep(LlamaConfig c, int B, int T) {
        return 3.0 * B * T * forwardPerToken(c, (T + 1) / 2.0);
    }

    /** FLOPs to prefill B prompts of length P and decode N tokens each. */
    public static double decode(LlamaConfig c, int B, int P, int N) {
        double prefill = B * P * forwardPerToken(c, (P + 1) / 2.0);
        double steps = B * N * forwardPerToken(c, P + N / 2.0);
        return prefill + steps;
    }
}
