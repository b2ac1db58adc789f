package dev.cria.kernels;

import dev.cria.tensor.Parallel;
import java.util.concurrent.atomic.AtomicIntegerArray;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The matrix products Cria is built on, {@code C (M,N) (+)= A·B}, for the three layouts training needs:
 * <ul>
 *   <li>{@link #abT}: A (M,K) times Bᵀ with B stored (N,K): the forward {@code x·Wᵀ}, W as (out, in);</li>
 *   <li>{@link #ab}: A (M,K) times B (K,N): the input gradient {@code dY·W};</li>
 *   <li>{@link #aTb}: Aᵀ with A stored (K,M) times B (K,N): the weight gradient {@code dYᵀ·X}.</li>
 * </ul>
 * All three run one strided kernel: element (m, k) of A is {@code a[m·aRow + k·aCol]} and element (k, n)
 * of B is {@code b[k·bK + n·bN]}, so no operand is ever transposed in memory.
 *
 * <p>For each column panel, the threads share one slab of B's K blocks, packed micro-panel by micro-panel
 * by whichever thread first needs each, and each multiplies its own range of rows by it, packing its rows
 * of A one row block at a time;
 * micro-panels are laid out in the order the kernel reads them (the classic Goto/BLIS scheme). Each output
 * element is written by exactly one thread, in the same order every time, so results are deterministic.
 * The kernel broadcasts MR A values against NV B vectors into
 * MR × NV accumulators (4 × 2, or 6 × 4 with AVX-512's 32 registers), so no horizontal reduction is
 * needed and each loaded vector feeds MR FMAs.
 *
 * <p>A frozen weight kept narrower than float32 ({@link FrozenMatrix}: 16-bit or block-quantized) takes part as B in the forward and input
 * gradient layouts: it is widened to float32 where the float path would copy, into the packed panels
 * or a few rows' buffer, so the same kernels run and no float32 copy of it is ever made.
 */
public final class Gemm {
    private Gemm() {
    }

    /** C (M,N) (+)= A (M,K) · Bᵀ, B stored (N,K). */
    public static void abT(float[] c, float[] a, float[] b, int M, int K, int N, boolean accumulate) {
        if (Simd.ENABLED && M <= FEW_ROWS) abTFewRows(c, a, b, M, K, N, accumulate);
        else run(c, a, K, 1, b, 1, K, M, K, N, accumulate, false);
    }

    /**
     * The three products with both operands rounded to bfloat16 (see {@link Bf16}) as they are packed,
     * accumulated in float32: the same sums as the float32 products of rounded copies, bit for bit, without
     * the copies.
     */
    public static void abTBf16(float[] c, float[] a, float[] b, int M, int K, int N, boolean accumulate) {
        run(c, a, K, 1, b, 1, K, M, K, N, accumulate, true);
    }

    public static void abBf16(float[] c, float[] a, float[] b, int M, int K, int N, boolean accumulate) {
        run(c, a, K, 1, b, N, 1, M, K, N, accumulate, true);
    }

    public static void aTbBf16(float[] c, float[] a, float[] b, int M, int K, int N, boolean accumulate) {
        run(c, a, 1, M, b, N, 1, M, K, N, accumulate, true);
    }

    /** Up to this many rows of A (decoding a batch), dot products beat packing B (measured: 1.3× at M=32). */
    private static final int FEW_ROWS = 64;

    /**
     * abT for a few rows of A, as dot products along K: each B row is read once from memory, straight
     * from its (N,K) layout, and meets every row of A while it is in L1. Parallel over columns.
     */
    public static void abTFewRows(float[] c, float[] a, float[] b, int M, int K, int N, boolean accumulate) {
        int quads = (N + 3) / 4;
        int grain = Math.max(1, 16384 / Math.max(1, M * K));
        Parallel.forRange(quads, grain, (start, end) -> {
            for (int q = start; q < end; q++) {
                int n = 4 * q;
                if (n + 4 <= N) {
                    int m = 0;
                    for (; m + 4 <= M; m += 4) dot4x4(c, a, b, n * K, K, N, m, n, accumulate);
                    for (; m < M; m++) dot1x4(c, a, b, n * K, K, N, m, n, accumulate);
                } else {
                    for (int m = 0; m < M; m++) {
                        for (int j = n; j < N; j++) {
                            float dot = Simd.dotVector(a, m * K, b, j * K, K);
                            c[m * N + j] = accumulate ? c[m * N + j] + dot : dot;
                        }
                    }
                }
            }
        });
    }

    /**
     * Four rows of A against four rows of B: 16 dot products from 8 loads per step along K. The
     * accumulators leave through {@code lanes}, not as arguments: a vector passed to a method the JIT
     * does not inline is boxed, which made this kernel eight times slower. B's four rows start at b[bRow].
     */
    private static void dot4x4(float[] c, float[] a, float[] b, int bRow, int K, int N, int m, int n, boolean accumulate) {
        var f = Simd.F;
        var s00 = FloatVector.zero(f);
        var s01 = FloatVector.zero(f);
        var s02 = FloatVector.zero(f);
        var s03 = FloatVector.zero(f);
        var s10 = FloatVector.zero(f);
        var s11 = FloatVector.zero(f);
        var s12 = FloatVector.zero(f);
        var s13 = FloatVector.zero(f);
        var s20 = FloatVector.zero(f);
        var s21 = FloatVector.zero(f);
        var s22 = FloatVector.zero(f);
        var s23 = FloatVector.zero(f);
        var s30 = FloatVector.zero(f);
        var s31 = FloatVector.zero(f);
        var s32 = FloatVector.zero(f);
        var s33 = FloatVector.zero(f);
        int a0 = m * K, a1 = a0 + K, a2 = a1 + K, a3 = a2 + K, b0 = bRow, b1 = b0 + K, b2 = b1 + K, b3 = b2 + K;
        int k = 0;
        for (int bound = f.loopBound(K); k < bound; k += Simd.LANES) {
            var x0 = FloatVector.fromArray(f, a, a0 + k);
            var x1 = FloatVector.fromArray(f, a, a1 + k);
            var x2 = FloatVector.fromArray(f, a, a2 + k);
            var x3 = FloatVector.fromArray(f, a, a3 + k);
            var w = FloatVector.fromArray(f, b, b0 + k);
            s00 = x0.fma(w, s00);
            s10 = x1.fma(w, s10);
            s20 = x2.fma(w, s20);
            s30 = x3.fma(w, s30);
            w = FloatVector.fromArray(f, b, b1 + k);
            s01 = x0.fma(w, s01);
            s11 = x1.fma(w, s11);
            s21 = x2.fma(w, s21);
            s31 = x3.fma(w, s31);
            w = FloatVector.fromArray(f, b, b2 + k);
            s02 = x0.fma(w, s02);
            s12 = x1.fma(w, s12);
            s22 = x2.fma(w, s22);
            s32 = x3.fma(w, s32);
            w = FloatVector.fromArray(f, b, b3 + k);
            s03 = x0.fma(w, s03);
            s13 = x1.fma(w, s13);
            s23 = x2.fma(w, s23);
            s33 = x3.fma(w, s33);
        }
        // Per row, pairwise butterflies leave sum(s_ij) in lane j, in a fixed order (see dot1x4).
        var p0a = s00.blend(s01, Simd.ODD).add(s01.blend(s00, Simd.ODD).rearrange(Simd.SWAP_1));
        var p0b = s02.blend(s03, Simd.ODD).add(s03.blend(s02, Simd.ODD).rearrange(Simd.SWAP_1));
        var q0 = p0a.blend(p0b, Simd.BIT_1).add(p0b.blend(p0a, Simd.BIT_1).rearrange(Simd.SWAP_2));
        if (Simd.LANES > 8) q0 = q0.add(q0.rearrange(Simd.SWAP_8));
        if (Simd.LANES > 4) q0 = q0.add(q0.rearrange(Simd.SWAP_4));
        finishRow(c, a, b, bRow, K, N, m + 0, n, k, q0.lane(0), q0.lane(1), q0.lane(2), q0.lane(3), accumulate);
        var p1a = s10.blend(s11, Simd.ODD).add(s11.blend(s10, Simd.ODD).rearrange(Simd.SWAP_1));
        var p1b = s12.blend(s13, Simd.ODD).add(s13.blend(s12, Simd.ODD).rearrange(Simd.SWAP_1));
        var q1 = p1a.blend(p1b, Simd.BIT_1).add(p1b.blend(p1a, Simd.BIT_1).rearrange(Simd.SWAP_2));
        if (Simd.LANES > 8) q1 = q1.add(q1.rearrange(Simd.SWAP_8));
        if (Simd.LANES > 4) q1 = q1.add(q1.rearrange(Simd.SWAP_4));
        finishRow(c, a, b, bRow, K, N, m + 1, n, k, q1.lane(0), q1.lane(1), q1.lane(2), q1.lane(3), accumulate);
        var p2a = s20.blend(s21, Simd.ODD).add(s21.blend(s20, Simd.ODD).rearrange(Simd.SWAP_1));
        var p2b = s22.blend(s23, Simd.ODD).add(s23.blend(s22, Simd.ODD).rearrange(Simd.SWAP_1));
        var q2 = p2a.blend(p2b, Simd.BIT_1).add(p2b.blend(p2a, Simd.BIT_1).rearrange(Simd.SWAP_2));
        if (Simd.LANES > 8) q2 = q2.add(q2.rearrange(Simd.SWAP_8));
        if (Simd.LANES > 4) q2 = q2.add(q2.rearrange(Simd.SWAP_4));
        finishRow(c, a, b, bRow, K, N, m + 2, n, k, q2.lane(0), q2.lane(1), q2.lane(2), q2.lane(3), accumulate);
        var p3a = s30.blend(s31, Simd.ODD).add(s31.blend(s30, Simd.ODD).rearrange(Simd.SWAP_1));
        var p3b = s32.blend(s33, Simd.ODD).add(s33.blend(s32, Simd.ODD).rearrange(Simd.SWAP_1));
        var q3 = p3a.blend(p3b, Simd.BIT_1).add(p3b.blend(p3a, Simd.BIT_1).rearrange(Simd.SWAP_2));
        if (Simd.LANES > 8) q3 = q3.add(q3.rearrange(Simd.SWAP_8));
        if (Simd.LANES > 4) q3 = q3.add(q3.rearrange(Simd.SWAP_4));
        finishRow(c, a, b, bRow, K, N, m + 3, n, k, q3.lane(0), q3.lane(1), q3.lane(2), q3.lane(3), accumulate);
    }

    /** Adds the scalar tail from k on to row m's four dot products d0..d3, and stores c[m, n..n+3]. */
    private static void finishRow(float[] c, float[] a, float[] b, int bRow, int K, int N, int m, int n, int k,
                                  float d0, float d1, float d2, float d3, boolean accumulate) {
        int a0 = m * K, b0 = bRow;
        for (; k < K; k++) {
            float ak = a[a0 + k];
            d0 += ak * b[b0 + k];
            d1 += ak * b[b0 + K + k];
            d2 += ak * b[b0 + 2 * K + k];
            d3 += ak * b[b0 + 3 * K + k];
        }
        int o = m * N + n;
        c[o] = accumulate ? c[o] + d0 : d0;
        c[o + 1] = accumulate ? c[o + 1] + d1 : d1;
        c[o + 2] = accumulate ? c[o + 2] + d2 : d2;
        c[o + 3] = accumulate ? c[o + 3] + d3 : d3;
    }

    private static void dot1x4(float[] c, float[] a, float[] b, int bRow, int K, int N, int m, int n, boolean accumulate) {
        var f = Simd.F;
        var s0 = FloatVector.zero(f);
        var s1 = FloatVector.zero(f);
        var s2 = FloatVector.zero(f);
        var s3 = FloatVector.zero(f);
        int a0 = m * K, b0 = bRow, b1 = b0 + K, b2 = b1 + K, b3 = b2 + K;
        int k = 0;
        for (int bound = f.loopBound(K); k < bound; k += Simd.LANES) {
            var av = FloatVector.fromArray(f, a, a0 + k);
            s0 = av.fma(FloatVector.fromArray(f, b, b0 + k), s0);
            s1 = av.fma(FloatVector.fromArray(f, b, b1 + k), s1);
            s2 = av.fma(FloatVector.fromArray(f, b, b2 + k), s2);
            s3 = av.fma(FloatVector.fromArray(f, b, b3 + k), s3);
        }
        // Pairwise butterflies leave sum(s_j) in lane j, in a fixed order (see Simd.sum).
        var p01 = s0.blend(s1, Simd.ODD).add(s1.blend(s0, Simd.ODD).rearrange(Simd.SWAP_1));
        var p23 = s2.blend(s3, Simd.ODD).add(s3.blend(s2, Simd.ODD).rearrange(Simd.SWAP_1));
        var q = p01.blend(p23, Simd.BIT_1).add(p23.blend(p01, Simd.BIT_1).rearrange(Simd.SWAP_2));
        if (Simd.LANES > 8) q = q.add(q.rearrange(Simd.SWAP_8));
        if (Simd.LANES > 4) q = q.add(q.rearrange(Simd.SWAP_4));
        finishRow(c, a, b, bRow, K, N, m, n, k, q.lane(0), q.lane(1), q.lane(2), q.lane(3), accumulate);
    }

    /** C (M,N) (+)= A (M,K) · B (K,N). */
    public static void ab(float[] c, float[] a, float[] b, int M, int K, int N, boolean accumulate) {
        run(c, a, K, 1, b, N, 1, M, K, N, accumulate, false);
    }

    /** C (M,N) (+)= Aᵀ · B, A stored (K,M), B (K,N). */
    public static void aTb(float[] c, float[] a, float[] b, int M, int K, int N, boolean accumulate) {
        run(c, a, 1, M, b, N, 1, M, K, N, accumulate, false);
    }

    private static void run(float[] c, float[] a, int aRow, int aCol, float[] b, int bK, int bN, int M, int K, int N,
                            boolean accumulate, boolean bf16) {
        if (Simd.ENABLED) {
            packed(c, a, aRow, aCol, (packed, at, n0, n1, k0, k1) -> packB(packed, at, b, bK, bN, n0, n1, k0, k1), M, K, N, accumulate, bf16);
        } else if (bf16) {
            scalarBf16(c, a, aRow, aCol, b, bK, bN, M, K, N, accumulate);
        } else {
            scalar(c, a, aRow, aCol, b, bK, bN, M, K, N, accumulate);
        }
    }

    /** Reference: the triple loop over the same strided layouts. */
    public static void scalar(float[] c, float[] a, int aRow, int aCol, float[] b, int bK, int bN, int M, int K, int N,
                              boolean accumulate) {
        for (int m = 0; m < M; m++) {
            for (int n = 0; n < N; n++) {
                float sum = 0;
                for (int k = 0; k < K; k++) sum += a[m * aRow + k * aCol] * b[k * bK + n * bN];
                c[m * N + n] = accumulate ? c[m * N + n] + sum : sum;
            }
        }
    }

    /** Reference for the bfloat16 products: the triple loop on rounded operands. */
    public static void scalarBf16(float[] c, float[] a, int aRow, int aCol, float[] b, int bK, int bN, int M, int K, int N,
                                  boolean accumulate) {
        for (int m = 0; m < M; m++) {
            for (int n = 0; n < N; n++) {
                float sum = 0;
                for (int k = 0; k < K; k++) sum += Bf16.round(a[m * aRow + k * aCol]) * Bf16.round(b[k * bK + n * bN]);
                c[m * N + n] = accumulate ? c[m * N + n] + sum : sum;
            }
        }
    }

    public static void vector(float[] c, float[] a, int aRow, int aCol, float[] b, int bK, int bN, int M, int K, int N,
                              boolean accumulate) {
        packed(c, a, aRow, aCol, (packed, at, n0, n1, k0, k1) -> packB(packed, at, b, bK, bN, n0, n1, k0, k1), M, K, N, accumulate, false);
    }

    /** Packs B's columns n0..n1, rows k0..k1, into micro-panels from packed[at] on, as {@link #packB} lays them out. */
    @FunctionalInterface
    private interface PanelPacker {
        void pack(float[] packed, int at, int n0, int n1, int k0, int k1);
    }

    /**
     * The packed product for any B that can pack its own panels: a float array, or a frozen matrix widened
     * as it packs. For each column panel, the threads share a slab of as many of B's K blocks as fit
     * {@link #SLAB_FLOATS}, packed as the first row blocks reach its micro-panels ({@link Slab}). The row
     * blocks are tasks ({@link Parallel#forTasks}): each thread starts on its own share of them and then
     * takes over those the other has not started, since on a VM one core can fall behind the other for
     * milliseconds (with fixed halves, the first thread done waited 16% of the small preset's product time).
     * A task runs every K block of the slab over its row block, so that block's C stays in cache between
     * K blocks (a K-block-outer order swept all of C once per K block). Every B element is packed once per
     * product and every A element once per panel.
     */
    private static void packed(float[] c, float[] a, int aRow, int aCol, PanelPacker b, int M, int K, int N, boolean accumulate,
                               boolean bf16) {
        int panel = panelWidth(N), kc = blockK(K, N);
        int kBlocks = (K + kc - 1) / kc, perSlab = Math.max(1, Math.min(kBlocks, SLAB_FLOATS / (kc * panel)));
        int ranges = rowRanges(M, K, N);
        float[] packedB = buffer(SHARED_B, perSlab * kc * panel);
        boolean coldC = coldC(M, N);
        for (int panelStart = 0; panelStart < N; panelStart += panel) {
            int n0 = panelStart, n1 = Math.min(N, n0 + panel), microPanels = (n1 - n0 + NR - 1) / NR;
            for (int slabStart = 0; slabStart < kBlocks; slabStart += perSlab) {
                int first = slabStart, blocks = Math.min(perSlab, kBlocks - first);
                var slab = new Slab(b, packedB, blocks, microPanels, bf16, n0, n1, first, kc, panel, K);
                Parallel.forTasks(ranges, () -> {
                    float[] packedA = buffer(PACK_A, kc * ROW_BLOCK);
                    return range -> {
                        int m0 = rowStart(M, range, ranges), m1 = rowStart(M, range + 1, ranges), rows = rowBlock(m1 - m0);
                        // ranges begin at different micro-panels, so that each thread mostly packs its own
                        int firstPanel = range * microPanels / ranges;
                        for (int mb = m0; mb < m1; mb += rows) {
                            for (int kb = 0; kb < blocks; kb++) {
                                int k0 = (first + kb) * kc, k1 = Math.min(K, k0 + kc);
                                multiply(c, a, aRow, aCol, packedA, packedB, kb * kc * panel, N, mb, Math.min(m1, mb + rows),
                                        n0, n1, k0, k1, mb == m0 ? slab : null, kb, firstPanel, !accumulate && k0 == 0,
                                        kb == 0 && coldC, bf16);
                            }
                        }
                    };
                });
            }
        }
    }

    /**
     * One slab of packed B, whose micro-panels are packed on demand by the threads that multiply by them:
     * the first row block to reach a micro-panel that nobody has packed yet claims it and packs it just
     * before its kernels read it (while it is still in this core's cache). Row blocks start at different
     * micro-panels, so each thread mostly packs its own share, and B's trip from memory overlaps the other
     * thread's FMAs instead of being a phase of its own. A thread that reaches a micro-panel another is
     * still packing packs the slab's next unclaimed ones meanwhile, rather than wait idle: in a product one
     * micro-panel wide (a weight gradient 64 wide, on AVX-512) both threads need the same micro-panel at
     * once at every K block. A thread never waits for a micro-panel nobody has claimed, so blocks run one
     * after the other on one thread still finish.
     */
    private static final class Slab {
        private static final int FREE = 0, PACKING = 1, READY = 2, FAILED = 3;
        private final PanelPacker packer;
        private final float[] packed;
        private final AtomicIntegerArray state;
        private final int microPanels;
        private final boolean bf16;
        /** The slab's columns n0..n1 of B, its K blocks from firstBlock on (kc deep, the last one up to K). */
        private final int n0, n1, firstBlock, kc, panel, K;

        Slab(PanelPacker packer, float[] packed, int blocks, int microPanels, boolean bf16,
             int n0, int n1, int firstBlock, int kc, int panel, int K) {
            this.packer = packer;
            this.packed = packed;
            this.state = new AtomicIntegerArray(blocks * microPanels);
            this.microPanels = microPanels;
            this.bf16 = bf16;
            this.n0 = n0;
            this.n1 = n1;
            this.firstBlock = firstBlock;
            this.kc = kc;
            this.panel = panel;
            this.K = K;
        }

        /** Returns once micro-panel p of the slab's K block kb is packed, packing it here if nobody has. */
        void ensure(int kb, int p) {
            int i = kb * microPanels + p;
            if (state.get(i) == READY || claimAndPack(i)) return;
            int next = i + 1;
            for (int seen; (seen = state.get(i)) != READY; ) {
                if (seen == FAILED) throw new IllegalStateException("another thread failed to pack B's micro-panel " + p);
                while (next < state.length() && !claimAndPack(next)) next++;
                if (next == state.length()) Thread.onSpinWait();
            }
        }

        /**
         * Packs item i (K block i / microPanels, micro-panel i % microPanels) if nobody has claimed it, where
         * {@link #multiply} reads it: from (kb·kc·panel + p·NR·its depth) on. Returns whether it did.
         */
        private boolean claimAndPack(int i) {
            if (!state.compareAndSet(i, FREE, PACKING)) return false;
            int kb = i / microPanels, p = i % microPanels;
            int k0 = (firstBlock + kb) * kc, k1 = Math.min(K, k0 + kc), n = n0 + p * NR;
            int at = kb * kc * panel + p * NR * (k1 - k0);
            try {
                packer.pack(packed, at, n, Math.min(n1, n + NR), k0, k1);
                if (bf16) Bf16.round(packed, packed, at, at + NR * (k1 - k0));
            } catch (Throwable t) {
                state.set(i, FAILED); // so that a thread waiting for this micro-panel stops waiting
                throw t;
            }
            state.set(i, READY);
            return true;
        }
    }

    /**
     * Row ranges a product's rows are split into, the tasks of {@link #packed}: one below
     * MIN_PARALLEL_FLOPS; one per thread below DYNAMIC_FLOPS; else one per row block, as many for each thread,
     * so that a thread that falls behind (on a VM, one core can, for milliseconds) hands the rest of its
     * share to the other. With one range per thread, the first thread done waited 16% of the small preset's
     * product time; for products under a millisecond, the finer tasks cost more than they balanced (tiny
     * preset's step 1.012–1.017× the time). On 2 threads 9 row blocks left one thread waiting for the
     * other's fifth (1.05×), hence a multiple of the thread count.
     */
    private static int rowRanges(int M, int K, int N) {
        double flops = 2.0 * M * K * N;
        int threads = Parallel.threads(), tiles = (M + MR - 1) / MR;
        if (flops < MIN_PARALLEL_FLOPS || threads == 1) return 1;
        if (flops < DYNAMIC_FLOPS) return Math.min(threads, tiles);
        return Math.min(tiles, Simd.roundUp((M + ROW_BLOCK - 1) / ROW_BLOCK, threads));
    }

    /** Products of at least this many FLOPs are split into row blocks that either thread can take. */
    private static final double DYNAMIC_FLOPS = 100e6;

    /**
     * Rows per row block for a range of {@code rows}: as few blocks as ROW_BLOCK allows, as equal as whole
     * tiles make them (512 rows go 108 + 108 + 108 + 108 + 80, not 126 × 4 + 8: a block of a tile or two
     * would stream every B micro-panel from L3 for a few FMAs each).
     */
    private static int rowBlock(int rows) {
        int blocks = Math.max(1, (rows + ROW_BLOCK - 1) / ROW_BLOCK);
        return Simd.roundUp((rows + blocks - 1) / blocks, MR);
    }

    /**
     * Widest column panel whose A, stored (M,K), the tiles read in place rather than packed. Packing A
     * (a transposition) costs the same for any width and is repaid over the panel's micro-panels. Measured
     * on 2 Zen 5 cores, alternating jars (2026-12-01): the LM head's input gradient, 2048×288×32000 in the
     * ab layout, 280 / 291 GFLOP/s packed and 299 / 319 in place; a small-preset training step 830 / 821 ms
     * and 780 / 798; but 1024×2048×2048 abT (32 micro-panels) 332 / 339 / 329 packed and 332 / 330 / 324 in
     * place.
     */
    private static final int IN_PLACE_WIDTH = 1024;

    /**
     * The shared B slab's budget, 8 MB: in L3, while a row block's C stays in L2 across its K blocks. Against
     * 4 MB, where 1024×2048×2048's K blocks of 512 went one slab each (a pass over C and a wait for the other
     * thread per K block), two to a slab took 0.977 and 0.982 of the time for abt in one JVM, 0.991 for ab and
     * aTb; 16 MB was no faster (0.989–0.992), and the small preset's step was unchanged (1.006).
     */
    private static final int SLAB_FLOATS = 1 << 21;

    /** Below this a product runs on the calling thread: a hand-off costs microseconds. */
    private static final double MIN_PARALLEL_FLOPS = 200_000;

    /** Column panels of at most PANEL_N, as equal as whole vectors allow (288 → 160 + 128, not 256 + 32). */
    private static int panelWidth(int N) {
        int panels = (N + PANEL_N - 1) / PANEL_N;
        return Simd.roundUp((N + panels - 1) / panels, NR);
    }

    /**
     * K blocks of at most BLOCK_K, as equal as possible (800 → 267 + 267 + 266, not 384 + 384 + 32); on
     * AVX-512, up to {@link #WIDE_BLOCK_K} for products at least {@link #WIDE_N} wide.
     */
    private static int blockK(int K, int N) {
        int most = MR == 6 && N >= WIDE_N ? WIDE_BLOCK_K : BLOCK_K;
        int blocks = Math.max(1, (K + most - 1) / most);
        return Math.max(1, (K + blocks - 1) / blocks);
    }

    /**
     * Row ranges per panel of pre-packed weights ({@link PackedB}): just enough for the tasks to divide
     * evenly among the threads. Tasks are numbered row range first, so the contiguous chunk
     * a thread takes covers all panels of its rows. With many panels one range per panel is even enough.
     */
    private static int rowSplits(int M, int panels) {
        int threads = Parallel.threads();
        int splits = panels >= 2 * threads ? 1 : threads / gcd(panels, threads);
        return Math.max(1, Math.min((M + MR - 1) / MR, splits));
    }

    /**
     * Where row range {@code split} of {@code splits} starts: a whole number of MR-row tiles, so only the last
     * range has left-over rows. The tiles, the last partial one included, are shared out as evenly as they go,
     * since a partial tile costs a whole one: 512 rows in 6-row tiles split 258 + 254, 43 tiles each (an even
     * split of rows, 252 + 260, gave the second thread 44).
     */
    private static int rowStart(int M, int split, int splits) {
        int tiles = (M + MR - 1) / MR;
        return Math.min(M, (int) ((long) tiles * split / splits) * MR);
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /** Tasks per chunk: small products are not worth a hand-off to another thread. */
    private static int grain(int M, int K, int panel, int rowSplits, int tasks) {
        double flopsPerTask = 2.0 * M * K * panel / rowSplits;
        return flopsPerTask > 100_000 ? 1 : (int) Math.min(tasks, Math.max(1, 100_000 / Math.max(1, flopsPerTask)));
    }

    /**
     * Rows m0..m1 of A times one packed K block (k0..k1) of the column panel n0..n1, added into C.
     * Rows go ROW_BLOCK at a time: their A block is packed k-major ({@link #packKMajor}) and stays in L2,
     * then each B micro-panel meets every MR-row tile of the block. Rows left over after the
     * last whole MR are packed as one more tile, padded with zeros. With {@code overwrite} the tiles write C
     * without reading it (see {@link #tile}): zeroing it first was a pass over memory of its own, 262 MB for
     * the small preset's LM head. With {@code warm} C is read through once before the kernels add into it,
     * so that it is in cache (see {@link #warm}).
     *
     * <p>Where A is stored (M,K) the tiles read it in place instead ({@link #tileInPlace}), a panel's partial
     * last micro-panel too (into a scratch tile, as {@link #tileIntoPart} does): packing A for that
     * micro-panel alone made 4096×172×64 (the tiny preset's SwiGLU width) take 381 µs against 295 at 192 wide.
     * On AVX2 (stood in for on Zen 5, in one JVM) reading A in place made the tiny preset's step 0.94 of the time.
     *
     * <p>subtle: the kernels neither branch on the data nor pass vectors to other methods. A branch first
     * taken after C2 compiled a kernel (a partial block, an overwrite instead of an add) used to trigger
     * recompilations that ended in a version boxing every vector, 3× slower for the rest of the run.
     */
    private static void multiply(float[] c, float[] a, int aRow, int aCol, float[] packedA, float[] packedB, int bBase,
                                 int N, int m0, int m1, int n0, int n1, int k0, int k1, Slab slab, int kb, int firstPanel,
                                 boolean overwrite, boolean warm, boolean bf16) {
        int kc = k1 - k0;
        // A stored (M,K) is read where it lies by the tiles, not transposed into a packed block,
        // where the panel is too narrow to repay the transposition (see IN_PLACE_WIDTH)
        boolean inPlace = aCol == 1 && !bf16 && n1 - n0 <= IN_PLACE_WIDTH;
        // the tiles add their sums to C, or, where C is overwritten, to a row of zeros in L1
        float[] addend = overwrite ? ZEROS : c;
        int addRow = overwrite ? 0 : N;
        for (int mb = m0; mb < m1; mb += ROW_BLOCK) {
            int mEnd = Math.min(m1, mb + ROW_BLOCK), quadEnd = mb + (mEnd - mb) / MR * MR;
            if (!overwrite && warm) warm(c, N, mb, mEnd, n0, n1);
            if (!inPlace) packKMajor(packedA, a, aRow, aCol, mb, quadEnd, k0, k1);
            // rows after the last whole MR: one more tile, padded with zero rows
            int rest = mEnd - quadEnd;
            float[] packedRest = rest > 0 ? packRest(a, aRow, aCol, quadEnd, rest, k0, k1) : null;
            if (bf16) {
                for (int k = 0; k < kc; k++) {
                    Bf16.round(packedA, packedA, k * ROW_BLOCK, k * ROW_BLOCK + quadEnd - mb);
                    if (rest > 0) Bf16.round(packedRest, packedRest, k * ROW_BLOCK, k * ROW_BLOCK + MR);
                }
            }
            int microPanels = (n1 - n0 + NR - 1) / NR;
            for (int i = 0; i < microPanels; i++) {
                int p = (firstPanel + i) % microPanels, n = n0 + p * NR, nEnd = Math.min(n1, n + NR), bOff = bBase + p * NR * kc;
                if (slab != null) slab.ensure(kb, p);
                boolean whole = n + NR <= n1, half = MR == 6 && n1 - n == NR / 2;
                for (int m = mb; m < quadEnd; m += MR) {
                    int o = m * N + n, add = overwrite ? 0 : o, at = m * aRow + k0;
                    if (whole && inPlace) tileInPlace(c, o, N, addend, add, addRow, a, at, aRow, packedB, bOff, kc);
                    else if (whole) tile(c, o, N, addend, add, addRow, packedA, m - mb, packedB, bOff, kc);
                    else if (half && inPlace) kernel6x2InPlace(c, o, N, addend, add, addRow, a, at, aRow, packedB, bOff, kc);
                    else if (half) kernel6x2(c, o, N, addend, add, addRow, packedA, m - mb, packedB, bOff, kc);
                    else if (inPlace) {
                        float[] part = TAIL.get();
                        tileInPlace(part, 0, NR, ZEROS, 0, 0, a, at, aRow, packedB, bOff, kc);
                        putPart(c, part, N, m, MR, n, n1, overwrite);
                    } else {
                        tileIntoPart(c, packedA, m - mb, packedB, bOff, N, m, MR, n, n1, kc, overwrite);
                    }
                }
                if (rest > 0) tileIntoPart(c, packedRest, 0, packedB, bOff, N, quadEnd, rest, n, nEnd, kc, overwrite);
            }
        }
    }

    /**
     * Reads c[m0..m1, n0..n1) through once, a line at a time, so that the kernels find it in cache. Each
     * kernel adds its tile into C only after its K loop, and a tile that has to come from memory then
     * stalls it for the whole trip: on one Zen 5 core ({@code GemmKernelBenchmark}) the tile ran at
     * 251 GFLOP/s with C in cache, 226 with C in memory, and 241 with this pass first. Java has no prefetch
     * instruction; a row-by-row read is the next best thing, since the hardware prefetches along it.
     */
    static void warm(float[] c, int N, int m0, int m1, int n0, int n1) {
        float sum = 0;
        for (int m = m0; m < m1; m++) {
            for (int i = m * N + n0, end = m * N + n1; i < end; i += 16) sum += c[i];
        }
        warmSink = sum;
    }

    /**
     * Whether C is too big to be in cache already, so worth a {@link #warm} pass: over 4 MB. At 512 × 768
     * the pass cost 1–2%; at 1024 × 2048 it gained 1–5%.
     */
    private static boolean coldC(int M, int N) {
        return (long) M * N > 1 << 20;
    }

    /** Where {@link #warm} leaves its sum, so that the JIT cannot drop its reads. */
    @SuppressWarnings("unused")
    private static float warmSink;

    /**
     * A weight matrix W (N,K) packed once into the panels {@link #abT} would build on every call: for
     * inference, where the same weights meet a new small batch at every step.
     */
    public static final class PackedB {
        private final float[] data;
        private final int[] offsets; // [panel · kBlocks + kBlock]
        private final int N, K, panel, kc, kBlocks;

        private PackedB(float[] data, int[] offsets, int N, int K, int panel, int kc, int kBlocks) {
            this.data = data;
            this.offsets = offsets;
            this.N = N;
            this.K = K;
            this.panel = panel;
            this.kc = kc;
            this.kBlocks = kBlocks;
        }

        /** Packs w, stored (N,K) as a linear layer's weight. */
        public static PackedB of(float[] w, int N, int K) {
            int panel = panelWidth(N), kc = blockK(K, N);
            int panels = (N + panel - 1) / panel, kBlocks = (K + kc - 1) / kc;
            int[] offsets = new int[panels * kBlocks];
            int size = 0;
            for (int p = 0; p < panels; p++) {
                int width = Simd.roundUp(Math.min(N, (p + 1) * panel) - p * panel, NR);
                for (int kb = 0; kb < kBlocks; kb++) {
                    offsets[p * kBlocks + kb] = size;
                    size += (Math.min(K, (kb + 1) * kc) - kb * kc) * width;
                }
            }
            var packed = new PackedB(new float[size], offsets, N, K, panel, kc, kBlocks);
            packed.repack(w);
            return packed;
        }

        /** Packs w, the same shape as before, into this copy's storage: new weights without new memory. */
        public void repack(float[] w) {
            if (w.length != N * K) throw new IllegalArgumentException("repack: " + w.length + " weights for a " + N + "x" + K + " matrix");
            Parallel.forRange(offsets.length, 1, (start, end) -> {
                for (int i = start; i < end; i++) {
                    int p = i / kBlocks, kb = i % kBlocks;
                    int n0 = p * panel, n1 = Math.min(N, n0 + panel), k0 = kb * kc, k1 = Math.min(K, k0 + kc);
                    packB(data, offsets[i], w, 1, K, n0, n1, k0, k1);
                }
            });
        }

        public int rows() {
            return N;
        }

        public int cols() {
            return K;
        }
    }

    /** C (M,N) (+)= A (M,K) · Wᵀ with W packed in advance. */
    public static void abT(float[] c, float[] a, PackedB w, int M, boolean accumulate) {
        int N = w.N, K = w.K, panel = w.panel, kc = w.kc;
        int panels = (N + panel - 1) / panel;
        int rowSplits = rowSplits(M, panels);
        int tasks = panels * rowSplits;
        Parallel.forRange(tasks, grain(M, K, panel, rowSplits, tasks), (start, end) -> {
            float[] packedA = buffer(PACK_A, kc * ROW_BLOCK);
            for (int task = start; task < end; task++) {
                int split = task / panels, p = task % panels;
                int n0 = p * panel, n1 = Math.min(N, n0 + panel);
                int m0 = rowStart(M, split, rowSplits), m1 = rowStart(M, split + 1, rowSplits);
                for (int kb = 0; kb < w.kBlocks; kb++) {
                    int k0 = kb * kc, k1 = Math.min(K, k0 + kc);
                    multiply(c, a, K, 1, packedA, w.data, w.offsets[p * w.kBlocks + kb], N, m0, m1, n0, n1, k0, k1,
                            null, kb, 0, !accumulate && kb == 0, kb == 0 && coldC(M, N), false);
                }
            }
        });
    }

    /**
     * C (M,N) (+)= A (M,K) · Wᵀ with W a frozen (N,K) matrix: a frozen weight's forward. W is widened
     * as it is read, a few rows at a time or into the packed panels, never as a whole.
     */
    public static void abT(float[] c, float[] a, FrozenMatrix w, int M, boolean accumulate) {
        int N = w.rows(), K = w.cols();
        if (!Simd.ENABLED) abTScalar(c, a, w, M, accumulate);
        else if (w instanceof QuantMatrix q && M <= QUANT_FUSED_ROWS) QuantDot.abTVector(c, a, q, M, accumulate);
        else if (M <= FEW_ROWS) abTFewRows(c, a, w, M, accumulate);
        else packed(c, a, K, 1, (packed, at, n0, n1, k0, k1) -> packRowsOfW(packed, at, w, n0, n1, k0, k1), M, K, N, accumulate, false);
    }

    /**
     * Up to this many rows of A, a quantized W is widened in registers as each row meets it (decoding);
     * more rows share one widened copy of W's rows per four, since widening then costs more than a load.
     * Measured (1 thread, Q8_0 256 × 2048, GFLOP/s): fused 55/57/57 at M = 1/2/3, widened 54/31/39; at M = 4
     * the widened path does 53, 87 at M = 8.
     */
    private static final int QUANT_FUSED_ROWS = 3;

    /** C (M,N) (+)= A (M,K) · W with W a frozen (K,N) matrix: the input gradient dY·W through a frozen weight. */
    public static void ab(float[] c, float[] a, FrozenMatrix w, int M, boolean accumulate) {
        int K = w.rows(), N = w.cols();
        if (!Simd.ENABLED) abScalar(c, a, w, M, accumulate);
        else packed(c, a, K, 1, (packed, at, n0, n1, k0, k1) -> packColumnsOfW(packed, at, w, n0, n1, k0, k1), M, K, N, accumulate, false);
    }

    /** Reference for {@link #abT(float[], float[], FrozenMatrix, int, boolean)}. */
    public static void abTScalar(float[] c, float[] a, FrozenMatrix w, int M, boolean accumulate) {
        int N = w.rows(), K = w.cols();
        for (int m = 0; m < M; m++) {
            for (int n = 0; n < N; n++) {
                float sum = 0;
                for (int k = 0; k < K; k++) sum += a[m * K + k] * w.get(n, k);
                c[m * N + n] = accumulate ? c[m * N + n] + sum : sum;
            }
        }
    }

    /** Reference for {@link #ab(float[], float[], FrozenMatrix, int, boolean)}. */
    public static void abScalar(float[] c, float[] a, FrozenMatrix w, int M, boolean accumulate) {
        int K = w.rows(), N = w.cols();
        for (int m = 0; m < M; m++) {
            for (int n = 0; n < N; n++) {
                float sum = 0;
                for (int k = 0; k < K; k++) sum += a[m * K + k] * w.get(k, n);
                c[m * N + n] = accumulate ? c[m * N + n] + sum : sum;
            }
        }
    }

    /**
     * abT with a frozen W for a few rows of A (decoding): four rows of W at a time are widened into a
     * per-thread buffer and meet every row of A there, with the kernels of the float32 path.
     */
    public static void abTFewRows(float[] c, float[] a, FrozenMatrix w, int M, boolean accumulate) {
        int N = w.rows(), K = w.cols();
        int quads = (N + 3) / 4;
        int grain = Math.max(1, 16384 / Math.max(1, M * K));
        Parallel.forRange(quads, grain, (start, end) -> {
            float[] rows = buffer(WIDE_ROWS, 4 * K);
            for (int q = start; q < end; q++) {
                int n = 4 * q, count = Math.min(4, N - n);
                for (int j = 0; j < count; j++) w.widen(n + j, 0, K, rows, j * K);
                if (count == 4) {
                    int m = 0;
                    for (; m + 4 <= M; m += 4) dot4x4(c, a, rows, 0, K, N, m, n, accumulate);
                    for (; m < M; m++) dot1x4(c, a, rows, 0, K, N, m, n, accumulate);
                } else {
                    for (int m = 0; m < M; m++) {
                        for (int j = 0; j < count; j++) {
                            float dot = Simd.dotVector(a, m * K, rows, j * K, K);
                            c[m * N + n + j] = accumulate ? c[m * N + n + j] + dot : dot;
                        }
                    }
                }
            }
        });
    }

    /** Rows of a frozen W widened for packing, per thread. */
    private static final ThreadLocal<float[]> WIDE_ROWS = ThreadLocal.withInitial(() -> new float[0]);

    /** {@link #packB} for B(k, n) = W(n, k): micro-panel column j is row n + j of W, widened, then laid in at stride NR. */
    private static void packRowsOfW(float[] packed, int at, FrozenMatrix w, int n0, int n1, int k0, int k1) {
        int kc = k1 - k0;
        float[] row = buffer(WIDE_ROWS, kc);
        for (int n = n0; n < n1; n += NR) {
            int base = at + (n - n0) * kc, cols = Math.min(NR, n1 - n);
            for (int j = 0; j < NR; j++) {
                if (j < cols) {
                    w.widen(n + j, k0, kc, row, 0);
                    for (int k = 0; k < kc; k++) packed[base + k * NR + j] = row[k];
                } else {
                    for (int k = 0; k < kc; k++) packed[base + k * NR + j] = 0f;
                }
            }
        }
    }

    /** {@link #packB} for B(k, n) = W(k, n): each k of a micro-panel is a run of row k of W, widened in place. */
    private static void packColumnsOfW(float[] packed, int at, FrozenMatrix w, int n0, int n1, int k0, int k1) {
        int kc = k1 - k0;
        for (int n = n0; n < n1; n += NR) {
            int base = at + (n - n0) * kc, cols = Math.min(NR, n1 - n);
            for (int k = k0; k < k1; k++) {
                int row = base + (k - k0) * NR;
                w.widen(k, n, cols, packed, row);
                for (int j = cols; j < NR; j++) packed[row + j] = 0f;
            }
        }
    }

    /**
     * The register tile, per vector width. On AVX2 (8 lanes, 16 registers) and 128-bit vectors: four
     * rows of A against two vectors of columns, eight accumulators; even if C2 hoists all four
     * broadcasts the tile needs only 14 of AVX2's 16 registers. (A six-row tile was tried on AVX2: C2
     * schedules its six broadcasts first and spills an accumulator, which makes it 40% slower.) On
     * AVX-512 (16 lanes, 32 registers): six rows against four vectors, 24 accumulators + 4 B vectors + a
     * broadcast, enough independent FMAs to hide their latency. Measured on Zen 5, 2 threads, one sitting
     * (GFLOP/s, 1024×2048×2048 abT / 512×768×768 aTb): 4×2 395/392, 6×4 410/439, 4×4 415/430, 8×3
     * 278/348 (C2 spills). The tile does not change any sum: each element of C is still one FMA chain
     * along a K block, so results are the same at every tile.
     */
    private static final int MR = Simd.LANES == 16 ? 6 : 4;
    /** The register tile's rows and columns, and the packed A's stride along K, for the kernel benchmark. */
    static int rowBlock() {
        return ROW_BLOCK;
    }

    static int tileRows() {
        return MR;
    }

    static int tileColumns() {
        return NR;
    }

    /** Vectors of columns per micro-panel. */
    private static final int NV = Simd.LANES == 16 ? 4 : 2;
    private static final int NR = NV * Simd.LANES;
    /**
     * Columns of B per shared panel: up to 2048 × 384 floats, 3 MB, in L3. Each pass over a row block reads
     * the panel once (63 FLOPs per byte), while A is packed again for every panel, so wide panels pay.
     */
    private static final int PANEL_N = 2048;
    /** Rows of A packed at a time, a multiple of MR: ROW_BLOCK × BLOCK_K floats, about 192 KB, stay in L2. */
    private static final int ROW_BLOCK = 128 / MR * MR;
    /** One K block up to 384, so common model widths (288, 384) make a single pass over C. */
    private static final int BLOCK_K = 384;
    /**
     * Deeper K blocks for wide products on AVX-512 (L2 of 1 MB or more): each K block sweeps C once
     * more, and a wide C is megabytes. 1024×2048×2048, in one JVM against 384: 1.03, 1.04 and 1.02 times
     * as fast for abt, ab and atb; blocks of 768 no faster than 512. Narrower products keep 384: the small
     * preset's step (weight gradients 288 and 768 wide, K = 2048) was 2% slower with 512 throughout.
     */
    private static final int WIDE_BLOCK_K = 512, WIDE_N = 1024;
    /**
     * Columns of a transposed block's edges written together ({@link #transposeBlock}): for a B micro-panel,
     * K rows of it at a time. One column at a time down the whole K block wrote each line of the panel (too
     * big for L1) once per column.
     */
    private static final int TRANSPOSE_K = 16;

    /** Each thread keeps its packing buffers across calls, so steady-state GEMMs allocate nothing. */
    private static final ThreadLocal<float[]> PACK_A = ThreadLocal.withInitial(() -> new float[0]);
    /** The caller's shared B panel: the threads that help it pack into it and read it. */
    private static final ThreadLocal<float[]> SHARED_B = ThreadLocal.withInitial(() -> new float[0]);

    private static float[] buffer(ThreadLocal<float[]> local, int size) {
        float[] buffer = local.get();
        if (buffer.length < size) {
            buffer = new float[size];
            local.set(buffer);
        }
        return buffer;
    }

    private static final ThreadLocal<float[]> SQUARE = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> TAIL = ThreadLocal.withInitial(() -> new float[MR * NR]);
    /** A row block's rows after its last whole MR, packed as one zero-padded micro-panel. */
    private static final ThreadLocal<float[]> REST_ROWS = ThreadLocal.withInitial(() -> new float[0]);

    /**
     * Packs B's columns n0..n1, rows k0..k1, as micro-panels NR columns wide: micro-panel j holds
     * {@code packed[j·NR·kc + (k − k0)·NR + i] = B(k, n0 + j·NR + i)}, so a kernel reads it front to back.
     * Padding columns are 0.
     */
    private static void packB(float[] packed, int at, float[] b, int bK, int bN, int n0, int n1, int k0, int k1) {
        int kc = k1 - k0;
        for (int n = n0; n < n1; n += NR) {
            int base = at + (n - n0) * kc, cols = Math.min(NR, n1 - n);
            if (bN == 1 && cols == NR && Simd.ENABLED) {
                // a whole micro-panel's row is NV vectors: copied by vectors, not by a call per row
                for (int k = k0, row = base, from = k0 * bK + n; k < k1; k++, row += NR, from += bK) {
                    for (int v = 0; v < NR; v += Simd.LANES) FloatVector.fromArray(Simd.F, b, from + v).intoArray(packed, row + v);
                }
            } else if (bN == 1) {
                for (int k = k0; k < k1; k++) {
                    int row = base + (k - k0) * NR;
                    System.arraycopy(b, k * bK + n, packed, row, cols);
                    for (int j = cols; j < NR; j++) packed[row + j] = 0f;
                }
            } else {
                transposeBlock(b, n * bN + k0 * bK, bN, bK, cols, kc, packed, base, NR);
                if (cols < NR) {
                    for (int k = 0; k < kc; k++) java.util.Arrays.fill(packed, base + k * NR + cols, base + (k + 1) * NR, 0f);
                }
            }
        }
    }

    /**
     * dst[to + c·dstStride + r] = src[from + r·rowStride + c·colStride] for r < rows, c < cols: a block
     * written transposed. Where its rows are contiguous (colStride 1), whole LANES × LANES squares go by
     * vectors ({@link #transpose}); the edges, and any other strides, one element at a time, TRANSPOSE_K
     * columns at a time, so that the destination lines they fill stay in L1.
     */
    static void transposeBlock(float[] src, int from, int rowStride, int colStride, int rows, int cols,
                                       float[] dst, int to, int dstStride) {
        int L = Simd.LANES;
        boolean squares = Simd.ENABLED && colStride == 1;
        int squareRows = squares ? rows / L * L : 0, squareCols = squares ? cols / L * L : 0;
        float[] square = squares ? buffer(SQUARE, L * L) : null;
        for (int r = 0; r < squareRows; r += L) {
            for (int c = 0; c < squareCols; c += L) transpose(src, from + r * rowStride + c, rowStride, dst, to + c * dstStride + r, dstStride, square);
        }
        for (int cb = 0; cb < cols; cb += TRANSPOSE_K) {
            int cEnd = Math.min(cols, cb + TRANSPOSE_K);
            for (int r = 0; r < rows; r++) {
                int cStart = r < squareRows ? Math.max(cb, squareCols) : cb;
                for (int c = cStart, i = from + r * rowStride + c * colStride; c < cEnd; c++, i += colStride) dst[to + c * dstStride + r] = src[i];
            }
        }
    }

    /**
     * One LANES × LANES square transposed (see {@link #transposeSquare}), in registers at 16 lanes. (The
     * same at 8 lanes measured within noise of the scratch square on AVX2 code, 216–221 → 215–222 GFLOP/s.)
     */
    private static void transpose(float[] src, int from, int srcStride, float[] dst, int to, int dstStride, float[] square) {
        if (Simd.LANES == 16) transposeSixteen(src, from, srcStride, dst, to, dstStride);
        else transposeSquare(src, from, srcStride, dst, to, dstStride, square);
    }

    /**
     * dst[i·dstStride + j] = src[from + j·srcStride + i] for i, j < LANES: one square of B, read along its
     * contiguous axis, written transposed. A butterfly on a scratch square in L1 (vectors in an array would
     * be boxed): at each step h (LANES/2 down to 1), rows r and r + h swap the blocks of h lanes that are out
     * of place; after log2(LANES) steps row i holds column i.
     */
    private static void transposeSquare(float[] src, int from, int srcStride, float[] dst, int to, int dstStride, float[] square) {
        int L = Simd.LANES;
        for (int j = 0; j < L; j++) FloatVector.fromArray(Simd.F, src, from + j * srcStride).intoArray(square, j * L);
        for (int step = 0, h = L / 2; h >= 1; step++, h /= 2) {
            FloatVector low = FloatVector.fromArray(Simd.F, LOW_HALVES[step], 0), high = FloatVector.fromArray(Simd.F, HIGH_HALVES[step], 0);
            for (int r = 0; r < L; r++) {
                if ((r & h) != 0) continue;
                FloatVector x = FloatVector.fromArray(Simd.F, square, r * L), y = FloatVector.fromArray(Simd.F, square, (r + h) * L);
                low.selectFrom(x, y).intoArray(square, r * L);
                high.selectFrom(x, y).intoArray(square, (r + h) * L);
            }
        }
        for (int i = 0; i < L; i++) FloatVector.fromArray(Simd.F, square, i * L).intoArray(dst, to + i * dstStride);
    }

    /**
     * {@link #transposeSquare} at 16 lanes with the square held in sixteen registers: 64 two-source permutes
     * and no trips through L1. On Zen 5 (2 threads) abT rose from about 440 to 460 GFLOP/s at 512 × 768 × 768
     * and from 415–430 to 445–450 at 1024 × 2048 × 2048.
     */
    private static void transposeSixteen(float[] src, int from, int srcStride, float[] dst, int to, int dstStride) {
        var f = Simd.F;
        var r0 = FloatVector.fromArray(f, src, from + 0 * srcStride);
        var r1 = FloatVector.fromArray(f, src, from + 1 * srcStride);
        var r2 = FloatVector.fromArray(f, src, from + 2 * srcStride);
        var r3 = FloatVector.fromArray(f, src, from + 3 * srcStride);
        var r4 = FloatVector.fromArray(f, src, from + 4 * srcStride);
        var r5 = FloatVector.fromArray(f, src, from + 5 * srcStride);
        var r6 = FloatVector.fromArray(f, src, from + 6 * srcStride);
        var r7 = FloatVector.fromArray(f, src, from + 7 * srcStride);
        var r8 = FloatVector.fromArray(f, src, from + 8 * srcStride);
        var r9 = FloatVector.fromArray(f, src, from + 9 * srcStride);
        var r10 = FloatVector.fromArray(f, src, from + 10 * srcStride);
        var r11 = FloatVector.fromArray(f, src, from + 11 * srcStride);
        var r12 = FloatVector.fromArray(f, src, from + 12 * srcStride);
        var r13 = FloatVector.fromArray(f, src, from + 13 * srcStride);
        var r14 = FloatVector.fromArray(f, src, from + 14 * srcStride);
        var r15 = FloatVector.fromArray(f, src, from + 15 * srcStride);
        var low = FloatVector.fromArray(f, LOW_HALVES[0], 0);
        var high = FloatVector.fromArray(f, HIGH_HALVES[0], 0);
        FloatVector s0 = low.selectFrom(r0, r8), s8 = high.selectFrom(r0, r8);
        FloatVector s1 = low.selectFrom(r1, r9), s9 = high.selectFrom(r1, r9);
        FloatVector s2 = low.selectFrom(r2, r10), s10 = high.selectFrom(r2, r10);
        FloatVector s3 = low.selectFrom(r3, r11), s11 = high.selectFrom(r3, r11);
        FloatVector s4 = low.selectFrom(r4, r12), s12 = high.selectFrom(r4, r12);
        FloatVector s5 = low.selectFrom(r5, r13), s13 = high.selectFrom(r5, r13);
        FloatVector s6 = low.selectFrom(r6, r14), s14 = high.selectFrom(r6, r14);
        FloatVector s7 = low.selectFrom(r7, r15), s15 = high.selectFrom(r7, r15);
        low = FloatVector.fromArray(f, LOW_HALVES[1], 0);
        high = FloatVector.fromArray(f, HIGH_HALVES[1], 0);
        FloatVector t0 = low.selectFrom(s0, s4), t4 = high.selectFrom(s0, s4);
        FloatVector t1 = low.selectFrom(s1, s5), t5 = high.selectFrom(s1, s5);
        FloatVector t2 = low.selectFrom(s2, s6), t6 = high.selectFrom(s2, s6);
        FloatVector t3 = low.selectFrom(s3, s7), t7 = high.selectFrom(s3, s7);
        FloatVector t8 = low.selectFrom(s8, s12), t12 = high.selectFrom(s8, s12);
        FloatVector t9 = low.selectFrom(s9, s13), t13 = high.selectFrom(s9, s13);
        FloatVector t10 = low.selectFrom(s10, s14), t14 = high.selectFrom(s10, s14);
        FloatVector t11 = low.selectFrom(s11, s15), t15 = high.selectFrom(s11, s15);
        low = FloatVector.fromArray(f, LOW_HALVES[2], 0);
        high = FloatVector.fromArray(f, HIGH_HALVES[2], 0);
        FloatVector u0 = low.selectFrom(t0, t2), u2 = high.selectFrom(t0, t2);
        FloatVector u1 = low.selectFrom(t1, t3), u3 = high.selectFrom(t1, t3);
        FloatVector u4 = low.selectFrom(t4, t6), u6 = high.selectFrom(t4, t6);
        FloatVector u5 = low.selectFrom(t5, t7), u7 = high.selectFrom(t5, t7);
        FloatVector u8 = low.selectFrom(t8, t10), u10 = high.selectFrom(t8, t10);
        FloatVector u9 = low.selectFrom(t9, t11), u11 = high.selectFrom(t9, t11);
        FloatVector u12 = low.selectFrom(t12, t14), u14 = high.selectFrom(t12, t14);
        FloatVector u13 = low.selectFrom(t13, t15), u15 = high.selectFrom(t13, t15);
        low = FloatVector.fromArray(f, LOW_HALVES[3], 0);
        high = FloatVector.fromArray(f, HIGH_HALVES[3], 0);
        FloatVector v0 = low.selectFrom(u0, u1), v1 = high.selectFrom(u0, u1);
        FloatVector v2 = low.selectFrom(u2, u3), v3 = high.selectFrom(u2, u3);
        FloatVector v4 = low.selectFrom(u4, u5), v5 = high.selectFrom(u4, u5);
        FloatVector v6 = low.selectFrom(u6, u7), v7 = high.selectFrom(u6, u7);
        FloatVector v8 = low.selectFrom(u8, u9), v9 = high.selectFrom(u8, u9);
        FloatVector v10 = low.selectFrom(u10, u11), v11 = high.selectFrom(u10, u11);
        FloatVector v12 = low.selectFrom(u12, u13), v13 = high.selectFrom(u12, u13);
        FloatVector v14 = low.selectFrom(u14, u15), v15 = high.selectFrom(u14, u15);
        v0.intoArray(dst, to + 0 * dstStride);
        v1.intoArray(dst, to + 1 * dstStride);
        v2.intoArray(dst, to + 2 * dstStride);
        v3.intoArray(dst, to + 3 * dstStride);
        v4.intoArray(dst, to + 4 * dstStride);
        v5.intoArray(dst, to + 5 * dstStride);
        v6.intoArray(dst, to + 6 * dstStride);
        v7.intoArray(dst, to + 7 * dstStride);
        v8.intoArray(dst, to + 8 * dstStride);
        v9.intoArray(dst, to + 9 * dstStride);
        v10.intoArray(dst, to + 10 * dstStride);
        v11.intoArray(dst, to + 11 * dstStride);
        v12.intoArray(dst, to + 12 * dstStride);
        v13.intoArray(dst, to + 13 * dstStride);
        v14.intoArray(dst, to + 14 * dstStride);
        v15.intoArray(dst, to + 15 * dstStride);
    }

    /**
     * The butterfly's lane selections, per step h, as index vectors for {@code selectFrom(x, y)}, which reads
     * x and y as one vector of 2·LANES lanes: lane l of the low result takes x[l] where bit h of l is clear,
     * else y[l − h]; of the high result, x[l + h], else y[l]. (One two-source permute each: the two-source
     * {@code rearrange} is two permutes and a blend.)
     */
    private static final float[][] LOW_HALVES = halves(true), HIGH_HALVES = halves(false);

    private static float[][] halves(boolean low) {
        int L = Simd.LANES;
        float[][] steps = new float[Integer.numberOfTrailingZeros(L)][L];
        for (int step = 0, h = L / 2; h >= 1; step++, h /= 2) {
            for (int l = 0; l < L; l++) {
                boolean fromX = (l & h) == 0;
                steps[step][l] = low ? (fromX ? l : L + l - h) : (fromX ? l + h : L + l);
            }
        }
        return steps;
    }

    /**
     * packed[(k − k0)·ROW_BLOCK + (m − m0)] = A(m, k), for at most ROW_BLOCK rows: A's block k-major, so a
     * tile reads its MR values for each k from one run, and the kernels step a constant ROW_BLOCK per k
     * (a stride known to the JIT lets it drop the bounds checks from their loops). Stored (K,M), A's rows are
     * copied as they are; otherwise the block is transposed ({@link #transposeBlock}). (The classic MR-interleaved
     * micro-panels cost a scalar gather per element to pack.)
     */
    private static void packKMajor(float[] packed, float[] a, int aRow, int aCol, int m0, int m1, int k0, int k1) {
        int width = m1 - m0;
        if (aRow == 1) {
            for (int k = k0; k < k1; k++) System.arraycopy(a, k * aCol + m0, packed, (k - k0) * ROW_BLOCK, width);
        } else {
            transposeBlock(a, m0 * aRow + k0 * aCol, aRow, aCol, width, k1 - k0, packed, 0, ROW_BLOCK);
        }
    }

    /** Rows m..m+rows (fewer than MR) of A, columns k0..k1, laid out as {@link #packKMajor} lays a tile, the missing rows zero. */
    private static float[] packRest(float[] a, int aRow, int aCol, int m, int rows, int k0, int k1) {
        int kc = k1 - k0;
        float[] packed = buffer(REST_ROWS, ROW_BLOCK * kc);
        for (int k = k0, to = 0; k < k1; k++, to += ROW_BLOCK) {
            for (int r = 0; r < MR; r++) packed[to + r] = r < rows ? a[(m + r) * aRow + k * aCol] : 0f;
        }
        return packed;
    }

    /**
     * The register tile for this vector width (MR, NV are constants, so the JIT keeps one branch): C's MR × NR
     * block from c[cOff] (rows N apart) = the addend's block from addend[addOff] (rows addRow apart) + the tile's
     * rows of A, MR values at packedA[aOff + i·ROW_BLOCK] for each step i along K, times the B micro-panel from
     * packedB[bOff], NR values per step. The addend is C itself, or {@link #ZEROS} with addRow 0 where C is
     * overwritten: then C is only written, and needs neither zeroing first nor reading, with no branch in
     * the kernel (see {@link #multiply}) and the same sums, since 0 + x is what the zeroed C gave. Each kernel
     * spells out its own last step, row by row: a helper taking a row's accumulators was not inlined, so
     * every vector was boxed, and the products took 16 times as long.
     */
    static void tile(float[] c, int cOff, int N, float[] addend, int addOff, int addRow, float[] packedA, int aOff,
                     float[] packedB, int bOff, int kc) {
        if (MR == 6) kernel6x4(c, cOff, N, addend, addOff, addRow, packedA, aOff, packedB, bOff, kc);
        else kernel4x2(c, cOff, N, addend, addOff, addRow, packedA, aOff, packedB, bOff, kc);
    }

    private static void kernel4x2(float[] c, int cOff, int N, float[] addend, int addOff, int addRow,
                                  float[] packedA, int aOff, float[] packedB, int bOff, int kc) {
        var f = Simd.F;
        int L = Simd.LANES;
        var c00 = FloatVector.zero(f);
        var c01 = FloatVector.zero(f);
        var c10 = FloatVector.zero(f);
        var c11 = FloatVector.zero(f);
        var c20 = FloatVector.zero(f);
        var c21 = FloatVector.zero(f);
        var c30 = FloatVector.zero(f);
        var c31 = FloatVector.zero(f);
        for (int i = 0; i < kc; i++) {
            int p = bOff + i * NR, q = aOff + i * ROW_BLOCK;
            var b0 = FloatVector.fromArray(f, packedB, p);
            var b1 = FloatVector.fromArray(f, packedB, p + L);
            var av = FloatVector.broadcast(f, packedA[q]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(f, packedA[q + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(f, packedA[q + 2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(f, packedA[q + 3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
        }
        int o = cOff, s = addOff;
        c00.add(FloatVector.fromArray(f, addend, s)).intoArray(c, o);
        c01.add(FloatVector.fromArray(f, addend, s + L)).intoArray(c, o + L);
        o += N;
        s += addRow;
        c10.add(FloatVector.fromArray(f, addend, s)).intoArray(c, o);
        c11.add(FloatVector.fromArray(f, addend, s + L)).intoArray(c, o + L);
        o += N;
        s += addRow;
        c20.add(FloatVector.fromArray(f, addend, s)).intoArray(c, o);
        c21.add(FloatVector.fromArray(f, addend, s + L)).intoArray(c, o + L);
        o += N;
        s += addRow;
        c30.add(FloatVector.fromArray(f, addend, s)).intoArray(c, o);
        c31.add(FloatVector.fromArray(f, addend, s + L)).intoArray(c, o + L);
    }

    /** {@link #tile} reading A where it lies, stored (M,K) with rows aRow apart (see {@link #kernel6x4InPlace}). */
    private static void tileInPlace(float[] c, int cOff, int N, float[] addend, int addOff, int addRow,
                                    float[] a, int aOff, int aRow, float[] packedB, int bOff, int kc) {
        if (MR == 6) kernel6x4InPlace(c, cOff, N, addend, addOff, addRow, a, aOff, aRow, packedB, bOff, kc);
        else kernel4x2InPlace(c, cOff, N, addend, addOff, addRow, a, aOff, aRow, packedB, bOff, kc);
    }

    /** {@link #kernel4x2} reading A in place, as {@link #kernel6x4InPlace} does. */
    private static void kernel4x2InPlace(float[] c, int cOff, int N, float[] addend, int addOff, int addRow,
                                         float[] a, int aOff, int aRow, float[] packedB, int bOff, int kc) {
        var f = Simd.F;
        int L = Simd.LANES;
        var c00 = FloatVector.zero(f);
        var c01 = FloatVector.zero(f);
        var c10 = FloatVector.zero(f);
        var c11 = FloatVector.zero(f);
        var c20 = FloatVector.zero(f);
        var c21 = FloatVector.zero(f);
        var c30 = FloatVector.zero(f);
        var c31 = FloatVector.zero(f);
        int a0 = aOff, a1 = a0 + aRow, a2 = a1 + aRow, a3 = a2 + aRow;
        for (int i = 0; i < kc; i++) {
            int p = bOff + i * NR;
            var b0 = FloatVector.fromArray(f, packedB, p);
            var b1 = FloatVector.fromArray(f, packedB, p + L);
            var av = FloatVector.broadcast(f, a[a0 + i]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(f, a[a1 + i]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(f, a[a2 + i]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(f, a[a3 + i]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
        }
        int o = cOff, s = addOff;
        c00.add(FloatVector.fromArray(f, addend, s)).intoArray(c, o);
        c01.add(FloatVector.fromArray(f, addend, s + L)).intoArray(c, o + L);
        o += N;
        s += addRow;
        c10.add(FloatVector.fromArray(f, addend, s)).intoArray(c, o);
        c11.add(FloatVector.fromArray(f, addend, s + L)).intoArray(c, o + L);
        o += N;
        s += addRow;
        c20.add(FloatVector.fromArray(f, addend, s)).intoArray(c, o);
        c21.add(FloatVector.fromArray(f, addend, s + L)).intoArray(c, o + L);
        o += N;
        s += addRow;
        c30.add(FloatVector.fromArray(f, addend, s)).intoArray(c, o);
        c31.add(FloatVector.fromArray(f, addend, s + L)).intoArray(c, o + L);
    }

    /** AVX-512's tile: six broadcasts of A against four vectors of B, 24 accumulators (see {@link #MR}). */
    private static void kernel6x4(float[] c, int cOff, int N, float[] addend, int addOff, int addRow,
                                  float[] packedA, int aOff, float[] packedB, int bOff, int kc) {
        var f = Simd.F;
        int L = Simd.LANES;
        var c00 = FloatVector.zero(f);
        var c01 = FloatVector.zero(f);
        var c02 = FloatVector.zero(f);
        var c03 = FloatVector.zero(f);
        var c10 = FloatVector.zero(f);
        var c11 = FloatVector.zero(f);
        var c12 = FloatVector.zero(f);
        var c13 = FloatVector.zero(f);
        var c20 = FloatVector.zero(f);
        var c21 = FloatVector.zero(f);
        var c22 = FloatVector.zero(f);
        var c23 = FloatVector.zero(f);
        var c30 = FloatVector.zero(f);
        var c31 = FloatVector.zero(f);
        var c32 = FloatVector.zero(f);
        var c33 = FloatVector.zero(f);
        var c40 = FloatVector.zero(f);
        var c41 = FloatVector.zero(f);
        var c42 = FloatVector.zero(f);
        var c43 = FloatVector.zero(f);
        var c50 = FloatVector.zero(f);
        var c51 = FloatVector.zero(f);
        var c52 = FloatVector.zero(f);
        var c53 = FloatVector.zero(f);
        for (int i = 0; i < kc; i++) {
            int p = bOff + i * NR, q = aOff + i * ROW_BLOCK;
            var b0 = FloatVector.fromArray(f, packedB, p);
            var b1 = FloatVector.fromArray(f, packedB, p + 1 * L);
            var b2 = FloatVector.fromArray(f, packedB, p + 2 * L);
            var b3 = FloatVector.fromArray(f, packedB, p + 3 * L);
            var av = FloatVector.broadcast(f, packedA[q]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            c02 = av.fma(b2, c02);
            c03 = av.fma(b3, c03);
            av = FloatVector.broadcast(f, packedA[q + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            c12 = av.fma(b2, c12);
            c13 = av.fma(b3, c13);
            av = FloatVector.broadcast(f, packedA[q + 2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            c22 = av.fma(b2, c22);
            c23 = av.fma(b3, c23);
            av = FloatVector.broadcast(f, packedA[q + 3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            c32 = av.fma(b2, c32);
            c33 = av.fma(b3, c33);
            av = FloatVector.broadcast(f, packedA[q + 4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            c42 = av.fma(b2, c42);
            c43 = av.fma(b3, c43);
            av = FloatVector.broadcast(f, packedA[q + 5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
            c52 = av.fma(b2, c52);
            c53 = av.fma(b3, c53);
        }
        int o = cOff, s = addOff;
        c00.add(FloatVector.fromArray(f, addend, s)).intoArray(c, o);
        c01.add(FloatVector.fromArray(f, addend, s + L)).intoArray(c, o + L);
        c02.add(FloatVector.fromArray(f, addend, s + 2 * L)).intoArray(c, o + 2 * L);
        c03.add(FloatVector.fromArray(f, addend, s + 3 * L)).intoArray(c, o + 3 * L);
        o += N;
        s += addRow;
        c10.add(FloatVector.fromArray(f, addend, s)).intoArray(c, o);
        c11.add(FloatVector.fromArray(f, addend, s + L)).intoArray(c, o + L);
        c12.add(FloatVector.fromArray(f, addend, s + 2 * L)).intoArray(c, o + 2 * L);
        c13.add(FloatVector.fromArray(f, addend, s + 3 * L)).intoArray(c, o + 3 * L);
        o += N;
        s += addRow;
        c20.add(FloatVector.fromArray(f, addend, s)).intoArray(c, o);
        c21.add(FloatVector.fromArray(f, addend, s + L)).intoArray(c, o + L);
        c22.add(FloatVector.fromArray(f, addend, s + 2 * L)).intoArray(c, o + 2 * L);
        c23.add(FloatVector.fromArray(f, addend, s + 3 * L)).intoArray(c, o + 3 * L);
        o += N;
        s += addRow;
        c30.add(FloatVector.fromArray(f, addend, s)).intoArray(c, o);
        c31.add(FloatVector.fromArray(f, addend, s + L)).intoArray(c, o + L);
        c32.add(FloatVector.fromArray(f, addend, s + 2 * L)).intoArray(c, o + 2 * L);
        c33.add(FloatVector.fromArray(f, addend, s + 3 * L)).intoArray(c, o + 3 * L);
        o += N;
        s += addRow;
        c40.add(FloatVector.fromArray(f, addend, s)).intoArray(c, o);
        c41.add(FloatVector.fromArray(f, addend, s + L)).intoArray(c, o + L);
        c42.add(FloatVector.fromArray(f, addend, s + 2 * L)).intoArray(c, o + 2 * L);
        c43.add(FloatVector.fromArray(f, addend, s + 3 * L)).intoArray(c, o + 3 * L);
        o += N;
        s += addRow;
        c50.add(FloatVector.fromArray(f, addend, s)).intoArray(c, o);
        c51.add(FloatVector.fromArray(f, addend, s + L)).intoArray(c, o + L);
        c52.add(FloatVector.fromArray(f, addend, s + 2 * L)).intoArray(c, o + 2 * L);
        c53.add(FloatVector.fromArray(f, addend, s + 3 * L)).intoArray(c, o + 3 * L);
    }

    /**
     * AVX-512's half tile: the left half of {@link #kernel6x4} for a panel that ends half a micro-panel in,
     * as 288 = 4·64 + 32 (the small preset's width) does: 12 accumulators, no padded columns computed,
     * and the same FMA chain per element as the full tile.
     */
    private static void kernel6x2(float[] c, int cOff, int N, float[] addend, int addOff, int addRow,
                                  float[] packedA, int aOff, float[] packedB, int bOff, int kc) {
        var f = Simd.F;
        int L = Simd.LANES;
        var c00 = FloatVector.zero(f);
        var c01 = FloatVector.zero(f);
        var c10 = FloatVector.zero(f);
        var c11 = FloatVector.zero(f);
        var c20 = FloatVector.zero(f);
        var c21 = FloatVector.zero(f);
        var c30 = FloatVector.zero(f);
        var c31 = FloatVector.zero(f);
        var c40 = FloatVector.zero(f);
        var c41 = FloatVector.zero(f);
        var c50 = FloatVector.zero(f);
        var c51 = FloatVector.zero(f);
        for (int i = 0; i < kc; i++) {
            int p = bOff + i * NR, q = aOff + i * ROW_BLOCK;
            var b0 = FloatVector.fromArray(f, packedB, p);
            var b1 = FloatVector.fromArray(f, packedB, p + L);
            var av = FloatVector.broadcast(f, packedA[q]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(f, packedA[q + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(f, packedA[q + 2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(f, packedA[q + 3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(f, packedA[q + 4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(f, packedA[q + 5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
        }
        int o = cOff, s = addOff;
        c00.add(FloatVector.fromArray(f, addend, s)).intoArray(c, o);
        c01.add(FloatVector.fromArray(f, addend, s + L)).intoArray(c, o + L);
        o += N;
        s += addRow;
        c10.add(FloatVector.fromArray(f, addend, s)).intoArray(c, o);
        c11.add(FloatVector.fromArray(f, addend, s + L)).intoArray(c, o + L);
        o += N;
        s += addRow;
        c20.add(FloatVector.fromArray(f, addend, s)).intoArray(c, o);
        c21.add(FloatVector.fromArray(f, addend, s + L)).intoArray(c, o + L);
        o += N;
        s += addRow;
        c30.add(FloatVector.fromArray(f, addend, s)).intoArray(c, o);
        c31.add(FloatVector.fromArray(f, addend, s + L)).intoArray(c, o + L);
        o += N;
        s += addRow;
        c40.add(FloatVector.fromArray(f, addend, s)).intoArray(c, o);
        c41.add(FloatVector.fromArray(f, addend, s + L)).intoArray(c, o + L);
        o += N;
        s += addRow;
        c50.add(FloatVector.fromArray(f, addend, s)).intoArray(c, o);
        c51.add(FloatVector.fromArray(f, addend, s + L)).intoArray(c, o + L);
    }

    /**
     * {@link #kernel6x4} reading A where it lies, stored (M,K) with rows aRow apart: A(m + r, k0 + i) at
     * a[aOff + r·aRow + i]. For the products whose A is stored so (the forward x·Wᵀ and the input gradient
     * dY·W), packing A meant transposing it: 5% of a small-preset training step. The same FMA chain per
     * element, so the same sums. (A kernel of its own rather than a stride parameter: the JIT drops the
     * bounds checks only for a constant step along K.)
     */
    private static void kernel6x4InPlace(float[] c, int cOff, int N, float[] addend, int addOff, int addRow,
                                         float[] a, int aOff, int aRow, float[] packedB, int bOff, int kc) {
        var f = Simd.F;
        int L = Simd.LANES;
        var c00 = FloatVector.zero(f);
        var c01 = FloatVector.zero(f);
        var c02 = FloatVector.zero(f);
        var c03 = FloatVector.zero(f);
        var c10 = FloatVector.zero(f);
        var c11 = FloatVector.zero(f);
        var c12 = FloatVector.zero(f);
        var c13 = FloatVector.zero(f);
        var c20 = FloatVector.zero(f);
        var c21 = FloatVector.zero(f);
        var c22 = FloatVector.zero(f);
        var c23 = FloatVector.zero(f);
        var c30 = FloatVector.zero(f);
        var c31 = FloatVector.zero(f);
        var c32 = FloatVector.zero(f);
        var c33 = FloatVector.zero(f);
        var c40 = FloatVector.zero(f);
        var c41 = FloatVector.zero(f);
        var c42 = FloatVector.zero(f);
        var c43 = FloatVector.zero(f);
        var c50 = FloatVector.zero(f);
        var c51 = FloatVector.zero(f);
        var c52 = FloatVector.zero(f);
        var c53 = FloatVector.zero(f);
        int a0 = aOff, a1 = a0 + aRow, a2 = a1 + aRow, a3 = a2 + aRow, a4 = a3 + aRow, a5 = a4 + aRow;
        for (int i = 0; i < kc; i++) {
            int p = bOff + i * NR;
            var b0 = FloatVector.fromArray(f, packedB, p);
            var b1 = FloatVector.fromArray(f, packedB, p + 1 * L);
            var b2 = FloatVector.fromArray(f, packedB, p + 2 * L);
            var b3 = FloatVector.fromArray(f, packedB, p + 3 * L);
            var av = FloatVector.broadcast(f, a[a0 + i]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            c02 = av.fma(b2, c02);
            c03 = av.fma(b3, c03);
            av = FloatVector.broadcast(f, a[a1 + i]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            c12 = av.fma(b2, c12);
            c13 = av.fma(b3, c13);
            av = FloatVector.broadcast(f, a[a2 + i]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            c22 = av.fma(b2, c22);
            c23 = av.fma(b3, c23);
            av = FloatVector.broadcast(f, a[a3 + i]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            c32 = av.fma(b2, c32);
            c33 = av.fma(b3, c33);
            av = FloatVector.broadcast(f, a[a4 + i]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            c42 = av.fma(b2, c42);
            c43 = av.fma(b3, c43);
            av = FloatVector.broadcast(f, a[a5 + i]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
            c52 = av.fma(b2, c52);
            c53 = av.fma(b3, c53);
        }
        int o = cOff, s = addOff;
        c00.add(FloatVector.fromArray(f, addend, s)).intoArray(c, o);
        c01.add(FloatVector.fromArray(f, addend, s + L)).intoArray(c, o + L);
        c02.add(FloatVector.fromArray(f, addend, s + 2 * L)).intoArray(c, o + 2 * L);
        c03.add(FloatVector.fromArray(f, addend, s + 3 * L)).intoArray(c, o + 3 * L);
        o += N;
        s += addRow;
        c10.add(FloatVector.fromArray(f, addend, s)).intoArray(c, o);
        c11.add(FloatVector.fromArray(f, addend, s + L)).intoArray(c, o + L);
        c12.add(FloatVector.fromArray(f, addend, s + 2 * L)).intoArray(c, o + 2 * L);
        c13.add(FloatVector.fromArray(f, addend, s + 3 * L)).intoArray(c, o + 3 * L);
        o += N;
        s += addRow;
        c20.add(FloatVector.fromArray(f, addend, s)).intoArray(c, o);
        c21.add(FloatVector.fromArray(f, addend, s + L)).intoArray(c, o + L);
        c22.add(FloatVector.fromArray(f, addend, s + 2 * L)).intoArray(c, o + 2 * L);
        c23.add(FloatVector.fromArray(f, addend, s + 3 * L)).intoArray(c, o + 3 * L);
        o += N;
        s += addRow;
        c30.add(FloatVector.fromArray(f, addend, s)).intoArray(c, o);
        c31.add(FloatVector.fromArray(f, addend, s + L)).intoArray(c, o + L);
        c32.add(FloatVector.fromArray(f, addend, s + 2 * L)).intoArray(c, o + 2 * L);
        c33.add(FloatVector.fromArray(f, addend, s + 3 * L)).intoArray(c, o + 3 * L);
        o += N;
        s += addRow;
        c40.add(FloatVector.fromArray(f, addend, s)).intoArray(c, o);
        c41.add(FloatVector.fromArray(f, addend, s + L)).intoArray(c, o + L);
        c42.add(FloatVector.fromArray(f, addend, s + 2 * L)).intoArray(c, o + 2 * L);
        c43.add(FloatVector.fromArray(f, addend, s + 3 * L)).intoArray(c, o + 3 * L);
        o += N;
        s += addRow;
        c50.add(FloatVector.fromArray(f, addend, s)).intoArray(c, o);
        c51.add(FloatVector.fromArray(f, addend, s + L)).intoArray(c, o + L);
        c52.add(FloatVector.fromArray(f, addend, s + 2 * L)).intoArray(c, o + 2 * L);
        c53.add(FloatVector.fromArray(f, addend, s + 3 * L)).intoArray(c, o + 3 * L);
    }

    /** {@link #kernel6x2} reading A in place, as {@link #kernel6x4InPlace} does. */
    private static void kernel6x2InPlace(float[] c, int cOff, int N, float[] addend, int addOff, int addRow,
                                         float[] a, int aOff, int aRow, float[] packedB, int bOff, int kc) {
        var f = Simd.F;
        int L = Simd.LANES;
        var c00 = FloatVector.zero(f);
        var c01 = FloatVector.zero(f);
        var c10 = FloatVector.zero(f);
        var c11 = FloatVector.zero(f);
        var c20 = FloatVector.zero(f);
        var c21 = FloatVector.zero(f);
        var c30 = FloatVector.zero(f);
        var c31 = FloatVector.zero(f);
        var c40 = FloatVector.zero(f);
        var c41 = FloatVector.zero(f);
        var c50 = FloatVector.zero(f);
        var c51 = FloatVector.zero(f);
        int a0 = aOff, a1 = a0 + aRow, a2 = a1 + aRow, a3 = a2 + aRow, a4 = a3 + aRow, a5 = a4 + aRow;
        for (int i = 0; i < kc; i++) {
            int p = bOff + i * NR;
            var b0 = FloatVector.fromArray(f, packedB, p);
            var b1 = FloatVector.fromArray(f, packedB, p + L);
            var av = FloatVector.broadcast(f, a[a0 + i]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(f, a[a1 + i]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(f, a[a2 + i]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(f, a[a3 + i]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(f, a[a4 + i]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(f, a[a5 + i]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
        }
        int o = cOff, s = addOff;
        c00.add(FloatVector.fromArray(f, addend, s)).intoArray(c, o);
        c01.add(FloatVector.fromArray(f, addend, s + L)).intoArray(c, o + L);
        o += N;
        s += addRow;
        c10.add(FloatVector.fromArray(f, addend, s)).intoArray(c, o);
        c11.add(FloatVector.fromArray(f, addend, s + L)).intoArray(c, o + L);
        o += N;
        s += addRow;
        c20.add(FloatVector.fromArray(f, addend, s)).intoArray(c, o);
        c21.add(FloatVector.fromArray(f, addend, s + L)).intoArray(c, o + L);
        o += N;
        s += addRow;
        c30.add(FloatVector.fromArray(f, addend, s)).intoArray(c, o);
        c31.add(FloatVector.fromArray(f, addend, s + L)).intoArray(c, o + L);
        o += N;
        s += addRow;
        c40.add(FloatVector.fromArray(f, addend, s)).intoArray(c, o);
        c41.add(FloatVector.fromArray(f, addend, s + L)).intoArray(c, o + L);
        o += N;
        s += addRow;
        c50.add(FloatVector.fromArray(f, addend, s)).intoArray(c, o);
        c51.add(FloatVector.fromArray(f, addend, s + L)).intoArray(c, o + L);
    }

    /**
     * A partial tile: {@code rows} ≤ MR rows from m, columns n..n1 (fewer than NR where a panel ends; packed A
     * and B are zero beyond them). The full register tile runs into a scratch tile, whose part is then added
     * into C. Each sum is the same FMA chain the tile would add into C, so results do not depend on
     * where a panel or a row range ends. (Padding costs less than a narrower kernel's lost FMA throughput:
     * at N = 288, the small preset's width, the partial micro-panel is a ninth of the work, and one FMA
     * chain at a time ran it at an eighth of the speed.)
     */
    private static void tileIntoPart(float[] c, float[] packedA, int aOff, float[] packedB, int bOff, int N, int m, int rows,
                                     int n, int n1, int kc, boolean overwrite) {
        float[] part = TAIL.get();
        tile(part, 0, NR, ZEROS, 0, 0, packedA, aOff, packedB, bOff, kc);
        putPart(c, part, N, m, rows, n, n1, overwrite);
    }

    /** A row of zeros as wide as a micro-panel: the addend of tiles whose C is overwritten (see {@link #tile}). */
    private static final float[] ZEROS = new float[NR];

    /**
     * C's rows m..m+rows, columns n..n1 (at most NR) += the scratch tile's, or = 0 + the scratch tile's where C is
     * overwritten (as the zeroed C of old gave, −0 included): a masked vector at a time with AVX-512's mask
     * registers, an element at a time on narrower vectors, as before (where masked loads and stores are
     * emulated; 4096×172×64 abT on an AVX2 stand-in gave no clear answer in this VM's noise).
     */
    private static void putPart(float[] c, float[] part, int N, int m, int rows, int n, int n1, boolean overwrite) {
        var f = Simd.F;
        int cols = n1 - n;
        for (int r = 0; r < rows; r++) {
            int row = (m + r) * N + n, from = r * NR;
            if (Simd.LANES == 16) {
                for (int j = 0; j < cols; j += Simd.LANES) {
                    var inPart = f.indexInRange(j, cols);
                    var base = overwrite ? FloatVector.zero(f) : FloatVector.fromArray(f, c, row + j, inPart);
                    base.add(FloatVector.fromArray(f, part, from + j)).intoArray(c, row + j, inPart);
                }
            } else {
                for (int j = 0; j < cols; j++) c[row + j] = (overwrite ? 0f : c[row + j]) + part[from + j];
            }
        }
    }
}
