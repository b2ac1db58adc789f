package dev.cria.model;

import dev.cria.autograd.Nn;
import dev.cria.autograd.Ops;
import dev.cria.autograd.Tensor;
import dev.cria.kernels.Gemm;
import dev.cria.util.Rng;

/**
 * A LoRA update of one projection W (out, in): (alpha/r) · B·A with A (r, in) and B (out, r). It holds
 * the two matrices and their math; which projection it belongs to is the {@link Block}'s business.
 */
record LoraAdapter(Tensor a, Tensor b, double scale) {

    /** A ~ U(−1/√in, 1/√in) as PEFT's Kaiming init, B = 0, so the adapted projection starts equal to W. */
    static LoraAdapter fresh(int out, int in, LoraConfig lora, Rng rng) {
        float bound = (float) (1 / Math.sqrt(in));
        float[] a = new float[lora.rank() * in];
        for (int i = 0; i < a.length; i++) a[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        return new LoraAdapter(Tensor.parameter(a, lora.rank(), in),
                Tensor.parameter(new float[out * lora.rank()], out, lora.rank()), lora.scale());
    }

    /** The update for inputs x (R, in): (alpha/r)·(x·Aᵀ)·Bᵀ, (R, out). */
    Tensor update(Tensor x) {
        return Ops.scale(Nn.linear(Nn.linear(x, a), b), (float) scale);
    }

    /** A new float32 array W + (alpha/r)·B·A, for code that reads weights directly; W may be 16-bit. */
    float[] mergedInto(Tensor w) {
        float[] merged = w.toFloats();
        int out = w.dim(0), in = w.dim(1), r = a.dim(0);
        float[] delta = new float[out * in];
        Gemm.ab(delta, b.data, a.data, out, r, in, false);
        float s = (float) scale;
        for (int i = 0; i < merged.length; i++) merged[i] += s * delta[i];
        return merged;
    }
}
