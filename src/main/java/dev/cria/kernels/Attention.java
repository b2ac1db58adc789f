package dev.cria.kernels;

import dev.cria.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Causal grouped-query attention that never holds a (B, H, T, T) tensor: the fast path works one block
 * of queries at a time (at most 64 × T scores), and decoding one query row at a time. The
 * forward saves only the log-sum-exp of each query's scores; the backward recomputes the probabilities
 * from it (as FlashAttention does).
 *
 * <p>Legend: B batch, T time, H query heads, KVH key/value heads, HS head size, G = H / KVH query heads
 * per key/value head. q is (B·T, H·HS); k and v are (B·T, KVH·HS); query head h reads kv head h / G.
 */
public final class Attention {
    private Attention() {
    }

    public static void forward(float[] out, float[] lse, float[] q, float[] k, float[] v,
                               int B, int T, int H, int KVH, int HS) {
        forward(out, lse, q, k, v, B, T, H, KVH, HS, false);
    }

    /** With {@code bf16}, the products' operands are rounded to bfloat16 (see {@link #roundIf}); the scalar path never rounds. */
    public static void forward(float[] out, float[] lse, float[] q, float[] k, float[] v,
                               int B, int T, int H, int KVH, int HS, boolean bf16) {
        if (Simd.ENABLED) forwardVector(out, lse, q, k, v, B, T, H, KVH, HS, bf16);
        else forwardScalar(out, lse, q, k, v, B, T, H, KVH, HS);
    }

    /** Reference: one query row at a time, dot products along the head. */
    public static void forwardScalar(float[] out, float[] lse, float[] q, float[] k, float[] v,
                                     int B, int T, int H, int KVH, int HS) {
        int G = H / KVH;
        float scale = (float) (1.0 / Math.sqrt(HS));
        float[] scores = new float[T];
        for (int bh = 0; bh < B * H; bh++) {
            int b = bh / H, h = bh % H;
            int kvBase = b * T * KVH * HS + (h / G) * HS;
            for (int t = 0; t < T; t++) {
                int row = (b * T + t) * H * HS + h * HS;
                lse[bh * T + t] = attendRow(out, row, q, row, k, v, kvBase, KVH * HS, t + 1, HS, scale, scores, false);
            }
        }
    }

    /** The backward's query rows per block: one block's scores are QUERY_BLOCK × T floats, never T × T per head. */
    private static final int QUERY_BLOCK = 64;

    /**
     * Fast path: {@link LaneAttention}'s register kernels, one query per lane, for heads of any width
     * (measured faster there than matrix products per block of queries on {@link Gemm}, whose operands one
     * head deep cost more to pack than to multiply).
     */
    public static void forwardVector(float[] out, float[] lse, float[] q, float[] k, float[] v,
                                     int B, int T, int H, int KVH, int HS, boolean bf16) {
        LaneAttention.forward(out, lse, q, k, v, B, T, H, KVH, HS, bf16);
    }

    /** c (M,N) = a (M,K) · bᵀ, b stored (N,K). */
    private static void timesTransposed(float[] c, float[] a, float[] b, int M, int K, int N) {
        Gemm.vector(c, a, K, 1, b, 1, K, M, K, N, false);
    }

    /** c (M,N) = aᵀ · bᵀ, a stored (K,M) and b stored (N,K). */
    private static void transposedTimesTransposed(float[] c, float[] a, float[] b, int M, int K, int N) {
        Gemm.vector(c, a, 1, M, b, 1, K, M, K, N, false);
    }

    /** c (M,N) = aᵀ · b, a stored (K,M) and b (K,N). */
    private static void transposedTimes(float[] c, float[] a, float[] b, int M, int K, int N) {
        Gemm.vector(c, a, 1, M, b, N, 1, M, K, N, false);
    }

    /** dst (rows, HS) = head {@code head} of rows first.. of src (·, heads·HS). */
    private static void gather(float[] dst, float[] src, int first, int rows, int heads, int head, int HS) {
        for (int r = 0; r < rows; r++) System.arraycopy(src, ((first + r) * heads + head) * HS, dst, r * HS, HS);
    }

