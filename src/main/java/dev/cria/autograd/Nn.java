package dev.cria.autograd;

import dev.cria.backend.Backends;
import dev.cria.backend.JavaBackend;
import dev.cria.backend.Precision;
import dev.cria.kernels.Attention;
import dev.cria.kernels.Embedding;
import dev.cria.kernels.FrozenMatrix;
import dev.cria.kernels.Linear;
import dev.cria.kernels.RmsNorm;
import dev.cria.kernels.Rope;
import dev.cria.kernels.Simd;
import dev.cria.kernels.Softmax;
import dev.cria.kernels.SwiGlu;
import dev.cria.tensor.Parallel;
import dev.cria.tensor.Workspace;
import java.util.Arrays;

/**
 * The fused ops a Llama is made of, one graph node each. Every op saves only what its backward needs and
 * skips the gradients of inputs that need none. Shapes: rows are flattened tokens (N = B·T).
 *
 * <p>The three products of a linear layer with a float32 weight go through the process's
 * {@link dev.cria.backend.Backend} (its precision also decides whether attention rounds its operands to
 * bfloat16); a frozen 16-bit or quantized weight always takes the Java kernels, which widen it as they pack.
 */
public final class Nn {
    /** Targets equal to this are left out of the cross-entropy (as PyTorch's ignore_index). */
    public static final int IGNORE_INDEX = -100;

    private Nn() {
    }

    /** x (..., IN) · wᵀ with w (OUT, IN) → (..., OUT). */
    public static Tensor linear(Tensor x, Tensor w) {
        int IN = w.dim(1), OUT = w.dim(0);
        if (x.dim(-1) != IN) {
            throw new IllegalArgumentException("linear: input has " + x.dim(-1) + " features, weight " + Arrays.toString(w.shape()) + " expects " + IN);
        }
        int N = x.size() / IN;
        int[] shape = x.shape();
        shape[shape.length - 1] = OUT;
        float[] out = Workspace.take(N * OUT);
        FrozenMatrix frozen = w.frozenMatrix();
        if (frozen != null) Linear.forward(out, x.data, frozen, N);
        else Backends.current().abT(out, x.data, w.data, N, IN, OUT, false);
        return Tensor.pooledResult(out, shape, dout -> {
            var backend = Backends.current();
            if (x.requiresGrad() && w.requiresGrad() && frozen == null && backend instanceof JavaBackend
                    && Parallel.threads() == 2 && 2.0 * N * IN * OUT < SIDE_BY_SIDE_FLOPS) {
                // two small products, one per thread, each whole, rather than each split in two: the same sums
                float[] fresh = x.gradToOverwrite(), dx = fresh != null ? fresh : x.gradForUpdate();
                float[] freshW = w.gradToOverwrite(), dw = freshW != null ? freshW : w.gradForUpdate();
                Parallel.forRange(2, 1, (start, end) -> {
                    for (int i = start; i < end; i++) {
                        if (i == 0) backwardInput(dx, dout, w, N, IN, OUT, fresh == null);
                        else backend.aTb(dw, dout, x.data, OUT, N, IN, freshW == null);
                    }
                });
                return;
            }
            if (x.requiresGrad()) backwardInput(x, dout, w, N, IN, OUT);
            if (w.requiresGrad()) backwardWeight(w, dout, x.data, N, IN, OUT);
        }, x, w);
    }

    /**
     * Below this many FLOPs per product, on two threads, a linear layer's two backward products run side by
     * side, one per thread, instead of one after the other with each split across both: the tiny preset's
     * products (2–11 MFLOP) lose more to splitting than the two take apart. Measured on 2 cores
     * (2026-12-01, alternating jars, `bench train --profile`): its linear backward 33.1 → 29.0,
     * 30.2 → 25.7, 28.7 → 24.7 ms a step. Each product is still whole on one thread, so the sums are the same.
     */
    private static final double SIDE_BY_SIDE_FLOPS = 100e6;

    /** x's gradient += dout · w, written over a fresh array when no other consumer has started it. */
    private static void backwardInput(Tensor x, float[] dout, Tensor w, int N, int IN, int OUT) {
        float[] fresh = x.gradToOverwrite();
        backwardInput(fresh != null ? fresh : x.gradForUpdate(), dout, w, N, IN, OUT, fresh == null);
    }

    /** w's gradient += doutᵀ · x, or = where it was cleared since its last write (see {@link Tensor#zeroGrad}). */
    private static void backwardWeight(Tensor w, float[] dout, float[] x, int N, int IN, int OUT) {
        float[] fresh = w.gradToOverwrite();
        Backends.current().aTb(fresh != null ? fresh : w.gradForUpdate(), dout, x, OUT, N, IN, fresh == null);
    }

