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
        Parallel.forRange(n, Parallel.ELEMENT_GRAIN, (start, end) -> {
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
        backward(dg, du, dout, g, u, n, true);
    }

    /** The same, added to dg and du or, when both are given and {@code accumulate} is false, written over them. */
    public static void backward(float[] dg, float[] du, float[] dout, float[] g, float[] u, int n, boolean accumulate) {
        boolean simd = Simd.ENABLED;
        Parallel.forRange(n, Parallel.ELEMENT_GRAIN, (start, end) -> {
            if (simd) backwardVector(dg, du, dout, g, u, start, end, accumulate);
            else backwardScalar(dg, du, dout, g, u, start, end, accumulate);
        });
    }

    public static void backwardScalar(float[] dg, float[] du, float[] dout, float[] g, float[] u, int start, int end, boolean accumulate) {
        for (int i = start; i < end; i++) {
            float sig = (float) (1.0 / (1.0 + Math.exp(-g[i])));
            float dgi = dout[i] * u[i] * sig * (1 + g[i] * (1 - sig)), dui = dout[i] * g[i] * sig;
            if (dg != null) dg[i] = accumulate ? dg[i] + dgi : dgi;
            if (du != null) du[i] = accumulate ? du[i] + dui : dui;
        }
    }

    public static void backwardVector(float[] dg, float[] du, float[] dout, float[] g, float[] u, int start, int end, boolean accumulate) {
        if (dg == null || du == null) {
            backwardScalar(dg, du, dout, g, u, start, end, accumulate);
            return;
        }
        var f = Simd.F;
        var zero = FloatVector.zero(f);
        int i = start;
        for (int bound = start + f.loopBound(end - start); i < bound; i += Simd.LANES) {
            var gv = FloatVector.fromArray(f, g, i);
            var dv = FloatVector.fromArray(f, dout, i);
            var sig = ONE.div(Simd.exp(gv.neg()).add(1f));
            var dsilu = sig.mul(gv.mul(sig.neg().add(1f)).add(1f));
            // written over: the same fma onto zero, so the same bits as adding to a zeroed gradient; du is
            // read after dg is stored, as dg and du are one array for swiGlu(x, x)
            dv.mul(FloatVector.fromArray(f, u, i)).fma(dsilu, accumulate ? FloatVector.fromArray(f, dg, i) : zero).intoArray(dg, i);
            dv.mul(gv).fma(sig, accumulate ? FloatVector.fromArray(f, du, i) : zero).intoArray(du, i);
        }
        backwardScalar(dg, du, dout, g, u, i, end, accumulate);
    }
}