    /**
     * Head {@code head} of rows first.. of dst (·, heads·HS) += srcT (HS, stride), its first {@code rows} columns.
     * Where a head spans whole vectors, srcT is first transposed into scratch (rows·HS floats) by squares in
     * registers ({@link Gemm#transposeBlock}) and added a vector at a time: one strided element at a time, it
     * was 1.3% of a small-preset training step. Each element still gets one addition, so the same bits.
     */
    static void addTransposed(float[] dst, float[] srcT, int stride, int first, int rows, int heads, int head, int HS,
                              float[] scratch) {
        if (!Simd.ENABLED || HS < Simd.LANES) {
            for (int r = 0; r < rows; r++) {
                int off = ((first + r) * heads + head) * HS;
                for (int i = 0; i < HS; i++) dst[off + i] += srcT[i * stride + r];
            }
            return;
        }
        Gemm.transposeBlock(srcT, 0, stride, 1, HS, rows, scratch, 0, HS);
        for (int r = 0; r < rows; r++) Simd.axpyVector(1f, scratch, r * HS, dst, ((first + r) * heads + head) * HS, HS);
    }

    /**
     * One query against {@code len} keys: writes softmax(q·kᵀ·scale)·v to out[outOff..+HS] and returns the
     * log-sum-exp of the scaled scores. Key/value row s starts at {@code kvBase + s·kvStride}. The scores
     * scratch holds at least {@link #rowScratch}{@code (len)} floats.
     */
    public static float attendRow(float[] out, int outOff, float[] q, int qOff, float[] k, float[] v,
                                  int kvBase, int kvStride, int len, int HS, float scale, float[] scores, boolean simd) {
        if (simd && HS >= Simd.LANES) return attendRowVector(out, outOff, q, qOff, k, v, kvBase, kvStride, len, HS, scale, scores);
        float max = Float.NEGATIVE_INFINITY;
        for (int s = 0; s < len; s++) {
            float sc = scale * Simd.dotScalar(q, qOff, k, kvBase + s * kvStride, HS);
            scores[s] = sc;
            if (sc > max) max = sc;
        }
        float sum = Softmax.exponentiateScalar(scores, scores, 0, len, max, 1f, 0);
        java.util.Arrays.fill(out, outOff, outOff + HS, 0f);
        float inv = 1f / sum;
        for (int s = 0; s < len; s++) Simd.axpyScalar(scores[s] * inv, v, kvBase + s * kvStride, out, outOff, HS);
        return max + (float) Math.log(sum);
    }