    /** dx (+)= dout · w, for a weight in either storage. */
    private static void backwardInput(float[] dx, float[] dout, Tensor w, int N, int IN, int OUT, boolean accumulate) {
        if (w.frozenMatrix() != null) Linear.backwardInput(dx, dout, w.frozenMatrix(), N, accumulate);
        else Backends.current().ab(dx, dout, w.data, N, OUT, IN, accumulate);
    }

    /** x (..., OUT) + b (OUT) on every row: the bias of a linear layer. */
    public static Tensor bias(Tensor x, Tensor b) {
        int OUT = b.size();
        if (x.dim(-1) != OUT) throw new IllegalArgumentException("bias: input has " + x.dim(-1) + " features, bias has " + OUT);
        int N = x.size() / OUT;
        float[] out = Workspace.take(x.size());
        System.arraycopy(x.data, 0, out, 0, x.size());
        Linear.forwardBias(out, b.data, N, OUT);
        return Tensor.pooledResult(out, x.shape(), dout -> {
            if (x.requiresGrad()) Simd.axpy(1f, dout, 0, x.gradForUpdate(), 0, x.size());
            if (b.requiresGrad()) Linear.backwardBias(b.gradForUpdate(), dout, N, OUT);
        }, x, b);
    }

    /** Rows {@code rows[i]} of x (N, C) → (rows.length, C): e.g. the hidden state at each sequence's last token. */
    public static Tensor gatherRows(Tensor x, int[] rows) {
        int C = x.dim(-1), N = x.size() / C;
        float[] out = new float[rows.length * C];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] < 0 || rows[i] >= N) throw new IllegalArgumentException("gatherRows: row " + rows[i] + " outside " + N);
            System.arraycopy(x.data, rows[i] * C, out, i * C, C);
        }
        return Tensor.result(out, new int[] {rows.length, C}, dout -> {
            if (!x.requiresGrad()) return;
            float[] g = x.gradForUpdate();
            for (int i = 0; i < rows.length; i++) Simd.axpy(1f, dout, i * C, g, rows[i] * C, C);
        }, x);
    }

    /** Rows of w (V, C) picked by token ids → (tokens, C). */
    public static Tensor embedding(Tensor w, int[] tokens) {
        int V = w.dim(0), C = w.dim(1);
        float[] out = Workspace.take(tokens.length * C);
        if (w.frozenMatrix() != null) Embedding.forward(out, w.frozenMatrix(), tokens);
        else Embedding.forward(out, w.data, tokens, V, C);
        return Tensor.pooledResult(out, new int[] {tokens.length, C}, dout -> {
            if (w.requiresGrad()) Embedding.backward(w.gradForUpdate(), dout, tokens, C);
        }, w);
    }

    /** RMSNorm over the last dimension, with weight w (C). */
    public static Tensor rmsNorm(Tensor x, Tensor w, float eps) {
        int C = w.size();
        if (x.dim(-1) != C) throw new IllegalArgumentException("rmsNorm: input has " + x.dim(-1) + " channels, weight has " + C);
        int N = x.size() / C;
        float[] out = Workspace.take(x.size());
        float[] rstd = new float[N];
        RmsNorm.forward(out, rstd, x.data, w.data, N, C, eps);
        return Tensor.pooledResult(out, x.shape(), dout -> RmsNorm.backward(
                x.requiresGrad() ? x.gradForUpdate() : null, w.requiresGrad() ? w.gradForUpdate() : null,
                dout, x.data, w.data, rstd, N, C), x, w);
    }

    /**
     * RMSNorm of each head on its own, as Qwen3's q_norm and k_norm: x (N, heads·HS) with weight w (HS)
     * shared by every head, normalized over each head's HS channels.
     */
    public static Tensor headRmsNorm(Tensor x, Tensor w, int heads, float eps) {
        int HS = w.size();
        if (x.dim(-1) != heads * HS) {
            throw new IllegalArgumentException("headRmsNorm: input has " + x.dim(-1) + " channels, " + heads + " heads of " + HS + " need " + heads * HS);
        }
        int rows = x.size() / HS;
        float[] out = Workspace.take(x.size());
        float[] rstd = new float[rows];
        RmsNorm.forward(out, rstd, x.data, w.data, rows, HS, eps);
        return Tensor.pooledResult(out, x.shape(), dout -> RmsNorm.backward(
                x.requiresGrad() ? x.gradForUpdate() : null, w.requiresGrad() ? w.gradForUpdate() : null,
                dout, x.data, w.data, rstd, rows, HS), x, w);
    }

    /** Rotary embedding of x (N, heads·HS), row n at position positions[n]. */
    public static Tensor rope(Tensor x, int[] positions, int heads, Rope.Table table) {
        int C = x.dim(-1), N = x.size() / C, HS = C / heads;
        if (positions.length != N) throw new IllegalArgumentException("rope: " + positions.length + " positions for " + N + " rows");
        float[] out = Workspace.take(x.size());
        Rope.forward(out, x.data, positions, N, heads, HS, table);
        return Tensor.pooledResult(out, x.shape(), dout -> {
            if (!x.requiresGrad()) return;
            float[] fresh = x.gradToOverwrite();
            Rope.backward(fresh != null ? fresh : x.gradForUpdate(), dout, positions, N, heads, HS, table, fresh == null);
        }, x);
    }

    /** Causal grouped-query attention: q (B·T, H·HS), k and v (B·T, KVH·HS) → (B·T, H·HS). */
    public static Tensor attention(Tensor q, Tensor k, Tensor v, int B, int T, int H, int KVH) {
        int HS = q.dim(-1) / H;
        if (q.size() != B * T * H * HS || k.size() != B * T * KVH * HS || v.size() != k.size()) {
            throw new IllegalArgumentException("attention: shapes q" + Arrays.toString(q.shape()) + " k" + Arrays.toString(k.shape())
                    + " v" + Arrays.toString(v.shape()) + " do not fit B=" + B + " T=" + T + " H=" + H + " KVH=" + KVH);
        }
        float[] out = Workspace.take(q.size());
        float[] lse = new float[B * H * T];
        boolean bf16 = Backends.current().precision() == Precision.BF16;
        Attention.forward(out, lse, q.data, k.data, v.data, B, T, H, KVH, HS, bf16);
        return Tensor.pooledResult(out, q.shape(), dout -> {
            float[] dq = q.requiresGrad() ? q.gradForUpdate() : new float[q.size()];
            float[] dk = k.requiresGrad() ? k.gradForUpdate() : new float[k.size()];
            float[] dv = v.requiresGrad() ? v.gradForUpdate() : new float[v.size()];
            Attention.backward(dq, dk, dv, dout, q.data, k.data, v.data, out, lse, B, T, H, KVH, HS, bf16);
        }, q, k, v);
    }

    /** silu(g) · u, elementwise. */
    public static Tensor swiGlu(Tensor g, Tensor u) {
        Ops.requireSameShape("swiGlu", g, u);
        float[] out = Workspace.take(g.size());
        SwiGlu.forward(out, g.data, u.data, g.size());
        return Tensor.pooledResult(out, g.shape(), dout -> {
            // both gradients fresh (the usual case: g and u are the gate and up projections): written, not added to
            float[] dgFresh = g.requiresGrad() ? g.gradToOverwrite() : null, duFresh = u.requiresGrad() ? u.gradToOverwrite() : null;
            boolean overwrite = dgFresh != null && duFresh != null;
            if (!overwrite && dgFresh != null) Arrays.fill(dgFresh, 0f);
            if (!overwrite && duFresh != null) Arrays.fill(duFresh, 0f);
            SwiGlu.backward(g.requiresGrad() ? g.gradForUpdate() : null, u.requiresGrad() ? u.gradForUpdate() : null,
                    dout, g.data, u.data, g.size(), !overwrite);
        }, g, u);
    }

    /**
     * Mean cross-entropy of logits (N, V) against targets (N); targets equal to {@link #IGNORE_INDEX} are
     * left out of the sum and the count. With no counted target the loss is 0.
     */
    public static Tensor crossEntropy(Tensor logits, int[] targets) {
        int V = logits.dim(-1), N = logits.size() / V;
        if (targets.length != N) throw new IllegalArgumentException("crossEntropy: " + targets.length + " targets for " + N + " rows");
        float[] lse = new float[N];
        Softmax.logSumExp(lse, logits.data, N, V);
        double sum = 0;
        int count = 0;
        for (int n = 0; n < N; n++) {
            int t = targets[n];
            if (t == IGNORE_INDEX) continue;
            if (t < 0 || t >= V) throw new IllegalArgumentException("crossEntropy: target " + t + " at row " + n + " outside vocabulary of " + V);
            sum += lse[n] - logits.data[n * V + t];
            count++;
        }
        int counted = count;
        float loss = counted == 0 ? 0f : (float) (sum / counted);
        return Tensor.result(new float[] {loss}, new int[0], dout -> {
            if (!logits.requiresGrad() || counted == 0) return;
            float scale = dout[0] / counted;
            float[] a = new float[N], b = new float[N];
            int[] safeTargets = new int[N];
            for (int n = 0; n < N; n++) {
                if (targets[n] == IGNORE_INDEX) continue;
                a[n] = scale;
                b[n] = -scale;
                safeTargets[n] = targets[n];
            }
            Softmax.backward(logits.gradForUpdate(), logits.data, lse, safeTargets, a, b, N, V);
        }, logits);
    }

    /**
     * Mean cross-entropy of the logits {@code x · wᵀ} (N, V) against targets, fused so that one (N, V)
     * buffer serves as the logits and, overwritten in place row by row as soon as each row's loss is
     * taken, as their gradient: a training step holds the largest tensor of the model once, reads it from
     * memory once for the loss and its gradient, and reuses its memory from step to step (see
     * {@link Workspace}). Equal to {@code crossEntropy(linear(x, w), targets)}.
     */
    public static Tensor linearCrossEntropy(Tensor x, Tensor w, int[] targets) {
        int IN = w.dim(1), V = w.dim(0);
        if (x.dim(-1) != IN) throw new IllegalArgumentException("linearCrossEntropy: input has " + x.dim(-1) + " features, weight expects " + IN);
        int N = x.size() / IN;
        if (targets.length != N) throw new IllegalArgumentException("linearCrossEntropy: " + targets.length + " targets for " + N + " rows");
        float[] logits = Workspace.take(N * V);
        if (w.frozenMatrix() != null) Linear.forward(logits, x.data, w.frozenMatrix(), N);
        else Backends.current().abT(logits, x.data, w.data, N, IN, V, false);
        int count = 0;
        for (int n = 0; n < N; n++) {
            int t = targets[n];
            if (t == IGNORE_INDEX) continue;
            if (t < 0 || t >= V) throw new IllegalArgumentException("linearCrossEntropy: target " + t + " at row " + n + " outside vocabulary of " + V);
            count++;
        }
        int counted = count;
        float[] lse = new float[N], picked = new float[N];
        boolean training = Grad.isEnabled() && (x.requiresGrad() || w.requiresGrad());
        // subtle: in training the buffer holds d loss / d logits from here on, for a loss seeded with 1 (as
        // backward() seeds it), computed while each row of logits is still in cache
        float unitScale = counted == 0 ? 0f : 1f / counted;
        if (training) {
            Softmax.lossAndGradientInPlace(lse, picked, logits, targets, IGNORE_INDEX, unitScale, N, V);
        } else {
            Softmax.logSumExp(lse, logits, N, V);
            for (int n = 0; n < N; n++) if (targets[n] != IGNORE_INDEX) picked[n] = logits[n * V + targets[n]];
        }
        double sum = 0;
        for (int n = 0; n < N; n++) if (targets[n] != IGNORE_INDEX) sum += lse[n] - picked[n];
        float loss = counted == 0 ? 0f : (float) (sum / counted);
        Tensor out = Tensor.result(new float[] {loss}, new int[0], dout -> {
            // a loss seeded otherwise (scaled for gradient accumulation) scales the gradient computed for 1
            if (dout[0] != 1f) {
                Parallel.forRange(N * V, Parallel.ELEMENT_GRAIN, (start, end) -> Simd.scaleInPlace(logits, start, end - start, dout[0]));
            }
            if (x.requiresGrad()) backwardInput(x, logits, w, N, IN, V);
            if (w.requiresGrad()) backwardWeight(w, logits, x.data, N, IN, V);
            Workspace.give(logits);
        }, x, w);
        if (!out.requiresGrad()) Workspace.give(logits);
        return out;
    }

    /** log softmax(logits[n, :])[index[n]] for each row: logits (N, V) → (N). */
    public static Tensor logSoftmaxGather(Tensor logits, int[] index) {
        int V = logits.dim(-1), N = logits.size() / V;
        if (index.length != N) throw new IllegalArgumentException("logSoftmaxGather: " + index.length + " indices for " + N + " rows");
        float[] lse = new float[N];
        Softmax.logSumExp(lse, logits.data, N, V);
        float[] out = new float[N];
        for (int n = 0; n < N; n++) {
            if (index[n] < 0 || index[n] >= V) throw new IllegalArgumentException("logSoftmaxGather: index " + index[n] + " at row " + n + " outside " + V);
            out[n] = logits.data[n * V + index[n]] - lse[n];
        }
        return Tensor.result(out, new int[] {N}, dout -> {
            if (!logits.requiresGrad()) return;
            float[] a = new float[N];
            for (int n = 0; n < N; n++) a[n] = -dout[n];
            Softmax.backward(logits.gradForUpdate(), logits.data, lse, index, a, dout, N, V);
        }, logits);
    }
}
