package dev.cria.autograd;

import dev.cria.kernels.Simd;
import dev.cria.tensor.Parallel;
import dev.cria.tensor.Workspace;
import java.util.Arrays;

/**
 * Elementwise and reduction ops, the pieces RL losses are written in. Binary ops take two tensors of the
 * same shape, or one of them with a single element, which is broadcast (its gradient is summed).
 * Masks are float arrays of 1s (counted) and 0s (ignored) with the shape of the masked tensor.
 */
public final class Ops {
    private Ops() {
    }

    @FunctionalInterface
    private interface Binary {
        float apply(float a, float b);
    }

    @FunctionalInterface
    private interface Unary {
        float apply(float x);
    }

    /** Derivative of a unary op, given its input x and output y. */
    @FunctionalInterface
    private interface UnaryGrad {
        float apply(float x, float y);
    }

    static void requireSameShape(String op, Tensor a, Tensor b) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException(op + ": shapes differ: " + Arrays.toString(a.shape()) + " and " + Arrays.toString(b.shape()));
        }
    }

    private static Tensor binary(String op, Tensor a, Tensor b, Binary f, Binary dfda, Binary dfdb) {
        int n = Math.max(a.size(), b.size());
        boolean broadcastA = a.size() == 1 && b.size() != 1;
        boolean broadcastB = b.size() == 1 && a.size() != 1;
        if (!broadcastA && !broadcastB) requireSameShape(op, a, b);
        int[] shape = broadcastA ? b.shape() : a.shape();
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = f.apply(a.data[broadcastA ? 0 : i], b.data[broadcastB ? 0 : i]);
        return Tensor.result(out, shape, dout -> {
            if (a.requiresGrad()) {
                float[] ga = a.gradForUpdate();
                for (int i = 0; i < n; i++) {
                    float ai = a.data[broadcastA ? 0 : i], bi = b.data[broadcastB ? 0 : i];
                    ga[broadcastA ? 0 : i] += dout[i] * dfda.apply(ai, bi);
                }
            }
            if (b.requiresGrad()) {
                float[] gb = b.gradForUpdate();
                for (int i = 0; i < n; i++) {
                    float ai = a.data[broadcastA ? 0 : i], bi = b.data[broadcastB ? 0 : i];
                    gb[broadcastB ? 0 : i] += dout[i] * dfdb.apply(ai, bi);
                }
            }
        }, a, b);
    }

    private static Tensor unary(Tensor a, Unary f, UnaryGrad df) {
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = f.apply(a.data[i]);
        return Tensor.result(out, a.shape(), dout -> {
            if (!a.requiresGrad()) return;
            float[] ga = a.gradForUpdate();
            for (int i = 0; i < out.length; i++) ga[i] += dout[i] * df.apply(a.data[i], out[i]);
        }, a);
    }

    /**
     * a + b. Two tensors of one shape (a residual connection) go by vectors into a pooled array: through
     * {@link #binary}'s per-element lambda calls, the tiny preset's ten residual adds took 9–16 ms of a
     * 175 ms step. The sums are the same bits (1·b is exact, so each is rounded once).
     */
    public static Tensor add(Tensor a, Tensor b) {
        if (a.size() == 1 || b.size() == 1) return binary("add", a, b, Float::sum, (x, y) -> 1f, (x, y) -> 1f);
        requireSameShape("add", a, b);
        int n = a.size();
        float[] out = Workspace.take(n);
        // split across the cores: a residual add over the tiny preset's 4096 × 64 activations is one pass
        // of memory traffic, and one core alone left the other idle for it (as a copy and an add, 3% of a step)
        Parallel.forRange(n, Parallel.ELEMENT_GRAIN, (start, end) -> Simd.add(a.data, b.data, out, start, end - start));
        return Tensor.pooledResult(out, a.shape(), dout -> {
            if (a.requiresGrad()) addGradient(a, dout, n);
            if (b.requiresGrad()) addGradient(b, dout, n);
        }, a, b);
    }

    /** t's gradient += g: a copy when t's gradient is not started yet. */
    private static void addGradient(Tensor t, float[] g, int n) {
        float[] fresh = t.gradToOverwrite();
        if (fresh != null) {
            Parallel.forRange(n, Parallel.ELEMENT_GRAIN, (start, end) -> System.arraycopy(g, start, fresh, start, end - start));
        } else {
            float[] grad = t.gradForUpdate();
            Parallel.forRange(n, Parallel.ELEMENT_GRAIN, (start, end) -> Simd.axpy(1f, g, start, grad, start, end - start));
        }
    }

    public static Tensor sub(Tensor a, Tensor b) {
        return binary("sub", a, b, (x, y) -> x - y, (x, y) -> 1f, (x, y) -> -1f);
    }

    public static Tensor mul(Tensor a, Tensor b) {
        return binary("mul", a, b, (x, y) -> x * y, (x, y) -> y, (x, y) -> x);
    }

    public static Tensor div(Tensor a, Tensor b) {
        return binary("div", a, b, (x, y) -> x / y, (x, y) -> 1f / y, (x, y) -> -x / (y * y));
    }

    /** Elementwise minimum; on ties the gradient is split evenly, as in PyTorch. */
    public static Tensor minimum(Tensor a, Tensor b) {
        return binary("minimum", a, b, Math::min,
                (x, y) -> x < y ? 1f : x == y ? 0.5f : 0f, (x, y) -> y < x ? 1f : x == y ? 0.5f : 0f);
    }

    /** Elementwise maximum; on ties the gradient is split evenly, as in PyTorch. */
    public static Tensor maximum(Tensor a, Tensor b) {
        return binary("maximum", a, b, Math::max,
                (x, y) -> x > y ? 1f : x == y ? 0.5f : 0f, (x, y) -> y > x ? 1f : x == y ? 0.5f : 0f);
    }

    public static Tensor neg(Tensor a) {
        return unary(a, x -> -x, (x, y) -> -1f);
    }

    public static Tensor scale(Tensor a, float s) {
        return unary(a, x -> x * s, (x, y) -> s);
    }

    public static Tensor addScalar(Tensor a, float s) {
        return unary(a, x -> x + s, (x, y) -> 1f);
    }

    public static Tensor exp(Tensor a) {
        return unary(a, x -> (float) Math.exp(x), (x, y) -> y);
    }

    public static Tensor log(Tensor a) {
        return unary(a, x -> (float) Math.log(x), (x, y) -> 1f / x);
    }

    /** x^p for a constant p. */
    public static Tensor pow(Tensor a, float p) {
        return unary(a, x -> (float) Math.pow(x, p), (x, y) -> p * (float) Math.pow(x, p - 1));
    }

    public static Tensor sigmoid(Tensor a) {
        return unary(a, Ops::sigmoid, (x, y) -> y * (1 - y));
    }

    /** log σ(x), computed stably as min(x, 0) − log(1 + e^−|x|). */
    public static Tensor logSigmoid(Tensor a) {
        return unary(a, x -> Math.min(x, 0f) - (float) Math.log1p(Math.exp(-Math.abs(x))), (x, y) -> 1f - sigmoid(x));
    }

    /** Clamps to [lo, hi]; the gradient passes where lo ≤ x ≤ hi, as in PyTorch. */
    public static Tensor clamp(Tensor a, float lo, float hi) {
        if (lo > hi) throw new IllegalArgumentException("clamp: lo " + lo + " > hi " + hi);
        return unary(a, x -> Math.min(hi, Math.max(lo, x)), (x, y) -> x >= lo && x <= hi ? 1f : 0f);
    }

    /**
     * Inverted dropout: zeroes each element with probability p and scales the rest by 1/(1 − p), so the
     * expected value is unchanged. p = 0 returns the input itself.
     */
    public static Tensor dropout(Tensor a, double p, dev.cria.util.Rng rng) {
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("dropout: p must be in [0, 1): " + p);
        if (p == 0) return a;
        float keep = (float) (1 / (1 - p));
        float[] mask = new float[a.size()];
        for (int i = 0; i < mask.length; i++) mask[i] = rng.nextDouble() < p ? 0f : keep;
        return mul(a, Tensor.of(mask, a.shape()));
    }

    /** mask[i] ? a[i] : b[i]. */
    public static Tensor where(boolean[] mask, Tensor a, Tensor b) {
        requireSameShape("where", a, b);
        if (mask.length != a.size()) throw new IllegalArgumentException("where: mask of " + mask.length + " for " + a.size() + " elements");
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = mask[i] ? a.data[i] : b.data[i];
        return Tensor.result(out, a.shape(), dout -> {
            if (a.requiresGrad()) {
                float[] ga = a.gradForUpdate();
                for (int i = 0; i < out.length; i++) if (mask[i]) ga[i] += dout[i];
            }
            if (b.requiresGrad()) {
                float[] gb = b.gradForUpdate();
                for (int i = 0; i < out.length; i++) if (!mask[i]) gb[i] += dout[i];
            }
        }, a, b);
    }

    public static Tensor sum(Tensor a) {
        double s = 0;
        for (float x : a.data) s += x;
        return Tensor.result(new float[] {(float) s}, new int[0], dout -> {
            if (!a.requiresGrad()) return;
            float[] ga = a.gradForUpdate();
            for (int i = 0; i < ga.length; i++) ga[i] += dout[0];
        }, a);
    }

    public static Tensor mean(Tensor a) {
        return scale(sum(a), 1f / a.size());
    }

    /** Σ a·mask. */
    public static Tensor maskedSum(Tensor a, float[] mask) {
        checkMask("maskedSum", a, mask);
        return sum(mul(a, Tensor.of(mask, a.shape())));
    }

    /** Σ a·mask / Σ mask; 0 when the mask is empty. */
    public static Tensor maskedMean(Tensor a, float[] mask) {
        checkMask("maskedMean", a, mask);
        double count = 0;
        for (float m : mask) count += m;
        return scale(maskedSum(a, mask), count == 0 ? 0f : (float) (1 / count));
    }

    /**
     * Row sums of a (rows, cols) under a mask → (rows): per-sequence totals such as a response's summed
     * log-probability.
     */
    public static Tensor maskedSumRows(Tensor a, float[] mask) {
        checkMask("maskedSumRows", a, mask);
        int cols = a.dim(-1), rows = a.size() / cols;
        float[] out = new float[rows];
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int c = 0; c < cols; c++) s += a.data[r * cols + c] * mask[r * cols + c];
            out[r] = (float) s;
        }
        return Tensor.result(out, new int[] {rows}, dout -> {
            if (!a.requiresGrad()) return;
            float[] ga = a.gradForUpdate();
            for (int i = 0; i < ga.length; i++) ga[i] += dout[i / cols] * mask[i];
        }, a);
    }

    /**
     * Whitens a over the masked positions: (a − mean) / sqrt(var + 1e-8), with the unbiased variance,
     * and adds the mean back unless {@code shiftMean}. As TRL's {@code masked_whiten}, except that masked-out
     * positions come out as 0 so padding can never leak into a loss.
     */
    public static Tensor maskedWhiten(Tensor a, float[] mask, boolean shiftMean) {
        checkMask("maskedWhiten", a, mask);
        double count = 0;
        for (float m : mask) count += m;
        if (count < 2) throw new IllegalArgumentException("maskedWhiten: needs at least 2 masked-in values, got " + count);
        Tensor mean = maskedMean(a, mask);
        Tensor centered = sub(a, mean);
        Tensor variance = scale(maskedMean(mul(centered, centered), mask), (float) (count / (count - 1)));
        Tensor whitened = mul(centered, pow(addScalar(variance, 1e-8f), -0.5f));
        if (!shiftMean) whitened = add(whitened, mean);
        return mul(whitened, Tensor.of(mask, a.shape()));
    }

    private static void checkMask(String op, Tensor a, float[] mask) {
        if (mask.length != a.size()) throw new IllegalArgumentException(op + ": mask of " + mask.length + " for " + a.size() + " elements");
    }

    static float sigmoid(float x) {
        return x >= 0 ? (float) (1 / (1 + Math.exp(-x))) : (float) (Math.exp(x) / (1 + Math.exp(x)));
    }
}