    /**
     * attendRow's vector path for decoding, four keys at a time: each load of q feeds four dot products,
     * summed together by in-register butterflies, and each load and store of the output row serves four
     * values.
     */
    private static float attendRowVector(float[] out, int outOff, float[] q, int qOff, float[] k, float[] v,
                                         int kvBase, int kvStride, int len, int HS, float scale, float[] scores) {
        var f = Simd.F;
        int L = Simd.LANES, whole = f.loopBound(HS);
        int s = 0;
        for (; s + 4 <= len; s += 4) {
            int k0 = kvBase + s * kvStride, k1 = k0 + kvStride, k2 = k1 + kvStride, k3 = k2 + kvStride;
            var a0 = FloatVector.zero(f);
            var a1 = FloatVector.zero(f);
            var a2 = FloatVector.zero(f);
            var a3 = FloatVector.zero(f);
            int i = 0;
            for (; i < whole; i += L) {
                var qv = FloatVector.fromArray(f, q, qOff + i);
                a0 = qv.fma(FloatVector.fromArray(f, k, k0 + i), a0);
                a1 = qv.fma(FloatVector.fromArray(f, k, k1 + i), a1);
                a2 = qv.fma(FloatVector.fromArray(f, k, k2 + i), a2);
                a3 = qv.fma(FloatVector.fromArray(f, k, k3 + i), a3);
            }
            // Pairwise butterflies leave the sum of a_j in lane j, in a fixed order (as in Gemm).
            var p01 = a0.blend(a1, Simd.ODD).add(a1.blend(a0, Simd.ODD).rearrange(Simd.SWAP_1));
            var p23 = a2.blend(a3, Simd.ODD).add(a3.blend(a2, Simd.ODD).rearrange(Simd.SWAP_1));
            var d = p01.blend(p23, Simd.BIT_1).add(p23.blend(p01, Simd.BIT_1).rearrange(Simd.SWAP_2));
            if (L > 8) d = d.add(d.rearrange(Simd.SWAP_8));
            if (L > 4) d = d.add(d.rearrange(Simd.SWAP_4));
            float d0 = d.lane(0), d1 = d.lane(1), d2 = d.lane(2), d3 = d.lane(3);
            for (; i < HS; i++) {
                float qi = q[qOff + i];
                d0 += qi * k[k0 + i];
                d1 += qi * k[k1 + i];
                d2 += qi * k[k2 + i];
                d3 += qi * k[k3 + i];
            }
            scores[s] = scale * d0;
            scores[s + 1] = scale * d1;
            scores[s + 2] = scale * d2;
            scores[s + 3] = scale * d3;
        }
        for (; s < len; s++) scores[s] = scale * Simd.dotVector(q, qOff, k, kvBase + s * kvStride, HS);
        float max = Softmax.max(scores, 0, len);
        float sum = exponentiateRow(scores, len, max);
        float inv = 1f / sum;
        java.util.Arrays.fill(out, outOff, outOff + HS, 0f);
        s = 0;
        for (; s + 4 <= len; s += 4) {
            int v0 = kvBase + s * kvStride, v1 = v0 + kvStride, v2 = v1 + kvStride, v3 = v2 + kvStride;
            float p0 = scores[s] * inv, p1 = scores[s + 1] * inv, p2 = scores[s + 2] * inv, p3 = scores[s + 3] * inv;
            var w0 = FloatVector.broadcast(f, p0);
            var w1 = FloatVector.broadcast(f, p1);
            var w2 = FloatVector.broadcast(f, p2);
            var w3 = FloatVector.broadcast(f, p3);
            int i = 0;
            for (; i < whole; i += L) {
                var o = FloatVector.fromArray(f, out, outOff + i);
                o = FloatVector.fromArray(f, v, v0 + i).fma(w0, o);
                o = FloatVector.fromArray(f, v, v1 + i).fma(w1, o);
                o = FloatVector.fromArray(f, v, v2 + i).fma(w2, o);
                o = FloatVector.fromArray(f, v, v3 + i).fma(w3, o);
                o.intoArray(out, outOff + i);
            }
            for (; i < HS; i++) out[outOff + i] += p0 * v[v0 + i] + p1 * v[v1 + i] + p2 * v[v2 + i] + p3 * v[v3 + i];
        }
        for (; s < len; s++) Simd.axpyVector(scores[s] * inv, v, kvBase + s * kvStride, out, outOff, HS);
        return max + (float) Math.log(sum);
    }

    /**
     * scores[0..len) = exp(scores − max), returning their sum; the last vector is exponentiated whole, its
     * lanes past len zeroed, so scores holds {@link #rowScratch}'s room for it. The loop has this one caller
     * and runs at least once a call: shared with the sampler's softmax ({@link Softmax#exponentiateVector}),
     * whose profile C2 read while the prompt's first rows were shorter than a vector, the loop's exponential
     * was judged too rarely reached to inline, and every vector was boxed on its way into a call; on the
     * AVX2 stand-in this row's attention took 16% of batched decoding.
     */
    private static float exponentiateRow(float[] scores, int len, float max) {
        var f = Simd.F;
        int L = Simd.LANES;
        var maxV = FloatVector.broadcast(f, max);
        var acc = FloatVector.zero(f);
        for (int i = 0; i < len; i += L) {
            var e = Simd.expOfShifted(FloatVector.fromArray(f, scores, i).sub(maxV));
            if (i + L > len) e = e.blend(0f, Simd.LANE_INDEX.compare(VectorOperators.GE, len - i));
            e.intoArray(scores, i);
            acc = acc.add(e);
        }
        return Simd.sum(acc);
    }

    /** Scratch for {@link #attendRow}'s scores over up to {@code capacity} keys: whole vectors. */
    public static float[] rowScratch(int capacity) {
        return new float[Simd.roundUp(capacity, Simd.LANES)];
    }

