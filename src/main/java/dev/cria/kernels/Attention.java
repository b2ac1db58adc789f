package dev.cria.kernels;

import dev.cria.tensor.Parallel;

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
        boolean simd = Simd.ENABLED;
        int G = H / KVH;
        float scale = (float) (1.0 / Math.sqrt(HS));
        Parallel.forRange(B * H, 1, (start, end) -> {
            float[] scores = new float[T];
            for (int bh = start; bh < end; bh++) {
                int b = bh / H, h = bh % H;
                int kvBase = b * T * KVH * HS + (h / G) * HS;
                for (int t = 0; t < T; t++) {
                    int row = (b * T + t) * H * HS + h * HS;
                    lse[bh * T + t] = attendRow(out, row, q, row, k, v, kvBase, KVH * HS, t + 1, HS, scale, scores, simd);
                }
            }
        });
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
        float sum = 0;
        for (int s = 0; s < len; s++) {
            float p = (float) Math.exp(scores[s] - max);
            scores[s] = p;
            sum += p;
        }
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
        boolean simd = Simd.ENABLED;
        int G = H / KVH;
        float scale = (float) (1.0 / Math.sqrt(HS));
        Parallel.forRange(B * KVH, 1, (start, end) -> {
            float[] probs = new float[T];
            for (int bk = start; bk < end; bk++) {
                int b = bk / KVH, kvh = bk % KVH;
                int kvBase = b * T * KVH * HS + kvh * HS;
                int kvStride = KVH * HS;
                for (int h = kvh * G; h < (kvh + 1) * G; h++) {
                    for (int t = 0; t < T; t++) {
                        int row = (b * T + t) * H * HS + h * HS;
                        float rowLse = lse[(b * H + h) * T + t];
                        float D = dot(dout, row, out, row, HS, simd);
                        for (int s = 0; s <= t; s++) {
                            int kvOff = kvBase + s * kvStride;
                            float p = (float) Math.exp(scale * dot(q, row, k, kvOff, HS, simd) - rowLse);
                            probs[s] = p;
                            float ds = p * (dot(dout, row, v, kvOff, HS, simd) - D);
                            axpy(scale * ds, k, kvOff, dq, row, HS, simd);
                            axpy(scale * ds, q, row, dk, kvOff, HS, simd);
                            axpy(p, dout, row, dv, kvOff, HS, simd);
                        }
                    }
                }
            }
        });
    }

    private static float dot(float[] a, int aOff, float[] b, int bOff, int n, boolean simd) {
        return simd ? Simd.dotVector(a, aOff, b, bOff, n) : Simd.dotScalar(a, aOff, b, bOff, n);
    }

    private static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n, boolean simd) {
        if (simd) Simd.axpyVector(alpha, x, xOff, y, yOff, n);
        else Simd.axpyScalar(alpha, x, xOff, y, yOff, n);
    }
}
