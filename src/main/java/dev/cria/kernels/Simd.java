package dev.cria.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API building blocks shared by the kernels, each beside its scalar twin.
 *
 * <p>{@link #ENABLED} is the one switch between the two paths ({@code -Dcria.simd=false} turns the
 * Vector API off); tests call both twins directly and pin one to the other.
 */
public final class Simd {
    public static final boolean ENABLED = !"false".equals(System.getProperty("cria.simd"));
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int LANES = F.length();

    private Simd() {
    }

    /** sum_i a[aOff+i] * b[bOff+i] for i in [0, n). */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        return ENABLED ? dotVector(a, aOff, b, bOff, n) : dotScalar(a, aOff, b, bOff, n);
    }

    public static float dotScalar(float[] a, int aOff, float[] b, int bOff, int n) {
        float sum = 0;
        for (int i = 0; i < n; i++) sum += a[aOff + i] * b[bOff + i];
        return sum;
    }

    public static float dotVector(float[] a, int aOff, float[] b, int bOff, int n) {
        int i = 0;
        float sum = 0;
        if (n >= LANES) {
            var acc = FloatVector.zero(F);
            int bound = F.loopBound(n);
            for (; i < bound; i += LANES) {
                acc = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc);
            }
            sum = acc.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) sum += a[aOff + i] * b[bOff + i];
        return sum;
    }

    /** y[yOff+i] += alpha * x[xOff+i] for i in [0, n). */
    public static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        if (ENABLED) axpyVector(alpha, x, xOff, y, yOff, n);
        else axpyScalar(alpha, x, xOff, y, yOff, n);
    }

    public static void axpyScalar(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) y[yOff + i] += alpha * x[xOff + i];
    }

    public static void axpyVector(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        if (n >= LANES) {
            var a = FloatVector.broadcast(F, alpha);
            int bound = F.loopBound(n);
            for (; i < bound; i += LANES) {
                FloatVector.fromArray(F, x, xOff + i).fma(a, FloatVector.fromArray(F, y, yOff + i)).intoArray(y, yOff + i);
            }
        }
        for (; i < n; i++) y[yOff + i] += alpha * x[xOff + i];
    }

    /** x[off+i] *= alpha for i in [0, n). */
    public static void scaleInPlace(float[] x, int off, int n, float alpha) {
        int i = 0;
        if (ENABLED) {
            var a = FloatVector.broadcast(F, alpha);
            for (int bound = F.loopBound(n); i < bound; i += LANES) FloatVector.fromArray(F, x, off + i).mul(a).intoArray(x, off + i);
        }
        for (; i < n; i++) x[off + i] *= alpha;
    }

    /** sum_i x[off+i]^2. */
    public static float sumOfSquares(float[] x, int off, int n) {
        return dot(x, off, x, off, n);
    }
}