    /**
     * dq, dk, dv += gradients of the forward. With p = softmax row and D_t = dout_t·out_t:
     * {@code ds_s = p_s·(dout_t·v_s − D_t)}, {@code dq_t += scale·Σ_s ds_s·k_s}, {@code dk_s += scale·ds_s·q_t},
     * {@code dv_s += p_s·dout_t}. Work is split by (batch, kv head), so each thread owns the dk and dv rows it writes.
     */
    public static void backward(float[] dq, float[] dk, float[] dv, float[] dout, float[] q, float[] k, float[] v,
                                float[] out, float[] lse, int B, int T, int H, int KVH, int HS) {
        backward(dq, dk, dv, dout, q, k, v, out, lse, B, T, H, KVH, HS, false);
    }

    public static void backward(float[] dq, float[] dk, float[] dv, float[] dout, float[] q, float[] k, float[] v,
                                float[] out, float[] lse, int B, int T, int H, int KVH, int HS, boolean bf16) {
        if (Simd.ENABLED) backwardVector(dq, dk, dv, dout, q, k, v, out, lse, B, T, H, KVH, HS, bf16);
        else backwardScalar(dq, dk, dv, dout, q, k, v, out, lse, B, T, H, KVH, HS);
    }

    /** Reference: recomputes each probability from the saved log-sum-exp, one key at a time. */
    public static void backwardScalar(float[] dq, float[] dk, float[] dv, float[] dout, float[] q, float[] k, float[] v,
                                      float[] out, float[] lse, int B, int T, int H, int KVH, int HS) {
        int G = H / KVH;
        float scale = (float) (1.0 / Math.sqrt(HS));
        int kvStride = KVH * HS;
        for (int bk = 0; bk < B * KVH; bk++) {
            int b = bk / KVH, kvh = bk % KVH;
            int kvBase = b * T * KVH * HS + kvh * HS;
            for (int h = kvh * G; h < (kvh + 1) * G; h++) {
                for (int t = 0; t < T; t++) {
                    int row = (b * T + t) * H * HS + h * HS;
                    float rowLse = lse[(b * H + h) * T + t];
                    float D = Simd.dotScalar(dout, row, out, row, HS);
                    for (int s = 0; s <= t; s++) {
                        int kvOff = kvBase + s * kvStride;
                        float p = (float) Math.exp(scale * Simd.dotScalar(q, row, k, kvOff, HS) - rowLse);
                        float ds = p * (Simd.dotScalar(dout, row, v, kvOff, HS) - D);
                        Simd.axpyScalar(scale * ds, k, kvOff, dq, row, HS);
                        Simd.axpyScalar(scale * ds, q, row, dk, kvOff, HS);
                        Simd.axpyScalar(p, dout, row, dv, kvOff, HS);
                    }
                }
            }
        }
    }

