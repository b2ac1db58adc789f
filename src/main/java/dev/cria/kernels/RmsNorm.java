package dev.cria.kernels;

import dev.cria.tensor.Parallel;
import jdk.incubator.vector.FloatVector;

/**
 * RMSNorm over the last dimension, in fp32: {@code out = x / sqrt(mean(x²) + eps) * w}.
 * Legend: N rows, C channels. The forward saves {@code rstd = 1/sqrt(mean(x²)+eps)} per row for the backward.
 */
public final class RmsNorm {
    private RmsNorm() {
    }

    public static void forward(float[] out, float[] rstd, float[] x, float[] w, int N, int C, float eps) {
        boolean simd = Simd.ENABLED;
        Parallel.forRange(N, Parallel.rowGrain(C), (start, end) -> {
            for (int n = start; n < end; n++) {
                if (simd) rowForwardVector(out, rstd, x, w, n, C, eps);
                else rowForwardScalar(out, rstd, x, w, n, C, eps);
            }
        });
    }

    public static void forwardScalar(float[] out, float[] rstd, float[] x, float[] w, int N, int C, float eps) {
        for (int n = 0; n < N; n++) rowForwardScalar(out, rstd, x, w, n, C, eps);
    }

    public static void forwardVector(float[] out, float[] rstd, float[] x, float[] w, int N, int C, float eps) {
        for (int n = 0; n < N; n++) rowForwardVector(out, rstd, x, w, n, C, eps);
    }

    private static void rowForwardScalar(float[] out, float[] rstd, float[] x, float[] w, int n, int C, float eps) {
        int off = n * C;
        float r = (float) (1.0 / Math.sqrt(Simd.dotScalar(x, off, x, off, C) / C + eps));
        rstd[n] = r;
        for (int i = 0; i < C; i++) out[off + i] = x[off + i] * r * w[i];
    }

    private static void rowForwardVector(float[] out, float[] rstd, float[] x, float[] w, int n, int C, float eps) {
        int off = n * C;
        float r = (float) (1.0 / Math.sqrt(Simd.dotVector(x, off, x, off, C) / C + eps));
        rstd[n] = r;
        int i = 0;
        var rv = FloatVector.broadcast(Simd.F, r);
        for (int bound = Simd.F.loopBound(C); i < bound; i += Simd.LANES) {
            FloatVector.fromArray(Simd.F, x, off + i).mul(rv).mul(FloatVector.fromArray(Simd.F, w, i)).intoArray(out, off + i);
        }
        for (; i < C; i++) out[off + i] = x[off + i] * r * w[i];
    }

    /**
     * dx += ∂L/∂x and dw += ∂L/∂w. Differentiates {@code out_i = x_i·r·w_i} with {@code r = (mean(x²)+eps)^-½}:
     * {@code dx_i = r·w_i·dout_i − (r³/C)·x_i·Σ_j dout_j·w_j·x_j}.
     */
    public static void backward(float[] dx, float[] dw, float[] dout, float[] x, float[] w, float[] rstd, int N, int C) {
        if (dx != null) {
            Parallel.forRange(N, Parallel.rowGrain(C), (start, end) -> {
                float[] tmp = new float[C];
                for (int n = start; n < end; n++) rowBackwardInput(dx, dout, x, w, rstd, n, C, tmp);
            });
        }
        if (dw != null) {
            // each column summed over the rows in order, whole on one thread: the same sums on any number of
            // threads as one thread going row by row (which left the other core idle, 0.3% of a small step)
            int L = Simd.LANES, bound = Simd.ENABLED ? Simd.F.loopBound(C) : 0;
            int blocks = bound / L + (bound < C ? 1 : 0);
            Parallel.forRange(blocks, 1, (first, last) -> {
                for (int block = first; block < last; block++) {
                    int c0 = block * L;
                    if (c0 < bound) accumulateWeightGradientVector(dw, dout, x, rstd, N, C, c0);
                    else accumulateWeightGradientScalar(dw, dout, x, rstd, N, C, c0);
                }
            });
        }
    }

    /** dw[c0 .. c0 + LANES) += Σ_n dout[n, c]·(x[n, c]·rstd[n]), one vector of columns down the rows. */
    private static void accumulateWeightGradientVector(float[] dw, float[] dout, float[] x, float[] rstd, int N, int C, int c0) {
        var acc = FloatVector.fromArray(Simd.F, dw, c0);
        for (int n = 0, off = c0; n < N; n++, off += C) {
            acc = FloatVector.fromArray(Simd.F, dout, off).fma(FloatVector.fromArray(Simd.F, x, off).mul(rstd[n]), acc);
        }
        acc.intoArray(dw, c0);
    }

    /** The same for columns c0..C, an element at a time (the columns past the last whole vector). */
    private static void accumulateWeightGradientScalar(float[] dw, float[] dout, float[] x, float[] rstd, int N, int C, int c0) {
        for (int n = 0; n < N; n++) {
            for (int i = c0, off = n * C; i < C; i++) dw[i] += dout[off + i] * (x[off + i] * rstd[n]);
        }
    }

    /** Scalar twin of {@link #backward}, for tests. */
    public static void backwardScalar(float[] dx, float[] dw, float[] dout, float[] x, float[] w, float[] rstd, int N, int C) {
        for (int n = 0; n < N; n++) {
            int off = n * C;
            float r = rstd[n];
            float dot = 0;
            for (int i = 0; i < C; i++) dot += dout[off + i] * w[i] * x[off + i];
            float k = r * r * r / C * dot;
            for (int i = 0; i < C; i++) {
                dx[off + i] += r * w[i] * dout[off + i] - k * x[off + i];
                dw[i] += dout[off + i] * x[off + i] * r;
            }
        }
    }

    private static void rowBackwardInput(float[] dx, float[] dout, float[] x, float[] w, float[] rstd, int n, int C, float[] tmp) {
        int off = n * C;
        float r = rstd[n];
        for (int i = 0; i < C; i++) tmp[i] = dout[off + i] * w[i];
        float dot = Simd.dot(tmp, 0, x, off, C);
        float k = r * r * r / C * dot;
        Simd.axpy(r, tmp, 0, dx, off, C);
        Simd.axpy(-k, x, off, dx, off, C);
    }
}
