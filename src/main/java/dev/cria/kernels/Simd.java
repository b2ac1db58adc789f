package dev.cria.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API building blocks shared by the kernels, each beside its scalar twin.
 *
 * <p>{@link #ENABLED} is the one switch between the two paths ({@code -Dcria.simd=false} turns the
 * Vector API off); tests call both twins directly and pin one to the other.
 */
public final class Simd {
    public static final boolean ENABLED = !"false".equals(System.getProperty("cria.simd"));
    /**
     * The machine's widest vectors, or {@code -Dcria.vector.bits=128|256|512} to force a width: the tests
     * use it to run the 4- and 16-lane code on a host whose vectors hold 8 (the JDK then emulates them).
     */
    static final VectorSpecies<Float> F = species(Integer.getInteger("cria.vector.bits", 0));
    static final int LANES = F.length();

    private Simd() {
    }

    /** Shuffles that pair lane i with lane i ^ d; null where d is not below the lane count. */
    static final VectorShuffle<Float> SWAP_8 = swap(8), SWAP_4 = swap(4), SWAP_2 = swap(2), SWAP_1 = swap(1);
    /** Lanes whose index has bit 0, 1 or 2 set: the halves of the butterflies in {@link Gemm} and {@link LaneAttention}. */
    static final VectorMask<Float> ODD = VectorMask.fromLong(F, 0xAAAAAAAAAAAAAAAAL), BIT_1 = VectorMask.fromLong(F, 0xCCCCCCCCCCCCCCCCL),
            BIT_2 = VectorMask.fromLong(F, 0xF0F0F0F0F0F0F0F0L);

    /**
     * Each lane's index, as a float: compared with the count of a row's elements left, it masks a last
     * partial vector. (A helper returning the mask was not always inlined, and a mask returned from a call
     * is boxed.)
     */
    static final FloatVector LANE_INDEX = FloatVector.fromArray(F, laneIndices(), 0);

    private static float[] laneIndices() {
        float[] index = new float[LANES];
        for (int i = 0; i < index.length; i++) index[i] = i;
        return index;
    }

    /** x rounded up to a multiple of {@code multiple}. */
    static int roundUp(int x, int multiple) {
        return (x + multiple - 1) / multiple * multiple;
    }

    static {
        if (LANES < 4 || LANES > 16) throw new ExceptionInInitializerError("vectors of " + LANES + " floats are not supported");
    }

    private static VectorSpecies<Float> species(int bits) {
        if (bits == 0) return FloatVector.SPECIES_PREFERRED;
        if (bits != 128 && bits != 256 && bits != 512) {
            throw new IllegalArgumentException("-Dcria.vector.bits must be 128, 256 or 512, not " + bits);
        }
        return VectorSpecies.of(float.class, jdk.incubator.vector.VectorShape.forBitSize(bits));
    }

    private static VectorShuffle<Float> swap(int d) {
        return d < LANES ? VectorShuffle.fromOp(F, i -> i ^ d) : null;
    }