    /**
     * Fast path: heads up to {@link LaneAttention#MAX_BACKWARD_HEAD} wide on {@link LaneAttention}'s kernels;
     * wider ones as products on {@link Gemm} per block of QUERY_BLOCK query rows, which see keys 0..t0 + rows
     * only, so the causal triangle is mostly skipped. P is recomputed from the saved log-sum-exp, then
     * {@code dP = dO·Vᵀ}, {@code dS = P ∘ (dP − D)} with D_t = dO_t·O_t, {@code dQ = scale·dS·K},
     * {@code dK += scale·dSᵀ·Q}, {@code dV += Pᵀ·dO}. Each thread owns the (batch, kv head) pairs whose dK
     * and dV it accumulates.
     */
    public static void backwardVector(float[] dq, float[] dk, float[] dv, float[] dout, float[] q, float[] k, float[] v,
                                      float[] out, float[] lse, int B, int T, int H, int KVH, int HS, boolean bf16) {
        if (HS <= LaneAttention.MAX_BACKWARD_HEAD) {
            LaneAttention.backward(dq, dk, dv, dout, q, k, v, out, lse, B, T, H, KVH, HS, bf16);
            return;
        }
        int G = H / KVH;
        float scale = (float) (1.0 / Math.sqrt(HS));
        Parallel.forTasks(B * KVH, () -> {
            float[] keys = new float[T * HS], values = new float[T * HS], dKeysT = new float[HS * T], dValuesT = new float[HS * T];
            float[] queries = new float[QUERY_BLOCK * HS], dO = new float[QUERY_BLOCK * HS], dQT = new float[HS * QUERY_BLOCK];
            float[] p = new float[QUERY_BLOCK * T], dS = new float[QUERY_BLOCK * T], blockT = new float[HS * T];
            return bk -> {
                int b = bk / KVH, kvh = bk % KVH;
                gather(keys, k, b * T, T, KVH, kvh, HS);
                gather(values, v, b * T, T, KVH, kvh, HS);
                roundIf(bf16, keys, T * HS);
                roundIf(bf16, values, T * HS);
                java.util.Arrays.fill(dKeysT, 0f);
                java.util.Arrays.fill(dValuesT, 0f);
                for (int h = kvh * G; h < (kvh + 1) * G; h++) {
                    for (int t0 = 0; t0 < T; t0 += QUERY_BLOCK) {
                        int rows = Math.min(QUERY_BLOCK, T - t0), len = t0 + rows;
                        gather(queries, q, b * T + t0, rows, H, h, HS);
                        gather(dO, dout, b * T + t0, rows, H, h, HS);
                        roundIf(bf16, queries, rows * HS);
                        roundIf(bf16, dO, rows * HS);
                        timesTransposed(p, queries, keys, rows, HS, len);
                        timesTransposed(dS, dO, values, rows, HS, len);
                        for (int r = 0; r < rows; r++) {
                            int t = t0 + r, row = ((b * T + t) * H + h) * HS;
                            float D = Simd.dotVector(dout, row, out, row, HS);
                            probabilitiesAndScoreGradient(p, dS, r * len, t + 1, len, scale, lse[(b * H + h) * T + t], D);
                        }
                        roundIf(bf16, p, rows * len);
                        roundIf(bf16, dS, rows * len);
                        transposedTimesTransposed(dQT, keys, dS, HS, len, rows);
                        addTransposed(dq, dQT, rows, b * T + t0, rows, H, h, HS, blockT);
                        transposedTimes(blockT, queries, dS, HS, rows, len);
                        addColumns(dKeysT, T, blockT, len, HS);
                        transposedTimes(blockT, dO, p, HS, rows, len);
                        addColumns(dValuesT, T, blockT, len, HS);
                    }
                }
                addTransposed(dk, dKeysT, T, b * T, T, KVH, kvh, HS, blockT);
                addTransposed(dv, dValuesT, T, b * T, T, KVH, kvh, HS, blockT);
            };
        });
    }

    /**
     * In bfloat16 the attention products round their operands as a backend's do (Q, K, V, dO, and the
     * probabilities and score gradients between products); softmax and its sums stay float32. Attention
     * always runs on the Java kernels: its blocks are too small to be worth a call into another library.
     */
    private static void roundIf(boolean bf16, float[] x, int n) {
        if (bf16) Bf16.round(x, x, 0, n);
    }

    /** dst (rows, dstWidth)[:, 0..width) += src (rows, width). */
    private static void addColumns(float[] dst, int dstWidth, float[] src, int width, int rows) {
        for (int r = 0; r < rows; r++) Simd.axpy(1f, src, r * width, dst, r * dstWidth, width);
    }

    /**
     * One query's row of scores s and of dP (as dS), each [off..off+width): s becomes the probabilities
     * p = exp(scale·s − lse) and dS becomes scale·p·(dP − D), both 0 past the first {@code len} keys.
     */
    private static void probabilitiesAndScoreGradient(float[] s, float[] dS, int off, int len, int width, float scale,
                                                      float lse, float D) {
        var f = Simd.F;
        var scaleV = FloatVector.broadcast(f, scale);
        var minusLse = FloatVector.broadcast(f, -lse);
        var dV = FloatVector.broadcast(f, D);
        int i = 0;
        for (int bound = f.loopBound(len); i < bound; i += Simd.LANES) {
            var p = Simd.expOfShifted(FloatVector.fromArray(f, s, off + i).fma(scaleV, minusLse));
            p.intoArray(s, off + i);
            FloatVector.fromArray(f, dS, off + i).sub(dV).mul(p).mul(scaleV).intoArray(dS, off + i);
        }
        for (; i < len; i++) {
            float p = (float) Math.exp(scale * s[off + i] - lse);
            s[off + i] = p;
            dS[off + i] = scale * p * (dS[off + i] - D);
        }
        java.util.Arrays.fill(s, off + len, off + width, 0f);
        java.util.Arrays.fill(dS, off + len, off + width, 0f);
    }
}
