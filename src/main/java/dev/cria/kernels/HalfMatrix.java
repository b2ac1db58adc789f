package dev.cria.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * A frozen weight matrix (rows, cols), row-major, kept in the 16 bits its checkpoint stores: BF16 or
 * F16, little-endian. Usually a slice of the memory-mapped safetensors file (zero copy: the pages are
 * the file's, shared with the page cache), else a heap segment built from floats (tests, merges).
 *
 * <p>Kernels read it a run of one row at a time, widened into a float buffer ({@link #widen}); the
 * matrix as a whole is never held in float32. It is not a tensor: read only, and no gradient.
 */
public final class HalfMatrix implements FrozenMatrix {
    /** How the 16 bits encode a float: bfloat16 (the top half of a float32) or IEEE half precision. */
    public enum Kind { BF16, F16 }

    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** As many shorts as {@link Simd#F} has floats, so one load widens into one float vector. */
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(Simd.LANES * Short.SIZE));
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, Simd.F.vectorShape());

    private final MemorySegment bits; // rows·cols shorts
    private final int rows, cols;
    private final Kind kind;

    private HalfMatrix(MemorySegment bits, int rows, int cols, Kind kind) {
        if (rows < 0 || cols < 0) throw new IllegalArgumentException("negative shape: " + rows + " x " + cols);
        if (bits.byteSize() != 2L * rows * cols) {
            throw new IllegalArgumentException(bits.byteSize() + " bytes for a " + rows + " x " + cols + " matrix of 16-bit values");
        }
        this.bits = bits;
        this.rows = rows;
        this.cols = cols;
        this.kind = kind;
    }

    /** The matrix whose little-endian 16-bit values are {@code bits} (e.g. a mapped tensor), without copying. */
    public static HalfMatrix of(MemorySegment bits, int rows, int cols, Kind kind) {
        return new HalfMatrix(bits, rows, cols, kind);
    }

    /** {@code values} (rows, cols) rounded to the nearest 16-bit value of {@code kind}, ties to even. */
    public static HalfMatrix round(float[] values, int rows, int cols, Kind kind) {
        if (values.length != rows * cols) throw new IllegalArgumentException(values.length + " values for " + rows + " x " + cols);
        MemorySegment bits = MemorySegment.ofArray(new byte[2 * values.length]);
        for (int i = 0; i < values.length; i++) bits.setAtIndex(SHORT, i, kind == Kind.BF16 ? toBf16(values[i]) : Float.floatToFloat16(values[i]));
        return new HalfMatrix(bits, rows, cols, kind);
    }

    /** Rounds to the nearest bfloat16, ties to even; NaN stays NaN: as io.Safetensors.toBf16 writes (kernels do not depend on io). */
    static short toBf16(float value) {
        int b = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) return (short) ((b >>> 16) | 0x40);
        return (short) ((b + 0x7FFF + ((b >>> 16) & 1)) >>> 16);
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    public Kind kind() {
        return kind;
    }

    @Override
    public long byteSize() {
        return bits.byteSize();
    }

    /** The raw little-endian values, rows·cols shorts: what a checkpoint of this kind stores. */
    public MemorySegment bits() {
        return bits;
    }

    @Override
    public float get(int r, int c) {
        return widen(bits.getAtIndex(SHORT, (long) r * cols + c));
    }

    private float widen(short h) {
        return kind == Kind.BF16 ? Float.intBitsToFloat((h & 0xFFFF) << 16) : Float.float16ToFloat(h);
    }

    /** Widening 16 bits to float32 is exact. */
    @Override
    public void widen(int row, int col, int count, float[] dst, int at) {
        if (!Simd.ENABLED) widenScalar(row, col, count, dst, at);
        else if (kind == Kind.BF16) widenBf16Vector(row, col, count, dst, at);
        else widenF16(row, col, count, dst, at);
    }

    @Override
    public void widenScalar(int row, int col, int count, float[] dst, int at) {
        long from = (long) row * cols + col;
        for (int i = 0; i < count; i++) dst[at + i] = widen(bits.getAtIndex(SHORT, from + i));
    }

    /**
     * BF16 to float32 a vector at a time: the shorts sign-extend into ints (S2I), and the shift left by
     * 16 pushes the extended sign bits out, leaving exactly {@code bits << 16}.
     *
     * <p>subtle: the shorts are first copied into a per-thread array and loaded from there. Loading
     * vectors straight from the segment goes through a few more calls than loading from an array; inside
     * a GEMM task that took the chain past the JIT's inlining depth, and every load was boxed (10× slower,
     * gigabytes of garbage).
     */
    public void widenBf16Vector(int row, int col, int count, float[] dst, int at) {
        short[] raw = staged(row, col, count);
        int i = 0;
        for (int bound = S.loopBound(count); i < bound; i += Simd.LANES) {
            var h = ShortVector.fromArray(S, raw, i);
            ((IntVector) h.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16)
                    .reinterpretAsFloats().intoArray(dst, at + i);
        }
        for (; i < count; i++) dst[at + i] = Float.intBitsToFloat((raw[i] & 0xFFFF) << 16);
    }

    /**
     * F16 to float32 with {@code Float.float16ToFloat} over a staged copy of the shorts: a plain loop
     * over arrays, which C2 turns into vector conversions where the CPU has them (F16C, AVX-512).
     */
    public void widenF16(int row, int col, int count, float[] dst, int at) {
        short[] raw = staged(row, col, count);
        for (int i = 0; i < count; i++) dst[at + i] = Float.float16ToFloat(raw[i]);
    }

    /** The shorts of row, col .. col+count, copied into this thread's staging array. */
    private short[] staged(int row, int col, int count) {
        short[] raw = RAW.get();
        if (raw.length < count) {
            raw = new short[count];
            RAW.set(raw);
        }
        MemorySegment.copy(bits, SHORT, 2 * ((long) row * cols + col), raw, 0, count);
        return raw;
    }

    /** Each thread's staging array for the vector widenings. */
    private static final ThreadLocal<short[]> RAW = ThreadLocal.withInitial(() -> new short[0]);
}
