package dev.cria.kernels;

import dev.cria.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Attention's products on small register kernels that read their operands as they are laid out, with no
 * packing: the forward pass for heads of every width, the backward pass for heads up to
 * {@link #MAX_BACKWARD_HEAD} wide (the tiny preset's are 8). Through {@link Gemm}, products only one head
 * deep paid for packing both operands and for adding every tile into C. Here the operands are laid out
 * once so that the kernels read them in place.
 *
 * <p>Measured against the {@link Gemm} blocks in one JVM ({@code scripts/ab.sh}, Zen 5, 2026-12-02; new
 * time / old): the forward took 0.52–0.92 of the time at heads 24 to 128 wide (0.70 at the small
 * preset's 48) and 0.72–0.82 on AVX2; the backward 0.89–0.92 at 24 and 32, but 1.18 at 48 and 1.24 at
 * 64, where the products are deep enough for the packed tiles to pay.
 *
 * <p>The forward pass works on blocks of 2L queries, one query per lane, keys down the rows
 * ({@link #scoresT}, {@link #exponentiateColumns}, then {@link #accumulate} for {@code Oᵀ = Vᵀ·Pᵀ}). A
 * query's maximum, its softmax sum and its output are then running vector operations down its lane: no
 * lanes are ever combined, so nothing is summed across a vector. (With keys in the lanes, as before, the
 * softmax's sums and P·V's dot products were butterflies across lanes, and the forward took a third
 * longer: docs/performance.md.)
 *
 * <p>The backward pass keeps keys in the lanes, because two of its three gradients, dK and dV, sum over
 * queries:
 * <ul>
 *   <li>{@link #products}: {@code C = A·Xᵀ} with Xᵀ stored (depth, keys): each of A's values is broadcast
 *       against two vectors of keys. {@code S = Q·Kᵀ} and {@code dP = dO·Vᵀ}.</li>
 *   <li>{@link #dots}: {@code Y·Xᵀ} with both stored along the keys, dot products of two rows of Y against
 *       four rows of Xᵀ at a time. {@code dQ = dS·K}.</li>
 *   <li>{@link #accumulate}: {@code Xᵀ += Aᵀ·Y}, four of A's columns broadcast against two vectors of Y's
 *       rows. {@code dK += dSᵀ·Q} and {@code dV += Pᵀ·dO}.</li>
 * </ul>
 * {@link #scoresT} repeats {@link #products}' tile loop rather than sharing it: a vector cannot leave a
 * method without being boxed, and an epilogue chosen by a flag is a branch C2 can first meet after
 * compiling the kernel (see {@link Gemm}'s multiply). For the same reason the AVX-512 tiles
 * ({@link #accumulateEight}, {@link #productsFourVectors}, {@link #dotsEight}; see {@link #WIDE_TILES})
 * repeat the eight-accumulator tiles' loops with sixteen accumulators written out: registers cannot be
 * indexed, and vectors kept in an array are boxed.
 * Heads are zero-padded to a multiple of four, rows of keys to a multiple of four and of two vectors, so
 * no kernel has an edge case; the padding adds zeros to every sum. Rounding to bfloat16 is the same as on
 * the wide path (see {@link Attention}).
 */
final class LaneAttention {
    private LaneAttention() {
    }

    /** The widest head whose backward pass runs here; wider heads' backward runs on {@link Gemm}. */
    static final int MAX_BACKWARD_HEAD = 32;
    /** The backward's query rows per block (a multiple of the kernels' four rows): a block's scores stay in L2. */
    private static final int QUERY_BLOCK = 64;

    static void forward(float[] out, float[] lse, float[] q, float[] k, float[] v,
                        int B, int T, int H, int KVH, int HS, boolean bf16) {
        int G = H / KVH, D = Simd.roundUp(HS, 4), W = 2 * Simd.LANES, keyRows = Simd.roundUp(T, 4);
        float scale = (float) (1.0 / Math.sqrt(HS));
        Parallel.forTasks(B * KVH, () -> {
            float[] keys = new float[keyRows * D], values = new float[keyRows * D];
            float[] queriesT = new float[D * W], pT = new float[keyRows * W], outT = new float[D * W];
            float[] max = new float[W], sum = new float[W];
            return bk -> {
                int b = bk / KVH, kvh = bk % KVH;
                copyHead(keys, k, b * T, T, KVH, kvh, HS, D, bf16);
                copyHead(values, v, b * T, T, KVH, kvh, HS, D, bf16);
                for (int h = kvh * G; h < (kvh + 1) * G; h++) {
                    for (int t0 = 0; t0 < T; t0 += W) {
                        int rows = Math.min(W, T - t0), seen = Simd.roundUp(t0 + rows, 4);
                        if (rows < W) java.util.Arrays.fill(queriesT, 0f);
                        gatherTransposed(queriesT, q, b * T + t0, rows, H, h, HS, W, bf16);
                        scoresT(pT, keys, D, queriesT, seen, t0, max);
                        exponentiateColumns(pT, seen, t0, scale, max, sum);
                        if (bf16) Bf16.round(pT, pT, 0, seen * W);
                        java.util.Arrays.fill(outT, 0f);
                        accumulate(outT, W, values, D, pT, W, seen, W);
                        for (int j = 0; j < rows; j++) {
                            int row = ((b * T + t0 + j) * H + h) * HS;
                            float inv = 1f / sum[j];
                            for (int d = 0; d < HS; d++) out[row + d] = outT[d * W + j] * inv;
                            lse[(b * H + h) * T + t0 + j] = max[j] * scale + (float) Math.log(sum[j]);
                        }
                    }
                }
            };
        });
    }

    static void backward(float[] dq, float[] dk, float[] dv, float[] dout, float[] q, float[] k, float[] v,
                         float[] out, float[] lse, int B, int T, int H, int KVH, int HS, boolean bf16) {
        int G = H / KVH, D = Simd.roundUp(HS, 4), W = Simd.roundUp(T, 2 * Simd.LANES);
        float scale = (float) (1.0 / Math.sqrt(HS));
        Parallel.forTasks(B * KVH, () -> {
            float[] keysT = new float[D * W], valuesT = new float[D * W], dKeysT = new float[D * W], dValuesT = new float[D * W];
            float[] queries = new float[QUERY_BLOCK * D], dO = new float[QUERY_BLOCK * D];
            float[] p = new float[QUERY_BLOCK * W], dS = new float[QUERY_BLOCK * W], rowsOut = new float[W * D];
            float[] sums = new float[(QUERY_BLOCK + 1) * D / 4 * Simd.LANES];
            return bk -> {
                int b = bk / KVH, kvh = bk % KVH;
                gatherTransposed(keysT, k, b * T, T, KVH, kvh, HS, W, bf16);
                gatherTransposed(valuesT, v, b * T, T, KVH, kvh, HS, W, bf16);
                java.util.Arrays.fill(dKeysT, 0f);
                java.util.Arrays.fill(dValuesT, 0f);
                for (int h = kvh * G; h < (kvh + 1) * G; h++) {
                    for (int t0 = 0; t0 < T; t0 += QUERY_BLOCK) {
                        int rows = Math.min(QUERY_BLOCK, T - t0), width = Simd.roundUp(t0 + rows, 2 * Simd.LANES);
                        gatherRows(queries, q, b * T + t0, rows, H, h, HS, D, bf16);
                        gatherRows(dO, dout, b * T + t0, rows, H, h, HS, D, bf16);
                        products(p, W, queries, D, keysT, W, Simd.roundUp(rows, 4), width);
                        products(dS, W, dO, D, valuesT, W, Simd.roundUp(rows, 4), width);
                        for (int r = 0; r < rows; r++) {
                            int t = t0 + r, row = ((b * T + t) * H + h) * HS;
                            float Dt = Simd.dotVector(dout, row, out, row, HS);
                            probabilitiesAndScoreGradient(p, dS, r * W, t + 1, width, scale, lse[(b * H + h) * T + t], Dt);
                            if (bf16) {
                                Bf16.round(p, p, r * W, r * W + width);
                                Bf16.round(dS, dS, r * W, r * W + width);
                            }
                        }
                        dots(dq, ((b * T + t0) * H + h) * HS, H * HS, HS, dS, W, keysT, W, rows, width, D, sums);
                        accumulate(dKeysT, W, queries, D, dS, W, rows, width);
                        accumulate(dValuesT, W, dO, D, p, W, rows, width);
                    }
                }
                Attention.addTransposed(dk, dKeysT, W, b * T, T, KVH, kvh, HS, rowsOut);
                Attention.addTransposed(dv, dValuesT, W, b * T, T, KVH, kvh, HS, rowsOut);
            };
        });
    }

    /**
     * xT (D, W) = head {@code head} of rows first..first+T of src (·, heads·HS), transposed: row d holds
     * feature d of every key. Rows HS..D and columns T..W stay 0 (nothing ever writes them). On AVX-512 a
     * vector of rows at a time is one hardware gather (see {@link #GATHERS}).
     */
    private static void gatherTransposed(float[] xT, float[] src, int first, int T, int heads, int head, int HS, int W,
                                         boolean bf16) {
        var f = Simd.F;
        int L = Simd.LANES, stride = heads * HS, whole = GATHERS ? T / L * L : 0;
        int[] apart = new int[whole > 0 ? L : 0];
        for (int i = 0; i < apart.length; i++) apart[i] = i * stride;
        for (int d = 0; d < HS; d++) {
            int from = (first * heads + head) * HS + d;
            for (int t = 0; t < whole; t += L) FloatVector.fromArray(f, src, from + t * stride, apart, 0).intoArray(xT, d * W + t);
        }
        for (int t = whole; t < T; t++) {
            int from = ((first + t) * heads + head) * HS;
            for (int d = 0; d < HS; d++) xT[d * W + t] = src[from + d];
        }
        if (bf16) {
            for (int d = 0; d < HS; d++) Bf16.round(xT, xT, d * W, d * W + T);
        }
    }

    /**
     * x (rows, D) = head {@code head} of rows first.. of src (·, heads·HS), padded with zero columns to D
     * and with zero rows to a multiple of four.
     */
    private static void gatherRows(float[] x, float[] src, int first, int rows, int heads, int head, int HS, int D,
                                   boolean bf16) {
        for (int r = 0; r < rows; r++) {
            int from = ((first + r) * heads + head) * HS;
            for (int d = 0; d < HS; d++) x[r * D + d] = src[from + d]; // a few floats: a loop, not a call to arraycopy
        }
        java.util.Arrays.fill(x, rows * D, Simd.roundUp(rows, 4) * D, 0f);
        if (bf16) Bf16.round(x, x, 0, rows * D);
    }

    /**
     * {@link #gatherRows} by vectors, a masked one for the last HS % LANES floats of a row: for the forward's
     * keys and values, rows of a whole sequence, where copying them a float at a time took 6% of the
     * tiny preset's attention forward (by vectors: 0.93 of the time). The backward's blocks of queries and
     * dO keep {@link #gatherRows}: their kernels read the rows at once, and a load cannot take its value
     * from a masked store still in flight (by vectors the backward took 1.02–1.04 of the time).
     */
    private static void copyHead(float[] x, float[] src, int first, int rows, int heads, int head, int HS, int D,
                                 boolean bf16) {
        var f = Simd.F;
        int L = Simd.LANES, whole = HS / L * L;
        var rest = LANE.compare(VectorOperators.LT, HS - whole);
        for (int r = 0; r < rows; r++) {
            int from = ((first + r) * heads + head) * HS, to = r * D;
            for (int d = 0; d < whole; d += L) FloatVector.fromArray(f, src, from + d).intoArray(x, to + d);
            if (whole < HS) FloatVector.fromArray(f, src, from + whole, rest).intoArray(x, to + whole, rest);
        }
        java.util.Arrays.fill(x, rows * D, Simd.roundUp(rows, 4) * D, 0f);
        if (bf16) Bf16.round(x, x, 0, rows * D);
    }

    /**
     * A block's scores, sT (keys, 2L) from {@link #scoresT}, become exponentials in place, key by key: query
     * j's column holds exp(scale·(s − max[j])) for the keys it sees (up to t0 + j) and 0 for the later ones.
     * Each column's sum goes into sum[0..2L). A query is a lane, so its sum is a running vector sum down
     * the rows, in key order, and no lanes are ever added across.
     *
     * <p>subtle: {@link Simd#expOfShifted} is called from one place only; with a second call site C2 ran
     * out of its inlining budget and called both out of line, boxing a vector at every call (this pass then
     * took half of the forward). So the two vectors of a row share the call, and their running sums take
     * turns in two registers.
     */
    private static void exponentiateColumns(float[] sT, int keyRows, int t0, float scale, float[] max, float[] sum) {
        var f = Simd.F;
        int L = Simd.LANES, W = 2 * L;
        var scaleV = FloatVector.broadcast(f, scale);
        var before = FloatVector.zero(f);
        var last = FloatVector.zero(f);
        for (int s = 0; s < keyRows; s++) {
            for (int c = 0; c < W; c += L) {
                int i = s * W + c;
                var minusMax = FloatVector.fromArray(f, max, c).mul(-scale);
                var e = Simd.expOfShifted(FloatVector.fromArray(f, sT, i).fma(scaleV, minusMax));
                // key s is later than queries t0 + c + j for lanes j < s − t0 − c
                if (s > t0 + c) e = e.blend(0f, LANE.compare(VectorOperators.LT, s - t0 - c));
                e.intoArray(sT, i);
                // after a whole row, 'before' holds the first vector's sums and 'last' the second's
                var next = before.add(e);
                before = last;
                last = next;
            }
        }
        before.intoArray(sum, 0);
        last.intoArray(sum, L);
    }

    /**
     * One query's row of scores s and of dP (as dS), each [off..off+width), width a multiple of LANES: s
     * becomes the probabilities p = exp(scale·s − lse) and dS becomes scale·p·(dP − D), both 0 past the
     * first {@code len} keys. The last vector is exponentiated whole and its lanes past {@code len} masked
     * off, so no element takes a scalar {@link Math#exp}.
     */
    private static void probabilitiesAndScoreGradient(float[] s, float[] dS, int off, int len, int width,
                                                      float scale, float lse, float D) {
        var f = Simd.F;
        int L = Simd.LANES, end = Simd.roundUp(len, L);
        var scaleV = FloatVector.broadcast(f, scale);
        var minusLse = FloatVector.broadcast(f, -lse);
        var dV = FloatVector.broadcast(f, D);
        for (int i = 0; i < end; i += L) {
            var p = Simd.expOfShifted(FloatVector.fromArray(f, s, off + i).fma(scaleV, minusLse));
            if (i + L > len) p = p.blend(0f, LANE.compare(VectorOperators.GE, len - i));
            p.intoArray(s, off + i);
            FloatVector.fromArray(f, dS, off + i).sub(dV).mul(p).mul(scaleV).intoArray(dS, off + i);
        }
        zeroFrom(s, off + end, off + width);
        zeroFrom(dS, off + end, off + width);
    }

    /**
     * Whether {@link #gatherTransposed} reads a vector of rows with one gather instruction: on AVX-512 the
     * tiny preset's forward took 0.94 of the time; on the AVX2 stand-in it took 1.01, and on AMD's cores
     * before Zen 4 AVX2's gathers are microcoded, so 8-lane vectors keep the loop of scalar copies.
     */
    private static final boolean GATHERS = Simd.LANES == 16;

    /** Each lane's index, as a float (see {@link Simd#LANE_INDEX}). */
    private static final FloatVector LANE = Simd.LANE_INDEX;

    /** x[from..to) = 0, a whole number of vectors. */
    private static void zeroFrom(float[] x, int from, int to) {
        var zero = FloatVector.zero(Simd.F);
        for (int i = from; i < to; i += Simd.LANES) zero.intoArray(x, i);
    }

    /**
     * A block's scores, transposed: sT (keys, 2L) = K (keys, D) · Qᵀ (D, 2L) for the 2L queries from t0 on,
     * four keys by the block's two vectors of queries at a time, and each query's largest score over the
     * keys it sees (up to its own) into max[0..2L). A query is a lane, so its maximum is a running maximum
     * down the lane, kept in a register: no lanes are compared across and the scores are not read again
     * for it. The maximum is a compare and a blend per vector, not {@code FloatVector.max}, whose NaN and −0
     * rules cost five dependent instructions; a maximum is exact in any order. Keys from t0 on lie on the
     * block's diagonal, where a key is later than some of the queries: those lanes are left out.
     */
    private static void scoresT(float[] sT, float[] keys, int D, float[] qT, int keyRows, int t0, float[] max) {
        var f = Simd.F;
        int L = Simd.LANES, W = 2 * L;
        var none = FloatVector.broadcast(f, Float.NEGATIVE_INFINITY);
        var max0 = none;
        var max1 = none;
        for (int s = 0; s < keyRows; s += 4) {
            int a0 = s * D, a1 = a0 + D, a2 = a1 + D, a3 = a2 + D;
            var c00 = FloatVector.zero(f);
            var c01 = FloatVector.zero(f);
            var c10 = FloatVector.zero(f);
            var c11 = FloatVector.zero(f);
            var c20 = FloatVector.zero(f);
            var c21 = FloatVector.zero(f);
            var c30 = FloatVector.zero(f);
            var c31 = FloatVector.zero(f);
            for (int d = 0; d < D; d++) {
                var x0 = FloatVector.fromArray(f, qT, d * W);
                var x1 = FloatVector.fromArray(f, qT, d * W + L);
                var av = FloatVector.broadcast(f, keys[a0 + d]);
                c00 = av.fma(x0, c00);
                c01 = av.fma(x1, c01);
                av = FloatVector.broadcast(f, keys[a1 + d]);
                c10 = av.fma(x0, c10);
                c11 = av.fma(x1, c11);
                av = FloatVector.broadcast(f, keys[a2 + d]);
                c20 = av.fma(x0, c20);
                c21 = av.fma(x1, c21);
                av = FloatVector.broadcast(f, keys[a3 + d]);
                c30 = av.fma(x0, c30);
                c31 = av.fma(x1, c31);
            }
            int o = s * W;
            c00.intoArray(sT, o);
            c01.intoArray(sT, o + L);
            c10.intoArray(sT, o + W);
            c11.intoArray(sT, o + W + L);
            c20.intoArray(sT, o + 2 * W);
            c21.intoArray(sT, o + 2 * W + L);
            c30.intoArray(sT, o + 3 * W);
            c31.intoArray(sT, o + 3 * W + L);
            if (s >= t0) {
                // key s + i is later than query t0 + j for lanes j < s + i − t0 (less L in the second vector)
                int later = s - t0;
                c00 = c00.blend(none, LANE.compare(VectorOperators.LT, later));
                c01 = c01.blend(none, LANE.compare(VectorOperators.LT, later - L));
                c10 = c10.blend(none, LANE.compare(VectorOperators.LT, later + 1));
                c11 = c11.blend(none, LANE.compare(VectorOperators.LT, later + 1 - L));
                c20 = c20.blend(none, LANE.compare(VectorOperators.LT, later + 2));
                c21 = c21.blend(none, LANE.compare(VectorOperators.LT, later + 2 - L));
                c30 = c30.blend(none, LANE.compare(VectorOperators.LT, later + 3));
                c31 = c31.blend(none, LANE.compare(VectorOperators.LT, later + 3 - L));
            }
            max0 = max0.blend(c00, c00.compare(VectorOperators.GT, max0));
            max1 = max1.blend(c01, c01.compare(VectorOperators.GT, max1));
            max0 = max0.blend(c10, c10.compare(VectorOperators.GT, max0));
            max1 = max1.blend(c11, c11.compare(VectorOperators.GT, max1));
            max0 = max0.blend(c20, c20.compare(VectorOperators.GT, max0));
            max1 = max1.blend(c21, c21.compare(VectorOperators.GT, max1));
            max0 = max0.blend(c30, c30.compare(VectorOperators.GT, max0));
            max1 = max1.blend(c31, c31.compare(VectorOperators.GT, max1));
        }
        max0.intoArray(max, 0);
        max1.intoArray(max, L);
    }

    /**
     * c (rows, width) = a (rows, D) · xT (D, width): c[r·cStride + s] = Σ_d a[r·D + d]·xT[d·xStride + s], four
     * rows by two vectors of columns at a time; rows a multiple of 4, width of two vectors.
     */
    private static void products(float[] c, int cStride, float[] a, int D, float[] xT, int xStride, int rows, int width) {
        int wide = WIDE_TILES ? width / (4 * Simd.LANES) * (4 * Simd.LANES) : 0;
        if (wide > 0) productsFourVectors(c, cStride, a, D, xT, xStride, rows, wide);
        var f = Simd.F;
        int L = Simd.LANES;
        for (int r = 0; r < rows; r += 4) {
            int a0 = r * D, a1 = a0 + D, a2 = a1 + D, a3 = a2 + D;
            for (int s = wide; s < width; s += 2 * L) {
                var c00 = FloatVector.zero(f);
                var c01 = FloatVector.zero(f);
                var c10 = FloatVector.zero(f);
                var c11 = FloatVector.zero(f);
                var c20 = FloatVector.zero(f);
                var c21 = FloatVector.zero(f);
                var c30 = FloatVector.zero(f);
                var c31 = FloatVector.zero(f);
                for (int d = 0; d < D; d++) {
                    var x0 = FloatVector.fromArray(f, xT, d * xStride + s);
                    var x1 = FloatVector.fromArray(f, xT, d * xStride + s + L);
                    var av = FloatVector.broadcast(f, a[a0 + d]);
                    c00 = av.fma(x0, c00);
                    c01 = av.fma(x1, c01);
                    av = FloatVector.broadcast(f, a[a1 + d]);
                    c10 = av.fma(x0, c10);
                    c11 = av.fma(x1, c11);
                    av = FloatVector.broadcast(f, a[a2 + d]);
                    c20 = av.fma(x0, c20);
                    c21 = av.fma(x1, c21);
                    av = FloatVector.broadcast(f, a[a3 + d]);
                    c30 = av.fma(x0, c30);
                    c31 = av.fma(x1, c31);
                }
                int o = r * cStride + s;
                c00.intoArray(c, o);
                c01.intoArray(c, o + L);
                c10.intoArray(c, o + cStride);
                c11.intoArray(c, o + cStride + L);
                c20.intoArray(c, o + 2 * cStride);
                c21.intoArray(c, o + 2 * cStride + L);
                c30.intoArray(c, o + 3 * cStride);
                c31.intoArray(c, o + 3 * cStride + L);
            }
        }
    }

    /** {@link #products} on AVX-512, columns 0..width (a multiple of four vectors): four rows by four vectors. */
    private static void productsFourVectors(float[] c, int cStride, float[] a, int D, float[] xT, int xStride, int rows, int width) {
        var f = Simd.F;
        int L = Simd.LANES;
        for (int r = 0; r < rows; r += 4) {
            int a0 = r * D, a1 = a0 + D, a2 = a1 + D, a3 = a2 + D;
            for (int s = 0; s < width; s += 4 * L) {
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
                for (int d = 0; d < D; d++) {
                    int x = d * xStride + s;
                    var x0 = FloatVector.fromArray(f, xT, x);
                    var x1 = FloatVector.fromArray(f, xT, x + L);
                    var x2 = FloatVector.fromArray(f, xT, x + 2 * L);
                    var x3 = FloatVector.fromArray(f, xT, x + 3 * L);
                    var av = FloatVector.broadcast(f, a[a0 + d]);
                    c00 = av.fma(x0, c00);
                    c01 = av.fma(x1, c01);
                    c02 = av.fma(x2, c02);
                    c03 = av.fma(x3, c03);
                    av = FloatVector.broadcast(f, a[a1 + d]);
                    c10 = av.fma(x0, c10);
                    c11 = av.fma(x1, c11);
                    c12 = av.fma(x2, c12);
                    c13 = av.fma(x3, c13);
                    av = FloatVector.broadcast(f, a[a2 + d]);
                    c20 = av.fma(x0, c20);
                    c21 = av.fma(x1, c21);
                    c22 = av.fma(x2, c22);
                    c23 = av.fma(x3, c23);
                    av = FloatVector.broadcast(f, a[a3 + d]);
                    c30 = av.fma(x0, c30);
                    c31 = av.fma(x1, c31);
                    c32 = av.fma(x2, c32);
                    c33 = av.fma(x3, c33);
                }
                int o = r * cStride + s;
                c00.intoArray(c, o);
                c01.intoArray(c, o + L);
                c02.intoArray(c, o + 2 * L);
                c03.intoArray(c, o + 3 * L);
                o += cStride;
                c10.intoArray(c, o);
                c11.intoArray(c, o + L);
                c12.intoArray(c, o + 2 * L);
                c13.intoArray(c, o + 3 * L);
                o += cStride;
                c20.intoArray(c, o);
                c21.intoArray(c, o + L);
                c22.intoArray(c, o + 2 * L);
                c23.intoArray(c, o + 3 * L);
                o += cStride;
                c30.intoArray(c, o);
                c31.intoArray(c, o + L);
                c32.intoArray(c, o + 2 * L);
                c33.intoArray(c, o + 3 * L);
            }
        }
    }

    /**
     * dst[off + r·dstStride + d] += Σ_s y[r·yStride + s]·xT[d·xStride + s] for r < rows, d < HS, s < width:
     * two rows of y against four rows of xT at a time, each a dot product along s, summed across lanes
     * by butterflies. Rows of y past {@code rows} (up to the next even one) are read but not written.
     * The butterflies' vectors go whole into {@code sums} (room for rows + 1 rows of D / 4 vectors), and
     * are added into dst after the loops: adding each into dst where it lies, a masked load of a row of
     * dQ as yet out of cache stalled the loop (without it the tiny preset's attention backward took
     * 0.93–0.95 of the time on AVX-512).
     */
    private static void dots(float[] dst, int off, int dstStride, int HS, float[] y, int yStride, float[] xT,
                             int xStride, int rows, int width, int D, float[] sums) {
        if (WIDE_TILES && D % 8 == 0) {
            dotsEight(dst, off, dstStride, HS, y, yStride, xT, xStride, rows, width, D, sums);
            return;
        }
        var f = Simd.F;
        int L = Simd.LANES;
        for (int r = 0; r < rows; r += 2) {
            int y0 = r * yStride, y1 = y0 + yStride;
            for (int d = 0; d < D; d += 4) {
                int x0 = d * xStride, x1 = x0 + xStride, x2 = x1 + xStride, x3 = x2 + xStride;
                var s00 = FloatVector.zero(f);
                var s01 = FloatVector.zero(f);
                var s02 = FloatVector.zero(f);
                var s03 = FloatVector.zero(f);
                var s10 = FloatVector.zero(f);
                var s11 = FloatVector.zero(f);
                var s12 = FloatVector.zero(f);
                var s13 = FloatVector.zero(f);
                for (int s = 0; s < width; s += L) {
                    var w0 = FloatVector.fromArray(f, y, y0 + s);
                    var w1 = FloatVector.fromArray(f, y, y1 + s);
                    var x = FloatVector.fromArray(f, xT, x0 + s);
                    s00 = w0.fma(x, s00);
                    s10 = w1.fma(x, s10);
                    x = FloatVector.fromArray(f, xT, x1 + s);
                    s01 = w0.fma(x, s01);
                    s11 = w1.fma(x, s11);
                    x = FloatVector.fromArray(f, xT, x2 + s);
                    s02 = w0.fma(x, s02);
                    s12 = w1.fma(x, s12);
                    x = FloatVector.fromArray(f, xT, x3 + s);
                    s03 = w0.fma(x, s03);
                    s13 = w1.fma(x, s13);
                }
                // pairwise butterflies leave the sum of s_rj in lane j, in a fixed order (as in Gemm.dot4x4)
                var p0a = s00.blend(s01, Simd.ODD).add(s01.blend(s00, Simd.ODD).rearrange(Simd.SWAP_1));
                var p0b = s02.blend(s03, Simd.ODD).add(s03.blend(s02, Simd.ODD).rearrange(Simd.SWAP_1));
                var q0 = p0a.blend(p0b, Simd.BIT_1).add(p0b.blend(p0a, Simd.BIT_1).rearrange(Simd.SWAP_2));
                var p1a = s10.blend(s11, Simd.ODD).add(s11.blend(s10, Simd.ODD).rearrange(Simd.SWAP_1));
                var p1b = s12.blend(s13, Simd.ODD).add(s13.blend(s12, Simd.ODD).rearrange(Simd.SWAP_1));
                var q1 = p1a.blend(p1b, Simd.BIT_1).add(p1b.blend(p1a, Simd.BIT_1).rearrange(Simd.SWAP_2));
                if (L > 8) {
                    q0 = q0.add(q0.rearrange(Simd.SWAP_8));
                    q1 = q1.add(q1.rearrange(Simd.SWAP_8));
                }
                if (L > 4) {
                    q0 = q0.add(q0.rearrange(Simd.SWAP_4));
                    q1 = q1.add(q1.rearrange(Simd.SWAP_4));
                }
                int at = (r * (D / 4) + d / 4) * L;
                q0.intoArray(sums, at);
                q1.intoArray(sums, at + D / 4 * L);
            }
        }
        addSums(dst, off, dstStride, HS, sums, rows, D / 4, 4);
    }

    /**
     * {@link #dots} for D a multiple of 8 on AVX-512: two rows of y against eight rows of xT. The butterflies
     * leave a row's eight sums in lanes 0..7 of one vector.
     */
    private static void dotsEight(float[] dst, int off, int dstStride, int HS, float[] y, int yStride, float[] xT,
                                  int xStride, int rows, int width, int D, float[] sums) {
        var f = Simd.F;
        int L = Simd.LANES;
        for (int r = 0; r < rows; r += 2) {
            int y0 = r * yStride, y1 = y0 + yStride;
            for (int d = 0; d < D; d += 8) {
                int x0 = d * xStride, x1 = x0 + xStride, x2 = x1 + xStride, x3 = x2 + xStride;
                int x4 = x3 + xStride, x5 = x4 + xStride, x6 = x5 + xStride, x7 = x6 + xStride;
                var s00 = FloatVector.zero(f);
                var s01 = FloatVector.zero(f);
                var s02 = FloatVector.zero(f);
                var s03 = FloatVector.zero(f);
                var s04 = FloatVector.zero(f);
                var s05 = FloatVector.zero(f);
                var s06 = FloatVector.zero(f);
                var s07 = FloatVector.zero(f);
                var s10 = FloatVector.zero(f);
                var s11 = FloatVector.zero(f);
                var s12 = FloatVector.zero(f);
                var s13 = FloatVector.zero(f);
                var s14 = FloatVector.zero(f);
                var s15 = FloatVector.zero(f);
                var s16 = FloatVector.zero(f);
                var s17 = FloatVector.zero(f);
                for (int s = 0; s < width; s += L) {
                    var w0 = FloatVector.fromArray(f, y, y0 + s);
                    var w1 = FloatVector.fromArray(f, y, y1 + s);
                    var x = FloatVector.fromArray(f, xT, x0 + s);
                    s00 = w0.fma(x, s00);
                    s10 = w1.fma(x, s10);
                    x = FloatVector.fromArray(f, xT, x1 + s);
                    s01 = w0.fma(x, s01);
                    s11 = w1.fma(x, s11);
                    x = FloatVector.fromArray(f, xT, x2 + s);
                    s02 = w0.fma(x, s02);
                    s12 = w1.fma(x, s12);
                    x = FloatVector.fromArray(f, xT, x3 + s);
                    s03 = w0.fma(x, s03);
                    s13 = w1.fma(x, s13);
                    x = FloatVector.fromArray(f, xT, x4 + s);
                    s04 = w0.fma(x, s04);
                    s14 = w1.fma(x, s14);
                    x = FloatVector.fromArray(f, xT, x5 + s);
                    s05 = w0.fma(x, s05);
                    s15 = w1.fma(x, s15);
                    x = FloatVector.fromArray(f, xT, x6 + s);
                    s06 = w0.fma(x, s06);
                    s16 = w1.fma(x, s16);
                    x = FloatVector.fromArray(f, xT, x7 + s);
                    s07 = w0.fma(x, s07);
                    s17 = w1.fma(x, s17);
                }
                // butterflies as in dots, for columns d..d+3 and d+4..d+7, then one more level puts the second
                // group's sums in lanes 4..7 and a last one adds the two halves of the vector
                var a0 = s00.blend(s01, Simd.ODD).add(s01.blend(s00, Simd.ODD).rearrange(Simd.SWAP_1));
                var b0 = s02.blend(s03, Simd.ODD).add(s03.blend(s02, Simd.ODD).rearrange(Simd.SWAP_1));
                var c0 = s04.blend(s05, Simd.ODD).add(s05.blend(s04, Simd.ODD).rearrange(Simd.SWAP_1));
                var e0 = s06.blend(s07, Simd.ODD).add(s07.blend(s06, Simd.ODD).rearrange(Simd.SWAP_1));
                var low0 = a0.blend(b0, Simd.BIT_1).add(b0.blend(a0, Simd.BIT_1).rearrange(Simd.SWAP_2));
                var high0 = c0.blend(e0, Simd.BIT_1).add(e0.blend(c0, Simd.BIT_1).rearrange(Simd.SWAP_2));
                var q0 = low0.blend(high0, Simd.BIT_2).add(high0.blend(low0, Simd.BIT_2).rearrange(Simd.SWAP_4));
                q0 = q0.add(q0.rearrange(Simd.SWAP_8));
                var a1 = s10.blend(s11, Simd.ODD).add(s11.blend(s10, Simd.ODD).rearrange(Simd.SWAP_1));
                var b1 = s12.blend(s13, Simd.ODD).add(s13.blend(s12, Simd.ODD).rearrange(Simd.SWAP_1));
                var c1 = s14.blend(s15, Simd.ODD).add(s15.blend(s14, Simd.ODD).rearrange(Simd.SWAP_1));
                var e1 = s16.blend(s17, Simd.ODD).add(s17.blend(s16, Simd.ODD).rearrange(Simd.SWAP_1));
                var low1 = a1.blend(b1, Simd.BIT_1).add(b1.blend(a1, Simd.BIT_1).rearrange(Simd.SWAP_2));
                var high1 = c1.blend(e1, Simd.BIT_1).add(e1.blend(c1, Simd.BIT_1).rearrange(Simd.SWAP_2));
                var q1 = low1.blend(high1, Simd.BIT_2).add(high1.blend(low1, Simd.BIT_2).rearrange(Simd.SWAP_4));
                q1 = q1.add(q1.rearrange(Simd.SWAP_8));
                int at = (r * (D / 8) + d / 8) * L;
                q0.intoArray(sums, at);
                q1.intoArray(sums, at + D / 8 * L);
            }
        }
        addSums(dst, off, dstStride, HS, sums, rows, D / 8, 8);
    }

    /**
     * dst[off + r·dstStride + d] += the sum {@link #dots} left for row r, column d: lane d % group of the
     * vector at sums[(r·groups + d / group)·LANES].
     */
    private static void addSums(float[] dst, int off, int dstStride, int HS, float[] sums, int rows, int groups, int group) {
        for (int r = 0; r < rows; r++) {
            for (int g = 0, d = 0; g < groups; g++) {
                int at = (r * groups + g) * Simd.LANES, row = off + r * dstStride;
                for (int j = 0; j < group && d < HS; j++, d++) dst[row + d] += sums[at + j];
            }
        }
    }

    /**
     * xT (D, width) += aᵀ · y: xT[d·xStride + s] += Σ_r a[r·D + d]·y[r·yStride + s] for r < rows, four of
     * a's columns by two vectors of y's at a time.
     */
    private static void accumulate(float[] xT, int xStride, float[] a, int D, float[] y, int yStride, int rows, int width) {
        if (WIDE_TILES && D % 8 == 0) {
            accumulateEight(xT, xStride, a, D, y, yStride, rows, width);
            return;
        }
        var f = Simd.F;
        int L = Simd.LANES;
        for (int d = 0; d < D; d += 4) {
            int x0 = d * xStride, x1 = x0 + xStride, x2 = x1 + xStride, x3 = x2 + xStride;
            for (int s = 0; s < width; s += 2 * L) {
                var c00 = FloatVector.fromArray(f, xT, x0 + s);
                var c01 = FloatVector.fromArray(f, xT, x0 + s + L);
                var c10 = FloatVector.fromArray(f, xT, x1 + s);
                var c11 = FloatVector.fromArray(f, xT, x1 + s + L);
                var c20 = FloatVector.fromArray(f, xT, x2 + s);
                var c21 = FloatVector.fromArray(f, xT, x2 + s + L);
                var c30 = FloatVector.fromArray(f, xT, x3 + s);
                var c31 = FloatVector.fromArray(f, xT, x3 + s + L);
                for (int r = 0; r < rows; r++) {
                    var y0 = FloatVector.fromArray(f, y, r * yStride + s);
                    var y1 = FloatVector.fromArray(f, y, r * yStride + s + L);
                    int ar = r * D + d;
                    var av = FloatVector.broadcast(f, a[ar]);
                    c00 = av.fma(y0, c00);
                    c01 = av.fma(y1, c01);
                    av = FloatVector.broadcast(f, a[ar + 1]);
                    c10 = av.fma(y0, c10);
                    c11 = av.fma(y1, c11);
                    av = FloatVector.broadcast(f, a[ar + 2]);
                    c20 = av.fma(y0, c20);
                    c21 = av.fma(y1, c21);
                    av = FloatVector.broadcast(f, a[ar + 3]);
                    c30 = av.fma(y0, c30);
                    c31 = av.fma(y1, c31);
                }
                c00.intoArray(xT, x0 + s);
                c01.intoArray(xT, x0 + s + L);
                c10.intoArray(xT, x1 + s);
                c11.intoArray(xT, x1 + s + L);
                c20.intoArray(xT, x2 + s);
                c21.intoArray(xT, x2 + s + L);
                c30.intoArray(xT, x3 + s);
                c31.intoArray(xT, x3 + s + L);
            }
        }
    }

    /**
     * Whether the kernels use tiles of sixteen accumulators rather than eight: with AVX-512's 32 registers
     * they fit. With eight, each accumulator takes one FMA per step of the loop, so the FMA's latency (four
     * cycles) caps a core at two FMAs a cycle, its peak, and any stall falls below it; sixteen leave slack.
     */
    private static final boolean WIDE_TILES = Simd.LANES == 16;

    /** {@link #accumulate} for D a multiple of 8 on AVX-512: eight of a's columns by two vectors of y's. */
    private static void accumulateEight(float[] xT, int xStride, float[] a, int D, float[] y, int yStride, int rows, int width) {
        var f = Simd.F;
        int L = Simd.LANES;
        for (int d = 0; d < D; d += 8) {
            int x0 = d * xStride, x1 = x0 + xStride, x2 = x1 + xStride, x3 = x2 + xStride;
            int x4 = x3 + xStride, x5 = x4 + xStride, x6 = x5 + xStride, x7 = x6 + xStride;
            for (int s = 0; s < width; s += 2 * L) {
                var c00 = FloatVector.fromArray(f, xT, x0 + s);
                var c01 = FloatVector.fromArray(f, xT, x0 + s + L);
                var c10 = FloatVector.fromArray(f, xT, x1 + s);
                var c11 = FloatVector.fromArray(f, xT, x1 + s + L);
                var c20 = FloatVector.fromArray(f, xT, x2 + s);
                var c21 = FloatVector.fromArray(f, xT, x2 + s + L);
                var c30 = FloatVector.fromArray(f, xT, x3 + s);
                var c31 = FloatVector.fromArray(f, xT, x3 + s + L);
                var c40 = FloatVector.fromArray(f, xT, x4 + s);
                var c41 = FloatVector.fromArray(f, xT, x4 + s + L);
                var c50 = FloatVector.fromArray(f, xT, x5 + s);
                var c51 = FloatVector.fromArray(f, xT, x5 + s + L);
                var c60 = FloatVector.fromArray(f, xT, x6 + s);
                var c61 = FloatVector.fromArray(f, xT, x6 + s + L);
                var c70 = FloatVector.fromArray(f, xT, x7 + s);
                var c71 = FloatVector.fromArray(f, xT, x7 + s + L);
                for (int r = 0; r < rows; r++) {
                    var y0 = FloatVector.fromArray(f, y, r * yStride + s);
                    var y1 = FloatVector.fromArray(f, y, r * yStride + s + L);
                    int ar = r * D + d;
                    var av = FloatVector.broadcast(f, a[ar]);
                    c00 = av.fma(y0, c00);
                    c01 = av.fma(y1, c01);
                    av = FloatVector.broadcast(f, a[ar + 1]);
                    c10 = av.fma(y0, c10);
                    c11 = av.fma(y1, c11);
                    av = FloatVector.broadcast(f, a[ar + 2]);
                    c20 = av.fma(y0, c20);
                    c21 = av.fma(y1, c21);
                    av = FloatVector.broadcast(f, a[ar + 3]);
                    c30 = av.fma(y0, c30);
                    c31 = av.fma(y1, c31);
                    av = FloatVector.broadcast(f, a[ar + 4]);
                    c40 = av.fma(y0, c40);
                    c41 = av.fma(y1, c41);
                    av = FloatVector.broadcast(f, a[ar + 5]);
                    c50 = av.fma(y0, c50);
                    c51 = av.fma(y1, c51);
                    av = FloatVector.broadcast(f, a[ar + 6]);
                    c60 = av.fma(y0, c60);
                    c61 = av.fma(y1, c61);
                    av = FloatVector.broadcast(f, a[ar + 7]);
                    c70 = av.fma(y0, c70);
                    c71 = av.fma(y1, c71);
                }
                c00.intoArray(xT, x0 + s);
                c01.intoArray(xT, x0 + s + L);
                c10.intoArray(xT, x1 + s);
                c11.intoArray(xT, x1 + s + L);
                c20.intoArray(xT, x2 + s);
                c21.intoArray(xT, x2 + s + L);
                c30.intoArray(xT, x3 + s);
                c31.intoArray(xT, x3 + s + L);
                c40.intoArray(xT, x4 + s);
                c41.intoArray(xT, x4 + s + L);
                c50.intoArray(xT, x5 + s);
                c51.intoArray(xT, x5 + s + L);
                c60.intoArray(xT, x6 + s);
                c61.intoArray(xT, x6 + s + L);
                c70.intoArray(xT, x7 + s);
                c71.intoArray(xT, x7 + s + L);
            }
        }
    }
}
