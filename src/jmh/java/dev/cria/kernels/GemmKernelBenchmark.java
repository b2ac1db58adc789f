package dev.cria.kernels;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How close the GEMM's register tile comes to the core's FMA peak, on one thread: the peak itself (16
 * independent FMA chains on registers), and the tile over one row block of a 1024 × 2048 × 2048 product
 * (ROW_BLOCK / MR tiles of MR rows: 21 of 6 at 16 lanes, 32 of 4 at 8; 32 micro-panels; K block 342),
 * with C's block in cache or, in turn, one of 48 blocks (48 MB at 16 lanes, more than L3) so that every
 * tile finds its C in memory, with and without the pass that reads C's block through first. Packing is
 * not timed; A's block is laid out k-major, as {@code Gemm} packs it.
 * GFLOP/s = FLOPs per call / (µs per call) / 1000: {@code tileOverRowBlock} is 2 · ROW_BLOCK · NR · 342 · 32
 * FLOPs (176.5 M with AVX-512's 6 × 64 tile, 44.8 M with AVX2's 4 × 16), {@code fmaPeak} 2 · 16 · LANES ·
 * 100,000 (51.2 M at 16 lanes, 25.6 M at 8).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class GemmKernelBenchmark {
    private static final int KC = 342, PANELS = 32, CHAINS_STEPS = 100_000;

    /** One row block's operands and C; its parameters apply to {@link #tileOverRowBlock} only, so the peak runs once. */
    @State(Scope.Benchmark)
    public static class RowBlock {
        /** How many row blocks of C the calls cycle through: 1 keeps C in cache, 48 (48 MB) does not. */
        @Param({"1", "48"})
        public int cBlocks;

        /** Whether C's block is first read through as {@code Gemm} does before the first K block of a slab. */
        @Param({"false", "true"})
        public boolean warm;

        private float[] packedA, packedB, c;
        private int block, N, MR, NR, tiles;

        @Setup
        public void setup() {
            MR = Gemm.tileRows();
            NR = Gemm.tileColumns();
            tiles = Gemm.rowBlock() / MR;
            N = PANELS * NR;
            packedA = GemmBenchmark.fill(Gemm.rowBlock() * KC);
            packedB = GemmBenchmark.fill(PANELS * NR * KC);
            c = new float[cBlocks * tiles * MR * N];
        }
    }

    /** One row block's work for one K block, as {@code Gemm} runs it: each micro-panel of B meets every tile of A. */
    @Benchmark
    public float[] tileOverRowBlock(RowBlock s) {
        int m0 = (s.block++ % s.cBlocks) * s.tiles * s.MR;
        if (s.warm) Gemm.warm(s.c, s.N, m0, m0 + s.tiles * s.MR, 0, s.N);
        for (int p = 0; p < PANELS; p++) {
            for (int t = 0; t < s.tiles; t++) {
                int o = (m0 + t * s.MR) * s.N + p * s.NR;
                Gemm.tile(s.c, o, s.N, s.c, o, s.N, s.packedA, t * s.MR, s.packedB, p * s.NR * KC, KC);
            }
        }
        return s.c;
    }

    /**
     * The core's FMA peak: 16 independent chains of vector FMAs on registers, enough to cover the FMA
     * latency on both of Zen 5's FMA pipes.
     */
    @Benchmark
    public float fmaPeak() {
        var f = Simd.F;
        var x = FloatVector.broadcast(f, 0.999f);
        var y = FloatVector.broadcast(f, 1e-3f);
        FloatVector a0 = y, a1 = y, a2 = y, a3 = y, a4 = y, a5 = y, a6 = y, a7 = y;
        FloatVector a8 = y, a9 = y, a10 = y, a11 = y, a12 = y, a13 = y, a14 = y, a15 = y;
        for (int i = 0; i < CHAINS_STEPS; i++) {
            a0 = a0.fma(x, y);
            a1 = a1.fma(x, y);
            a2 = a2.fma(x, y);
            a3 = a3.fma(x, y);
            a4 = a4.fma(x, y);
            a5 = a5.fma(x, y);
            a6 = a6.fma(x, y);
            a7 = a7.fma(x, y);
            a8 = a8.fma(x, y);
            a9 = a9.fma(x, y);
            a10 = a10.fma(x, y);
            a11 = a11.fma(x, y);
            a12 = a12.fma(x, y);
            a13 = a13.fma(x, y);
            a14 = a14.fma(x, y);
            a15 = a15.fma(x, y);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7)
                .add(a8).add(a9).add(a10).add(a11).add(a12).add(a13).add(a14).add(a15).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }
}
