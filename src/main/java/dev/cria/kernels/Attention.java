package dev.cria.kernels;

import dev.cria.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Causal grouped-query attention, fused: scores, softmax and the weighted sum of values in one pass per
 * query, so no (B, H, T, T) tensor is ever held. The forward saves only the log-sum-exp of each query's
 * scores; the backward recomputes the probabilities from it (as FlashAttention does).
 *
 * <p>Legend: B batch, T time, H query heads, KVH key/value heads, HS head size, G = H / KVH query heads
 * per key/value head. q is (B·T, H·HS); k and v are (B·T, KVH·HS); query head h reads kv head h / G.
 */
public final class Attention {
    private Attention() {
    }

    public static void forward(float[] out, float[] lse, float[] q, float[] k, float[] v,
                               int B, int T, int H, int KVH, int HS) {
        if (Simd.ENABLED) forwardVector(out, lse, q, k, v, B, T, H, KVH, HS);
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

    /**
     * Fast path: keys and values of one (batch, kv head) are first transposed to (HS, T), so every step
     * (scores, softmax, weighted sum) runs along the key positions, which vectorises for any head size.
     */
    public static void forwardVector(float[] out, float[] lse, float[] q, float[] k, float[] v,
                                     int B, int T, int H, int KVH, int HS) {
        int G = H / KVH;
        float scale = (float) (1.0 / Math.sqrt(HS));
        Parallel.forRange(B * KVH, 1, (start, end) -> {
            float[] kT = new float[HS * T], vT = new float[HS * T], p = new float[T];
            for (int bk = start; bk < end; bk++) {
                int b = bk / KVH, kvh = bk % KVH;
                transposeGroup(kT, k, b, kvh, T, KVH, HS);
                transposeGroup(vT, v, b, kvh, T, KVH, HS);
                for (int h = kvh * G; h < (kvh + 1) * G; h++) {
                    for (int t = 0; t < T; t++) {
                        int row = (b * T + t) * H * HS + h * HS;
                        int len = t + 1;
                        float rowLse = softmaxScores(p, q, row, kT, T, HS, len, scale);
                        lse[(b * H + h) * T + t] = rowLse;
                        for (int i = 0; i < HS; i++) out[row + i] = Simd.dotVector(p, 0, vT, i * T, len);
                    }
                }
            }
        });
    }

    /** dst (HS, T) = the (T, HS) slice of kv head kvh in batch b of src (B·T, KVH·HS). */
    private static void transposeGroup(float[] dst, float[] src, int b, int kvh, int T, int KVH, int HS) {
        for (int s = 0; s < T; s++) {
            int off = (b * T + s) * KVH * HS + kvh * HS;
            for (int i = 0; i < HS; i++) dst[i * T + s] = src[off + i];
        }
    }

    /** Adds a (HS, T) buffer back into the (T, HS) slice of kv head kvh in batch b of dst. */
    private static void addTransposedGroup(float[] dst, float[] srcT, int b, int kvh, int T, int KVH, int HS) {
        for (int s = 0; s < T; s++) {
            int off = (b * T + s) * KVH * HS + kvh * HS;
            for (int i = 0; i < HS; i++) dst[off + i] += srcT[i * T + s];
        }
    }

    /**
     * p[0..len) = softmax(scale · q·k_s) with keys given transposed (HS, T); returns the log-sum-exp.
     */
    private static float softmaxScores(float[] p, float[] q, int qOff, float[] kT, int T, int HS, int len, float scale) {
        rowTimesMatrix(p, q, qOff, kT, T, HS, len, scale);
        float max = Float.NEGATIVE_INFINITY;
        for (int s = 0; s < len; s++) max = Math.max(max, p[s]);
        float sum = expShifted(p, len, max);
        float inv = 1f / sum;
        Simd.scaleInPlace(p, 0, len, inv);
        return max + (float) Math.log(sum);
    }

    /** dst[s] = alpha · Σ_i x[xOff+i] · mT[i·T + s] for s in [0, len): a row vector times a (HS, T) matrix. */
    private static void rowTimesMatrix(float[] dst, float[] x, int xOff, float[] mT, int T, int HS, int len, float alpha) {
        var f = Simd.F;
        int s = 0;
        for (int bound = f.loopBound(len); s < bound; s += Simd.LANES) {
            var acc = FloatVector.zero(f);
            for (int i = 0; i < HS; i++) acc = FloatVector.fromArray(f, mT, i * T + s).fma(FloatVector.broadcast(f, x[xOff + i]), acc);
            acc.mul(alpha).intoArray(dst, s);
        }
        for (; s < len; s++) {
            float acc = 0;
            for (int i = 0; i < HS; i++) acc += x[xOff + i] * mT[i * T + s];
            dst[s] = acc * alpha;
        }
    }

    /** p[s] = exp(p[s] − shift) for s in [0, len); returns the sum. */
    private static float expShifted(float[] p, int len, float shift) {
        var f = Simd.F;
        int s = 0;
        float sum = 0;
        var shiftV = FloatVector.broadcast(f, shift);
        var acc = FloatVector.zero(f);
        for (int bound = f.loopBound(len); s < bound; s += Simd.LANES) {
            var e = Simd.exp(FloatVector.fromArray(f, p, s).sub(shiftV));
            e.intoArray(p, s);
            acc = acc.add(e);
        }
        sum = Simd.sum(acc);
        for (; s < len; s++) {
            p[s] = (float) Math.exp(p[s] - shift);
            sum += p[s];
        }
        return sum;
    }

    /**
     * One query against {@code len} keys: writes softmax(q·kᵀ·scale)·v to out[outOff..+HS] and returns the
     * log-sum-exp of the scaled scores. Key/value row s starts at {@code kvBase + s·kvStride}.
     */
    public static float attendRow(float[] out, int outOff, float[] q, int qOff, float[] k, float[] v,
                                  int kvBase, int kvStride, int len, int HS, float scale, float[] scores, boolean simd) {
        float max = Float.NEGATIVE_INFINITY;
        for (int s = 0; s < len; s++) {
            int kOff = kvBase + s * kvStride;
            float sc = scale * (simd ? Simd.dotVector(q, qOff, k, kOff, HS) : Simd.dotScalar(q, qOff, k, kOff, HS));
            scores[s] = sc;
            if (sc > max) max = sc;
        }
        float sum = simd ? Softmax.exponentiateVector(scores, scores, 0, len, max, 1f)
                : Softmax.exponentiateScalar(scores, scores, 0, len, max, 1f, 0);
        java.util.Arrays.fill(out, outOff, outOff + HS, 0f);
        float inv = 1f / sum;
        for (int s = 0; s < len; s++) {
            int vOff = kvBase + s * kvStride;
            if (simd) Simd.axpyVector(scores[s] * inv, v, vOff, out, outOff, HS);
            else Simd.axpyScalar(scores[s] * inv, v, vOff, out, outOff, HS);
        }
        return max + (float) Math.log(sum);
    }

    /**
     * dq, dk, dv += gradients of the forward. With p = softmax row and D_t = dout_t·out_t:
     * {@code ds_s = p_s·(dout_t·v_s − D_t)}, {@code dq_t += scale·Σ_s ds_s·k_s}, {@code dk_s += scale·ds_s·q_t},
     * {@code dv_s += p_s·dout_t}. Work is split by (batch, kv head), so each thread owns the dk and dv rows it writes.
     */
    public static void backward(float[] dq, float[] dk, float[] dv, float[] dout, float[] q, float[] k, float[] v,
                                float[] out, float[] lse, int B, int T, int H, int KVH, int HS) {
        if (Simd.ENABLED) backwardVector(dq, dk, dv, dout, q, k, v, out, lse, B, T, H, KVH, HS);
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

    /** Fast path: the same recipe along key positions, on (HS, T) transposes of k, v and their gradients. */
    public static void backwardVector(float[] dq, float[] dk, float[] dv, float[] dout, float[] q, float[] k, float[] v,
                                      float[] out, float[] lse, int B, int T, int H, int KVH, int HS) {
        int G = H / KVH;
        float scale = (float) (1.0 / Math.sqrt(HS));
        Parallel.forRange(B * KVH, 1, (start, end) -> {
            float[] kT = new float[HS * T], vT = new float[HS * T], dkT = new float[HS * T], dvT = new float[HS * T];
            float[] p = new float[T], ds = new float[T];
            for (int bk = start; bk < end; bk++) {
                int b = bk / KVH, kvh = bk % KVH;
                transposeGroup(kT, k, b, kvh, T, KVH, HS);
                transposeGroup(vT, v, b, kvh, T, KVH, HS);
                java.util.Arrays.fill(dkT, 0f);
                java.util.Arrays.fill(dvT, 0f);
                for (int h = kvh * G; h < (kvh + 1) * G; h++) {
                    for (int t = 0; t < T; t++) {
                        int row = (b * T + t) * H * HS + h * HS;
                        int len = t + 1;
                        rowTimesMatrix(p, q, row, kT, T, HS, len, scale);
                        expShifted(p, len, lse[(b * H + h) * T + t]);
                        float D = Simd.dotVector(dout, row, out, row, HS);
                        rowTimesMatrix(ds, dout, row, vT, T, HS, len, 1f);
                        subMul(ds, p, D, len);
                        for (int i = 0; i < HS; i++) {
                            dq[row + i] += scale * Simd.dotVector(ds, 0, kT, i * T, len);
                            Simd.axpyVector(scale * q[row + i], ds, 0, dkT, i * T, len);
                            Simd.axpyVector(dout[row + i], p, 0, dvT, i * T, len);
                        }
                    }
                }
                addTransposedGroup(dk, dkT, b, kvh, T, KVH, HS);
                addTransposedGroup(dv, dvT, b, kvh, T, KVH, HS);
            }
        });
    }

    /** ds[s] = p[s] · (ds[s] − D) for s in [0, len). */
    private static void subMul(float[] ds, float[] p, float D, int len) {
        var f = Simd.F;
        int s = 0;
        var dv = FloatVector.broadcast(f, D);
        for (int bound = f.loopBound(len); s < bound; s += Simd.LANES) {
            FloatVector.fromArray(f, ds, s).sub(dv).mul(FloatVector.fromArray(f, p, s)).intoArray(ds, s);
        }
        for (; s < len; s++) ds[s] = p[s] * (ds[s] - D);
    }
}
