package dev.cria.kernels;

import dev.cria.tensor.Parallel;
import jdk.incubator.vector.FloatVector;

/**
 * The matrix product Cria is built on: {@code C (M,N) (+)= A (M,K) · Bᵀ} with B stored as (N,K), the
 * layout of a linear layer's weight (out, in). Both operands are read along K, contiguously.
 *
 * <p>The vector path blocks the output in tiles that keep a panel of A and of B in cache, and inside a
 * tile computes 4 rows × 2 columns at once so each loaded vector feeds several FMAs. Tiles are split
 * among threads; each output element is written by exactly one thread, so results are deterministic.
 */
public final class Gemm {
    private static final int BLOCK_K = 256;

    private Gemm() {
    }

    public static void abT(float[] c, float[] a, float[] b, int M, int K, int N, boolean accumulate) {
        if (Simd.ENABLED) abTVector(c, a, b, M, K, N, accumulate);
        else abTScalar(c, a, b, M, K, N, accumulate);
    }

    public static void abTScalar(float[] c, float[] a, float[] b, int M, int K, int N, boolean accumulate) {
        for (int m = 0; m < M; m++) {
            for (int n = 0; n < N; n++) {
                float sum = 0;
                for (int k = 0; k < K; k++) sum += a[m * K + k] * b[n * K + k];
                c[m * N + n] = accumulate ? c[m * N + n] + sum : sum;
            }
        }
    }

    /**
     * Vector path. Work is split into tasks of (column panel × row range). A task packs its panel of B,
     * one K block at a time, as (k, n) rows zero-padded to whole vectors, then sweeps its rows of A four at
     * a time: each step broadcasts four A values against two B vectors into eight accumulators, so no
     * horizontal reduction is ever needed and each loaded vector feeds four FMAs.
     */
    public static void abTVector(float[] c, float[] a, float[] b, int M, int K, int N, boolean accumulate) {
        int panel = Math.min(PANEL_N, roundUp(N, NR));
        int panels = (N + panel - 1) / panel;
        // enough tasks for every thread: split rows too when there are few column panels
        int rowSplits = Math.max(1, Math.min((M + MR - 1) / MR, (2 * Parallel.threads() + panels - 1) / panels));
        int tasks = panels * rowSplits;
        double flopsPerTask = 2.0 * M * K * panel / rowSplits;
        int grain = flopsPerTask > 100_000 ? 1 : (int) Math.min(tasks, Math.max(1, 100_000 / Math.max(1, flopsPerTask)));
        Parallel.forRange(tasks, grain, (start, end) -> {
            float[] packed = packBuffer(BLOCK_K * panel);
            for (int task = start; task < end; task++) {
                int n0 = (task / rowSplits) * panel, n1 = Math.min(N, n0 + panel);
                int split = task % rowSplits;
                int m0 = roundUp((int) ((long) M * split / rowSplits), 1), m1 = (int) ((long) M * (split + 1) / rowSplits);
                for (int k0 = 0; k0 < K; k0 += BLOCK_K) {
                    int k1 = Math.min(K, k0 + BLOCK_K);
                    int width = roundUp(n1 - n0, NR);
                    pack(packed, b, K, n0, n1, k0, k1, width);
                    boolean add = accumulate || k0 > 0;
                    int m = m0;
                    for (; m + MR <= m1; m += MR) {
                        for (int n = n0; n < n1; n += NR) kernel4x2(c, a, packed, K, N, m, n, n1, n - n0, width, k0, k1, add);
                    }
                    for (; m < m1; m++) {
                        for (int n = n0; n < n1; n += NR) kernel1x2(c, a, packed, K, N, m, n, n1, n - n0, width, k0, k1, add);
                    }
                }
            }
        });
    }

    private static final int MR = 4;
    private static final int NR = 2 * Simd.LANES;
    private static final int PANEL_N = 8 * NR;

    /** Each thread keeps its packing buffer across calls, so steady-state GEMMs allocate nothing. */
    private static final ThreadLocal<float[]> PACK = ThreadLocal.withInitial(() -> new float[0]);

    private static float[] packBuffer(int size) {
        float[] buffer = PACK.get();
        if (buffer.length < size) {
            buffer = new float[size];
            PACK.set(buffer);
        }
        return buffer;
    }