    /**
     * The sum of a vector's lanes, always added in the same pairwise order. {@code reduceLanes(ADD)} is
     * not used because its JIT intrinsic and its interpreted fallback add the lanes in different orders,
     * so results would depend on when the compiler stepped in (a resumed run would drift from an
     * uninterrupted one, and two identical runs in one process would differ).
     */
    static float sum(FloatVector v) {
        // LANES is a constant (4, 8 or 16, checked above), so the JIT folds the branches away
        if (LANES > 8) v = v.add(v.rearrange(SWAP_8));
        if (LANES > 4) v = v.add(v.rearrange(SWAP_4));
        v = v.add(v.rearrange(SWAP_2));
        v = v.add(v.rearrange(SWAP_1));
        return v.lane(0);
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
            sum = sum(acc);
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

    /** out[off+i] = a[off+i] + b[off+i] for i in [0, n). */
    public static void add(float[] a, float[] b, float[] out, int off, int n) {
        if (ENABLED) addVector(a, b, out, off, n);
        else addScalar(a, b, out, off, n);
    }

    public static void addScalar(float[] a, float[] b, float[] out, int off, int n) {
        for (int i = off; i < off + n; i++) out[i] = a[i] + b[i];
    }

    public static void addVector(float[] a, float[] b, float[] out, int off, int n) {
        int i = off, end = off + n;
        for (int bound = off + F.loopBound(n); i < bound; i += LANES) {
            FloatVector.fromArray(F, a, i).add(FloatVector.fromArray(F, b, i)).intoArray(out, i);
        }
        for (; i < end; i++) out[i] = a[i] + b[i];
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

    private static final float EXP_HI = 88.3762626647949f, EXP_LO = -87.33654f, EXP_OVERFLOW = 88.72283f;
    private static final float LOG2E = 1.44269504088896341f, LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    private static final float ROUNDING = 12582912f; // 1.5·2²³: adding then subtracting it rounds to an integer

    /**
     * e^x lane by lane, from adds, multiplies and FMAs only (Cody–Waite reduction, a degree-6
     * polynomial; within 2 ulp of {@link Math#exp}). {@code lanewise(EXP)} is not used because its JIT
     * intrinsic and its interpreted fallback round differently, so a run's results would depend on when
     * the compiler stepped in, and a resumed run would drift from an uninterrupted one. Below e^-87.3
     * the result is 0; above float's range it is infinity; NaN stays NaN.
     */
    static FloatVector exp(FloatVector x) {
        var underflow = x.compare(VectorOperators.LT, EXP_LO);
        var overflow = x.compare(VectorOperators.GT, EXP_OVERFLOW);
        // clamped by blends, not max and min: FloatVector.max's NaN and −0 rules compile to five dependent
        // instructions each, and this chain's length is what bounds a softmax row (the same values: NaN
        // fails both compares and passes through)
        var xc = x.blend(EXP_LO, underflow).blend(EXP_HI, x.compare(VectorOperators.GT, EXP_HI));
        return expReduced(xc).blend(0f, underflow).blend(Float.POSITIVE_INFINITY, overflow);
    }

    /**
     * {@link #exp} of a softmax's shifted scores, x ≤ 0 up to rounding: the same bits, without the tests
     * for overflow, which such an x never reaches (any x below 88 is fine). A softmax's exponentials are
     * the bulk of attention's work at narrow heads, and the two tests were a sixth of each.
     */
    static FloatVector expOfShifted(FloatVector x) {
        var underflow = x.compare(VectorOperators.LT, EXP_LO);
        return expReduced(x.blend(EXP_LO, underflow)).blend(0f, underflow);
    }

    /** e^x for x in [EXP_LO, EXP_HI]: 2ⁿ·e^r with n = round(x·log2 e) and |r| ≤ ln2 / 2. */
    private static FloatVector expReduced(FloatVector xc) {
        var n = xc.mul(LOG2E).add(ROUNDING).sub(ROUNDING);
        var r = n.fma(n.broadcast(-LN2_HI), xc);
        r = n.fma(n.broadcast(-LN2_LO), r);
        var p = r.fma(1.9875691500e-4f, 1.3981999507e-3f);
        p = p.fma(r, r.broadcast(8.3334519073e-3f));
        p = p.fma(r, r.broadcast(4.1665795894e-2f));
        p = p.fma(r, r.broadcast(1.6666665459e-1f));
        p = p.fma(r, r.broadcast(5.0000001201e-1f));
        p = p.fma(r.mul(r), r).add(1f);
        var twoToN = ((IntVector) n.convert(VectorOperators.F2I, 0)).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(twoToN);
    }

    /** sum_i x[off+i]^2. */
    public static float sumOfSquares(float[] x, int off, int n) {
        return dot(x, off, x, off, n);
    }
}
