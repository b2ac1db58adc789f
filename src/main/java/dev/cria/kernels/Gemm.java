package dev.cria.kernels;

import dev.cria.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The matrix product Cria is built on: {@code C (M,N) (+)= A (M,K) · Bᵀ} with B stored as (N,K), the
 * layout of a linear layer's weight (out, in). Both operands are read along K, contiguously.
 *
 * <p>The vector path blocks the output in tiles that keep a panel of A and of B in cache, and inside a
 * tile computes 4 rows × 2 columns at once so each loaded vector feeds several FMAs. Tiles are split
 * among threads; each output element is written by exactly one thread, so results are deterministic.
 */
public final class Gemm {
    private static final int TILE_M = 64;
    private static final int TILE_N = 64;

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

    public static void abTVector(float[] c, float[] a, float[] b, int M, int K, int N, boolean accumulate) {
        int tilesM = (M + TILE_M - 1) / TILE_M;
        int tilesN = (N + TILE_N - 1) / TILE_N;
        long flopsPerTile = 2L * Math.min(M, TILE_M) * Math.min(N, TILE_N) * K;
        int grain = flopsPerTile > 200_000 ? 1 : (int) Math.max(1, 200_000 / Math.max(1, flopsPerTile));
        Parallel.forRange(tilesM * tilesN, grain, (start, end) -> {
            for (int tile = start; tile < end; tile++) {
                int m0 = (tile / tilesN) * TILE_M;
                int n0 = (tile % tilesN) * TILE_N;
                tile(c, a, b, K, N, m0, Math.min(M, m0 + TILE_M), n0, Math.min(N, n0 + TILE_N), accumulate);
            }
        });
    }

    private static void tile(float[] c, float[] a, float[] b, int K, int N, int m0, int m1, int n0, int n1,
                             boolean accumulate) {
        int m = m0;
        for (; m + 4 <= m1; m += 4) {
            int n = n0;
            for (; n + 2 <= n1; n += 2) block4x2(c, a, b, K, N, m, n, accumulate);
            for (; n < n1; n++) {
                for (int r = 0; r < 4; r++) store(c, (m + r) * N + n, Simd.dotVector(a, (m + r) * K, b, n * K, K), accumulate);
            }
        }
        for (; m < m1; m++) {
            for (int n = n0; n < n1; n++) store(c, m * N + n, Simd.dotVector(a, m * K, b, n * K, K), accumulate);
        }
    }

    private static void store(float[] c, int index, float value, boolean accumulate) {
        c[index] = accumulate ? c[index] + value : value;
    }

    private static void block4x2(float[] c, float[] a, float[] b, int K, int N, int m, int n, boolean accumulate) {
        var f = Simd.F;
        int a0 = m * K, a1 = a0 + K, a2 = a1 + K, a3 = a2 + K;
        int b0 = n * K, b1 = b0 + K;
        var c00 = FloatVector.zero(f);
        var c01 = FloatVector.zero(f);
        var c10 = FloatVector.zero(f);
        var c11 = FloatVector.zero(f);
        var c20 = FloatVector.zero(f);
        var c21 = FloatVector.zero(f);
        var c30 = FloatVector.zero(f);
        var c31 = FloatVector.zero(f);
        int k = 0;
        int bound = f.loopBound(K);
        for (; k < bound; k += Simd.LANES) {
            var bv0 = FloatVector.fromArray(f, b, b0 + k);
            var bv1 = FloatVector.fromArray(f, b, b1 + k);
            var av = FloatVector.fromArray(f, a, a0 + k);
            c00 = av.fma(bv0, c00);
            c01 = av.fma(bv1, c01);
            av = FloatVector.fromArray(f, a, a1 + k);
            c10 = av.fma(bv0, c10);
            c11 = av.fma(bv1, c11);
            av = FloatVector.fromArray(f, a, a2 + k);
            c20 = av.fma(bv0, c20);
            c21 = av.fma(bv1, c21);
            av = FloatVector.fromArray(f, a, a3 + k);
            c30 = av.fma(bv0, c30);
            c31 = av.fma(bv1, c31);
        }
        float s00 = c00.reduceLanes(VectorOperators.ADD), s01 = c01.reduceLanes(VectorOperators.ADD);
        float s10 = c10.reduceLanes(VectorOperators.ADD), s11 = c11.reduceLanes(VectorOperators.ADD);
        float s20 = c20.reduceLanes(VectorOperators.ADD), s21 = c21.reduceLanes(VectorOperators.ADD);
        float s30 = c30.reduceLanes(VectorOperators.ADD), s31 = c31.reduceLanes(VectorOperators.ADD);
        for (; k < K; k++) {
            float bk0 = b[b0 + k], bk1 = b[b1 + k];
            s00 += a[a0 + k] * bk0;
            s01 += a[a0 + k] * bk1;
            s10 += a[a1 + k] * bk0;
            s11 += a[a1 + k] * bk1;
            s20 += a[a2 + k] * bk0;
            s21 += a[a2 + k] * bk1;
            s30 += a[a3 + k] * bk0;
            s31 += a[a3 + k] * bk1;
        }
        store(c, m * N + n, s00, accumulate);
        store(c, m * N + n + 1, s01, accumulate);
        store(c, (m + 1) * N + n, s10, accumulate);
        store(c, (m + 1) * N + n + 1, s11, accumulate);
        store(c, (m + 2) * N + n, s20, accumulate);
        store(c, (m + 2) * N + n + 1, s21, accumulate);
        store(c, (m + 3) * N + n, s30, accumulate);
        store(c, (m + 3) * N + n + 1, s31, accumulate);
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