    private static int roundUp(int x, int multiple) {
        return (x + multiple - 1) / multiple * multiple;
    }

    /** packed[(k − k0)·width + (n − n0)] = b[n, k] for the panel's columns; padding columns are 0. */
    private static void pack(float[] packed, float[] b, int K, int n0, int n1, int k0, int k1, int width) {
        int cols = n1 - n0;
        for (int k = k0; k < k1; k++) {
            int row = (k - k0) * width;
            for (int j = 0; j < cols; j++) packed[row + j] = b[(n0 + j) * K + k];
            for (int j = cols; j < width; j++) packed[row + j] = 0f;
        }
    }

    private static void kernel4x2(float[] c, float[] a, float[] packed, int K, int N, int m, int n, int n1, int col,
                                  int width, int k0, int k1, boolean add) {
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
        int a0 = m * K, a1 = a0 + K, a2 = a1 + K, a3 = a2 + K;
        for (int k = k0, p = col; k < k1; k++, p += width) {
            var b0 = FloatVector.fromArray(f, packed, p);
            var b1 = FloatVector.fromArray(f, packed, p + L);
            var av = FloatVector.broadcast(f, a[a0 + k]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(f, a[a1 + k]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(f, a[a2 + k]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(f, a[a3 + k]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
        }
        int valid = Math.min(NR, n1 - n);
        storeRow(c, m * N + n, c00, c01, valid, add);
        storeRow(c, (m + 1) * N + n, c10, c11, valid, add);
        storeRow(c, (m + 2) * N + n, c20, c21, valid, add);
        storeRow(c, (m + 3) * N + n, c30, c31, valid, add);
    }

    private static void kernel1x2(float[] c, float[] a, float[] packed, int K, int N, int m, int n, int n1, int col,
                                  int width, int k0, int k1, boolean add) {
        var f = Simd.F;
        var c0 = FloatVector.zero(f);
        var c1 = FloatVector.zero(f);
        int a0 = m * K;
        for (int k = k0, p = col; k < k1; k++, p += width) {
            var av = FloatVector.broadcast(f, a[a0 + k]);
            c0 = av.fma(FloatVector.fromArray(f, packed, p), c0);
            c1 = av.fma(FloatVector.fromArray(f, packed, p + Simd.LANES), c1);
        }
        storeRow(c, m * N + n, c0, c1, Math.min(NR, n1 - n), add);
    }

    /** Writes (or adds) the first {@code valid} of the 2·LANES values in (v0, v1) to c[off..]. */
    private static void storeRow(float[] c, int off, FloatVector v0, FloatVector v1, int valid, boolean add) {
        var f = Simd.F;
        int L = Simd.LANES;
        if (valid == NR) {
            if (add) {
                v0 = v0.add(FloatVector.fromArray(f, c, off));
                v1 = v1.add(FloatVector.fromArray(f, c, off + L));
            }
            v0.intoArray(c, off);
            v1.intoArray(c, off + L);
            return;
        }
        var m0 = f.indexInRange(0, valid);
        var m1 = f.indexInRange(L, valid);
        if (add) {
            v0 = v0.add(FloatVector.fromArray(f, c, off, m0));
            v1 = v1.add(FloatVector.fromArray(f, c, off + L, m1));
        }
        v0.intoArray(c, off, m0);
        v1.intoArray(c, off + L, m1);
    }

    /** dst (cols, rows) = srcᵀ for src (rows, cols). */
    public static void transpose(float[] dst, float[] src, int rows, int cols) {
        final int block = 32;
        Parallel.forRange((rows + block - 1) / block, Math.max(1, 4096 / Math.max(1, cols)), (start, end) -> {
            for (int rb = start * block; rb < Math.min(rows, end * block); rb += block) {
                for (int cb = 0; cb < cols; cb += block) {
                    int rEnd = Math.min(rows, rb + block), cEnd = Math.min(cols, cb + block);
                    for (int r = rb; r < rEnd; r++) {
                        for (int col = cb; col < cEnd; col++) dst[col * rows + r] = src[r * cols + col];
                    }
                }
            }
        });
    }
}
