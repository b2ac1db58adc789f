package dev.cria.bench;

import dev.cria.backend.Backend;
import dev.cria.backend.Backends;
import dev.cria.kernels.FrozenMatrix;
import dev.cria.kernels.Gemm;
import dev.cria.kernels.HalfMatrix;
import dev.cria.kernels.QuantMatrix;
import dev.cria.util.CriaException;
import dev.cria.util.Rng;

/** Times Cria's own GEMM on a given shape; at a large square shape it is the machine's practical peak. */
public final class GemmProbe {
    /** Best and median GFLOP/s over the timed repetitions, and B's bytes read per second at the best time. */
    public record Result(int m, int n, int k, double bestGflops, double medianGflops, int repetitions, double weightGbPerSecond) {
    }

    /** How a weight matrix is stored: float32, or frozen in 16 bits, or block-quantized. */
    public enum Weights {
        F32, BF16, F16, Q8_0, Q4_0;

        /** The weights named f32, bf16, f16, q8_0 or q4_0 (any case), or null. */
        public static Weights named(String name) {
            for (Weights w : values()) if (w.name().equalsIgnoreCase(name)) return w;
            return null;
        }

        /** {@code values} (rows, cols) in this storage, or null for float32 (kept as the array itself). */
        public FrozenMatrix freeze(float[] values, int rows, int cols) {
            return switch (this) {
                case F32 -> null;
                case BF16 -> HalfMatrix.round(values, rows, cols, HalfMatrix.Kind.BF16);
                case F16 -> HalfMatrix.round(values, rows, cols, HalfMatrix.Kind.F16);
                case Q8_0 -> QuantMatrix.quantize(values, rows, cols, QuantMatrix.Kind.Q8_0);
                case Q4_0 -> QuantMatrix.quantize(values, rows, cols, QuantMatrix.Kind.Q4_0);
            };
        }
    }

    private GemmProbe() {
    }

    /** Which of the three training products is timed; each computes C (M,N) from A and B of K-long sums. */
    public enum Layout {
        /** C = A·Bᵀ, B stored (N,K): the forward x·Wᵀ. */
        ABT,
        /** C = A·B, B stored (K,N): the input gradient dY·W. */
        AB,
        /** C = Aᵀ·B, A stored (K,M): the weight gradient dYᵀ·X, accumulated. */
        ATB;

        /** On the process's backend, at its precision, as training runs it. */
        void multiply(float[] c, float[] a, float[] b, int M, int K, int N) {
            Backend backend = Backends.current();
            switch (this) {
                case ABT -> backend.abT(c, a, b, M, K, N, false);
                case AB -> backend.ab(c, a, b, M, K, N, false);
                case ATB -> backend.aTb(c, a, b, M, K, N, true);
            }
        }

        /** The same product with B a frozen weight; the weight gradient has none, so ATB has no such form. */
        void multiply(float[] c, float[] a, FrozenMatrix b, int M) {
            switch (this) {
                case ABT -> Gemm.abT(c, a, b, M, false);
                case AB -> Gemm.ab(c, a, b, M, false);
                case ATB -> throw new CriaException("a frozen weight takes no gradient: time --layout abt or ab with frozen weights");
            }
        }
    }

    /** C (M,N) = A (M,K) · B (K,N), with B held as (N,K) as linear weights are. */
    public static Result run(int M, int N, int K, double seconds) {
        return run(Layout.ABT, M, N, K, seconds);
    }

    public static Result run(Layout layout, int M, int N, int K, double seconds) {
        return run(layout, M, N, K, seconds, Weights.F32);
    }

    /** As {@link #run(Layout, int, int, int, double)}, with B stored as {@code weights} says, widened as the kernels read it. */
    public static Result run(Layout layout, int M, int N, int K, double seconds, Weights weights) {
        Rng rng = new Rng(1);
        float[] a = random(rng, M * K), b = random(rng, N * K), c = new float[M * N];
        // B (N,K) for abT, (K,N) for ab: the same values either way
        FrozenMatrix frozen = weights.freeze(b, layout == Layout.ABT ? N : K, layout == Layout.ABT ? K : N);
        Runnable multiply = frozen != null ? () -> layout.multiply(c, a, frozen, M) : () -> layout.multiply(c, a, b, M, K, N);
        double bytes = frozen != null ? frozen.byteSize() : 4.0 * b.length;
        double flops = 2.0 * M * N * K;
        for (int i = 0; i < 2; i++) multiply.run();
        var times = new java.util.ArrayList<Double>();
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        do {
            long t0 = System.nanoTime();
            multiply.run();
            times.add((System.nanoTime() - t0) / 1e9);
        } while (System.nanoTime() < deadline || times.size() < 3);
        java.util.Collections.sort(times);
        return new Result(M, N, K, flops / times.get(0) / 1e9, flops / times.get(times.size() / 2) / 1e9, times.size(), bytes / times.get(0) / 1e9);
    }

    /**
     * The peak that shares are quoted against: 1024 × 1024 × 1024 for about a second, on the process's
     * backend and precision (bfloat16 has its own peak where the hardware multiplies it faster).
     */
    public static double peakGflops() {
        return run(1024, 1024, 1024, 1.0).bestGflops();
    }

    private static float[] random(Rng rng, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) rng.nextGaussian();
        return x;
    }
}
