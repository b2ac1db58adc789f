package dev.cria.kernels;

import dev.cria.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** The SwiGLU gate: {@code out = silu(g) · u} with {@code silu(g) = g · σ(g)}, elementwise over n values. */
public final class SwiGlu {
    private static final FloatVector ONE = FloatVector.broadcast(Simd.F, 1f);

    private SwiGlu() {
    }

    public static void forward(float[] out, float[] g, float[] u, int n) {
        boolean simd = Simd.ENABLED;
        Parallel.forRange(n, 1 << 15, (start, end) -> {
            if (simd) forwardVector(out, g, u, start, end);
            else forwardScalar(out, g, u, start, end);
        });
    }

    public static void forwardScalar(float[] out, float[] g, float[] u, int start, int end) {
        for (int i = start; i < end; i++) {
            float sig = (float) (1.0 / (1.0 + Math.exp(-g[i])));
            out[i] = g[i] * sig * u[i];
        }
    }

    public static void forwardVector(float[] out, float[] g, float[] u, int start, int end) {
        var f = Simd.F;
        int i = start;
        for (int bound = start + f.loopBound(end - start); i < bound; i += Simd.LANES) {
            var gv = FloatVector.fromArray(f, g, i);
            var sig = ONE.div(Simd.exp(gv.neg()).add(1f));
            gv.mul(sig).mul(FloatVector.fromArray(f, u, i)).intoArray(out, i);
        }
        forwardScalar(out, g, u, i, end);
    }

    /**
     * dg += dout·u·σ(g)·(1 + g·(1 − σ(g))), du += dout·silu(g). Differentiates {@code out = g·σ(g)·u}.
     */
    public static void backward(float[] dg, float[] du, float[] dout, float[] g, float[] u, int n) {
        boolean simd = Simd.ENABLED;
        Parallel.forRange(n, 1 << 15, (start, end) -> {
            if (simd) backwardVector(dg, du, dout, g, u, start, end);
            else backwardScalar(dg, du, dout, g, u, start, end);
        });
    }

    public static void backwardScalar(float[] dg, float[] du, float[] dout, float[] g, float[] u, int start, int end) {
        for (int i = start; i < end; i++) {
            float sig = (float) (1.0 / (1.0 + Math.exp(-g[i])));
            if (dg != null) dg[i] += dout[i] * u[i] * sig * (1 + g[i] * (1 - sig));
            if (du != null) du[i] += dout[i] * g[i] * sig;
        }
    }

    public static void backwardVector(float[] dg, float[] du, float[] dout, float[] g, float[] u, int start, int end) {
        if (dg == null || du == null) {
            backwardScalar(dg, du, dout, g, u, start, end);
            return;
        }
        var f = Simd.F;
        int i = start;
        for (int bound = start + f.loopBound(end - start); i < bound; i += Simd.LANES) {
            var gv = FloatVector.fromArray(f, g, i);
            var dv = FloatVector.fromArray(f, dout, i);
            var sig = ONE.div(Simd.exp(gv.neg()).add(1f));
            var dsilu = sig.mul(gv.mul(sig.neg().add(1f)).add(1f));
            dv.mul(FloatVector.fromArray(f, u, i)).fma(dsilu, FloatVector.fromArray(f, dg, i)).intoArray(dg, i);
            dv.mul(gv).fma(sig, FloatVector.fromArray(f, du, i)).intoArray(du, i);
        }
        backwardScalar(dg, du, dout, g, u, i, end);
    }
}
