package dev.cria.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Rounding float32 to the nearest bfloat16 (ties to even), kept as a float32 whose low 16 bits are zero.
 * bfloat16 is the upper half of a float32, so a rounded value multiplies in the float32 kernels exactly as
 * a bfloat16 operand would in hardware that widens it: the product of two is exact in float32.
 */
public final class Bf16 {
    private static final int HIGH = 0xFFFF0000;
    /** As many 16-bit lanes as {@link Simd#F} has floats: the packed half of one float vector. */
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(Simd.LANES * 16));
    private static final ValueLayout.OfShort BITS = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.nativeOrder());

    private Bf16() {
    }

    /** The scalar twin: add 0x7FFF plus the lowest kept bit, drop the low half. NaN stays a quiet NaN. */
    public static float round(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) return Float.intBitsToFloat((bits | 0x00400000) & HIGH);
        return Float.intBitsToFloat((bits + 0x7FFF + ((bits >>> 16) & 1)) & HIGH);
    }

    /** dst[from..to) = round(src[from..to)). */
    public static void round(float[] src, float[] dst, int from, int to) {
        if (!Simd.ENABLED) {
            roundScalar(src, dst, from, to);
            return;
        }
        int i = from;
        for (int bound = from + Simd.F.loopBound(to - from); i < bound; i += Simd.LANES) {
            IntVector rounded = roundedBits(FloatVector.fromArray(Simd.F, src, i));
            rounded.and(HIGH).reinterpretAsFloats().intoArray(dst, i);
        }
        for (; i < to; i++) dst[i] = round(src[i]);
    }

    /** The vector twin of {@link #round(float)} before the low half is dropped (small enough for C2 to inline). */
    private static IntVector roundedBits(FloatVector v) {
        IntVector bits = v.reinterpretAsInts();
        IntVector rounded = bits.add(bits.lanewise(VectorOperators.LSHR, 16).and(1)).add(0x7FFF);
        return rounded.blend(bits.or(0x00400000), v.test(VectorOperators.IS_NAN).cast(rounded.species()));
    }

    public static void roundScalar(float[] src, float[] dst, int from, int to) {
        for (int i = from; i < to; i++) dst[i] = round(src[i]);
    }

    /**
     * Packs src[from..to) as bfloat16 bit patterns into {@code dst}, element i at byte 2·i, in the machine's
     * byte order: what a native bfloat16 kernel reads. The bits are those of {@link #round(float)}.
     */
    public static void pack(float[] src, MemorySegment dst, int from, int to) {
        if (!Simd.ENABLED) {
            packScalar(src, dst, from, to);
            return;
        }
        int i = from;
        for (int bound = from + Simd.F.loopBound(to - from); i < bound; i += Simd.LANES) {
            IntVector rounded = roundedBits(FloatVector.fromArray(Simd.F, src, i));
            rounded.lanewise(VectorOperators.LSHR, 16).convertShape(VectorOperators.I2S, S, 0)
                    .reinterpretAsShorts().intoMemorySegment(dst, 2L * i, ByteOrder.nativeOrder());
        }
        packScalar(src, dst, i, to);
    }

    public static void packScalar(float[] src, MemorySegment dst, int from, int to) {
        for (int i = from; i < to; i++) dst.set(BITS, 2L * i, (short) (Float.floatToRawIntBits(round(src[i])) >>> 16));
    }
}
