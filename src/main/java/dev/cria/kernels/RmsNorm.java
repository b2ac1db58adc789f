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
            // Accumulated row by row on one thread: a fixed summation order keeps training deterministic.
            float[] tmp = new float[C];
            for (int n = 0; n < N; n++) {
                int off = n * C;
                for (int i = 0; i < C; i++) tmp[i] = x[off + i] * rstd[n];
                mulAdd(dw, dout, off, tmp, C);
            }
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

    /** acc[i] += a[aOff+i] * b[i]. */
    private static void mulAdd(float[] acc, float[] a, int aOff, float[] b, int C) {
        int i = 0;
        if (Simd.ENABLED) {
            for (int bound = Simd.F.loopBound(C); i < bound; i += Simd.LANES) {
                FloatVector.fromArray(Simd.F, a, aOff + i).fma(FloatVector.fromArray(Simd.F, b, i),
                        FloatVector.fromArray(Simd.F, acc, i)).intoArray(acc, i);
            }
        }
        for (; i < C; i++) acc[i] += a[aOff + i] * b[i];
    }
}
