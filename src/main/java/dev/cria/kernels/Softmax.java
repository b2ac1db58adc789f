package dev.cria.kernels;

import dev.cria.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Row-wise log-softmax pieces over logits (N, V), shared by the cross-entropy and the log-prob gather:
 * a row's log-sum-exp, and the backward that adds {@code a·softmax(row) + b·onehot(target)} to its gradient.
 * The probabilities are recomputed from the saved log-sum-exp, so no (N, V) softmax is ever stored.
 */
public final class Softmax {
    private Softmax() {
    }

    /** Log-sum-exp of each row: lse[n] = log Σ_v exp(logits[n, v]). */
    public static void logSumExp(float[] lse, float[] logits, int N, int V) {
        boolean simd = Simd.ENABLED;
        Parallel.forRange(N, Parallel.rowGrain(V), (start, end) -> {
            for (int n = start; n < end; n++) lse[n] = simd ? rowLseVector(logits, n * V, V) : rowLseScalar(logits, n * V, V);
        });
    }

    public static float rowLseScalar(float[] x, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, x[off + i]);
        if (max == Float.NEGATIVE_INFINITY) return max;
        double sum = 0;
        for (int i = 0; i < n; i++) sum += Math.exp(x[off + i] - max);
        return max + (float) Math.log(sum);
    }

    public static float rowLseVector(float[] x, int off, int n) {
        var f = Simd.F;
        int bound = f.loopBound(n);
        float max = max(x, off, n);
        if (max == Float.NEGATIVE_INFINITY) return max;
        float sum = 0;
        int i = 0;
        if (bound > 0) {
            var maxv = FloatVector.broadcast(f, max);
            var acc = FloatVector.zero(f);
            for (; i < bound; i += Simd.LANES) acc = acc.add(Simd.expOfShifted(FloatVector.fromArray(f, x, off + i).sub(maxv)));
            sum = Simd.sum(acc);
        }
        for (; i < n; i++) sum += (float) Math.exp(x[off + i] - max);
        return max + (float) Math.log(sum);
    }

    /**
     * The cross-entropy's forward and its gradient in one pass over logits (N, V), a row at a time while the
     * row is still in cache: lse[n] = log Σ exp(row n), picked[n] = the row's logit at targets[n] (read before
     * the row is overwritten), and then the row becomes the gradient of {@code scale · Σ_n cross-entropy(row n,
     * target n)}: {@code scale · (softmax(row) − onehot(target))}, or zeros where the target is {@code ignore}.
     * Separate passes read the small preset's 262 MB of logits from memory twice.
     */
    public static void lossAndGradientInPlace(float[] lse, float[] picked, float[] logits, int[] targets, int ignore,
                                              float scale, int N, int V) {
        boolean simd = Simd.ENABLED;
        Parallel.forRange(N, Parallel.rowGrain(V), (start, end) -> {
            for (int n = start; n < end; n++) {
                int off = n * V;
                if (targets[n] == ignore || scale == 0) {
                    lse[n] = simd ? rowLseVector(logits, off, V) : rowLseScalar(logits, off, V);
                    java.util.Arrays.fill(logits, off, off + V, 0f);
                    continue;
                }
                picked[n] = logits[off + targets[n]];
                lse[n] = simd ? rowSoftmaxInPlaceVector(logits, off, V, scale) : rowSoftmaxInPlaceScalar(logits, off, V, scale);
                logits[off + targets[n]] -= scale;
            }
        });
    }

    /**
     * Row x[off..off+n) becomes {@code scale · softmax(row)}, and its log-sum-exp is returned. Each logit is
     * exponentiated once, {@code exp(x − max)} stored in place, and the row then scaled by scale / Σ: taking
     * the log-sum-exp first and then {@code exp(x − lse)} exponentiated every logit twice. A row without a
     * finite logit has no softmax: it becomes NaN.
     */
    public static float rowSoftmaxInPlaceScalar(float[] x, int off, int n, float scale) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, x[off + i]);
        if (max == Float.NEGATIVE_INFINITY) {
            java.util.Arrays.fill(x, off, off + n, Float.NaN);
            return max;
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            x[off + i] = (float) Math.exp(x[off + i] - max);
            sum += x[off + i];
        }
        float factor = (float) (scale / sum);
        for (int i = 0; i < n; i++) x[off + i] *= factor;
        return max + (float) Math.log(sum);
    }

    public static float rowSoftmaxInPlaceVector(float[] x, int off, int n, float scale) {
        var f = Simd.F;
        int bound = f.loopBound(n), i = 0;
        float max = max(x, off, n);
        if (max == Float.NEGATIVE_INFINITY) {
            java.util.Arrays.fill(x, off, off + n, Float.NaN);
            return max;
        }
        var maxv = FloatVector.broadcast(f, max);
        var acc = FloatVector.zero(f);
        for (; i < bound; i += Simd.LANES) {
            var e = Simd.expOfShifted(FloatVector.fromArray(f, x, off + i).sub(maxv));
            e.intoArray(x, off + i);
            acc = acc.add(e);
        }
        float sum = Simd.sum(acc);
        for (; i < n; i++) {
            x[off + i] = (float) Math.exp(x[off + i] - max);
            sum += x[off + i];
        }
        float factor = scale / sum;
        for (i = 0; i < bound; i += Simd.LANES) FloatVector.fromArray(f, x, off + i).mul(factor).intoArray(x, off + i);
        for (; i < n; i++) x[off + i] *= factor;
        return max + (float) Math.log(sum);
    }

    /**
     * dst[i] = exp((x[off+i] − max) · invTemperature) for i in [0, n); returns the sum. The unnormalised
     * softmax a sampler draws from.
     */
    public static float exponentiate(float[] dst, float[] x, int off, int n, float max, float invTemperature) {
        return Simd.ENABLED ? exponentiateVector(dst, x, off, n, max, invTemperature) : exponentiateScalar(dst, x, off, n, max, invTemperature, 0);
    }

    public static float exponentiateScalar(float[] dst, float[] x, int off, int n, float max, float invTemperature, int from) {
        float sum = 0;
        for (int i = from; i < n; i++) {
            dst[i] = (float) Math.exp((x[off + i] - max) * invTemperature);
            sum += dst[i];
        }
        return sum;
    }

    public static float exponentiateVector(float[] dst, float[] x, int off, int n, float max, float invTemperature) {
        var f = Simd.F;
        var acc = FloatVector.zero(f);
        var maxV = FloatVector.broadcast(f, max);
        int i = 0;
        for (int bound = f.loopBound(n); i < bound; i += Simd.LANES) {
            var e = Simd.expOfShifted(FloatVector.fromArray(f, x, off + i).sub(maxV).mul(invTemperature));
            e.intoArray(dst, i);
            acc = acc.add(e);
        }
        return Simd.sum(acc) + exponentiateScalar(dst, x, off, n, max, invTemperature, i);
    }

    /**
     * The first index i whose running sum w[0] + ... + w[i] exceeds u (n − 1 if none does): a draw from
     * the unnormalised distribution w, given u uniform in [0, Σw). Skips whole vectors by their sums.
     */
    public static int inverseCdf(float[] w, int n, float u) {
        int i = 0;
        if (Simd.ENABLED) {
            for (int bound = Simd.F.loopBound(n); i < bound; i += Simd.LANES) {
                float block = Simd.sum(FloatVector.fromArray(Simd.F, w, i));
                if (u < block) break;
                u -= block;
            }
        }
        for (; i < n; i++) {
            u -= w[i];
            if (u < 0) return i;
        }
        return n - 1;
    }

    /**
     * The largest of x[off..off+n), by compares and blends in two running maxima: FloatVector.max's NaN and
     * −0 rules compile to a dependent chain of five instructions per vector, which bounded a row's
     * log-sum-exp. (A NaN is passed over here, but still makes the exponentials that follow, so their
     * sum, NaN.)
     */
    public static float max(float[] x, int off, int n) {
        var f = Simd.F;
        int L = Simd.LANES, bound = f.loopBound(n), i = 0;
        float max = Float.NEGATIVE_INFINITY;
        if (Simd.ENABLED && bound > 0) {
            var even = FloatVector.broadcast(f, Float.NEGATIVE_INFINITY);
            var odd = even;
            for (; i + L < bound; i += 2 * L) {
                var a = FloatVector.fromArray(f, x, off + i);
                var b = FloatVector.fromArray(f, x, off + i + L);
                even = even.blend(a, even.compare(VectorOperators.LT, a));
                odd = odd.blend(b, odd.compare(VectorOperators.LT, b));
            }
            if (i < bound) {
                var a = FloatVector.fromArray(f, x, off + i);
                even = even.blend(a, even.compare(VectorOperators.LT, a));
                i += L;
            }
            max = even.blend(odd, even.compare(VectorOperators.LT, odd)).reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) max = Math.max(max, x[off + i]);
        return max;
    }

    /**
     * For each row n with {@code a[n] != 0 || b[n] != 0}: {@code dlogits[n, :] += a[n]·softmax(logits[n, :])}
     * and {@code dlogits[n, target[n]] += b[n]}.
     */
    public static void backward(float[] dlogits, float[] logits, float[] lse, int[] target, float[] a, float[] b, int N, int V) {
        boolean simd = Simd.ENABLED;
        Parallel.forRange(N, Parallel.rowGrain(V), (start, end) -> {
            for (int n = start; n < end; n++) {
                if (a[n] == 0 && b[n] == 0) continue;
                if (simd) rowBackwardVector(dlogits, logits, n * V, V, lse[n], a[n]);
                else rowBackwardScalar(dlogits, logits, n * V, V, lse[n], a[n]);
                dlogits[n * V + target[n]] += b[n];
            }
        });
    }

    public static void rowBackwardScalar(float[] dx, float[] x, int off, int n, float lse, float a) {
        for (int i = 0; i < n; i++) dx[off + i] += a * (float) Math.exp(x[off + i] - lse);
    }

    public static void rowBackwardVector(float[] dx, float[] x, int off, int n, float lse, float a) {
        var f = Simd.F;
        int i = 0;
        var lv = FloatVector.broadcast(f, lse);
        var av = FloatVector.broadcast(f, a);
        for (int bound = f.loopBound(n); i < bound; i += Simd.LANES) {
            Simd.expOfShifted(FloatVector.fromArray(f, x, off + i).sub(lv))
                    .fma(av, FloatVector.fromArray(f, dx, off + i)).intoArray(dx, off + i);
        }
        for (; i < n; i++) dx[off + i] += a * (float) Math.exp(x[off + i] - lse);
    }
}
