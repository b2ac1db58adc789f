package dev.cria.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;

/**
 * A frozen weight matrix (rows, cols) block-quantized as GGUF stores it: each row is cut into blocks of
 * 32 weights, and each block keeps one float16 scale d and 32 small integers q, the weight being q·d.
 * <ul>
 *   <li>{@link Kind#Q8_0}: 34 bytes a block, d then 32 signed bytes; d = max|x| / 127.</li>
 *   <li>{@link Kind#Q4_0}: 18 bytes a block, d then 16 bytes of nibbles, the low nibble of byte j being
 *       weight j and the high nibble weight j + 16; the weight is (q − 8)·d, and d = −m / 8 where m is
 *       the block's weight of largest magnitude, so that m itself is exactly −8·d.</li>
 * </ul>
 * The quantizers are llama.cpp's reference ones ({@code quantize_row_q8_0_ref}, {@code quantize_row_q4_0_ref}),
 * so a file Cria writes holds the blocks llama.cpp's own converter would.
 *
 * <p>The blocks live off the Java heap (or in a mapped GGUF file), so a quantized model costs its block
 * bytes and no collector headroom.
 */
public final class QuantMatrix implements FrozenMatrix {
    /** A block layout: weights per block, bytes per block, and GGUF's type id for it. */
    public enum Kind {
        Q8_0(34, 8), Q4_0(18, 2);

        private final int blockBytes;
        private final int ggmlType;

        Kind(int blockBytes, int ggmlType) {
            this.blockBytes = blockBytes;
            this.ggmlType = ggmlType;
        }

        public int blockBytes() {
            return blockBytes;
        }

        /** The {@code ggml_type} number GGUF's tensor info gives this layout. */
        public int ggmlType() {
            return ggmlType;
        }

        /** Bytes for {@code count} weights (a multiple of {@link #BLOCK}). */
        public long bytesFor(long count) {
            return count / BLOCK * blockBytes;
        }

        /** The kind named {@code q8_0} or {@code q4_0} (any case), or null. */
        public static Kind named(String name) {
            for (Kind k : values()) if (k.name().equalsIgnoreCase(name)) return k;
            return null;
        }
    }

    /** Weights per block, in both layouts. */
    public static final int BLOCK = 32;

    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MemorySegment blocks; // rows · (cols / 32) blocks, row-major
    private final int rows, cols;
    private final int rowBytes;
    private final Kind kind;

    private QuantMatrix(MemorySegment blocks, int rows, int cols, Kind kind) {
        if (rows < 0 || cols < 0) throw new IllegalArgumentException("negative shape: " + rows + " x " + cols);
        if (!quantizable(cols)) throw new IllegalArgumentException(cols + " columns is not a multiple of the block size " + BLOCK);
        if (blocks.byteSize() != kind.bytesFor((long) rows * cols)) {
            throw new IllegalArgumentException(blocks.byteSize() + " bytes for a " + rows + " x " + cols + " " + kind + " matrix");
        }
        this.blocks = blocks;
        this.rows = rows;
        this.cols = cols;
        this.rowBytes = (int) kind.bytesFor(cols);
        this.kind = kind;
    }

    /** True when rows of {@code cols} weights cut into whole blocks; other matrices stay unquantized. */
    public static boolean quantizable(int cols) {
        return cols % BLOCK == 0;
    }

    /** The matrix whose GGUF blocks are {@code blocks} (e.g. a slice of a mapped file), without copying. */
    public static QuantMatrix of(MemorySegment blocks, int rows, int cols, Kind kind) {
        return new QuantMatrix(blocks, rows, cols, kind);
    }

    /** {@code values} (rows, cols) quantized into new off-heap blocks. */
    public static QuantMatrix quantize(float[] values, int rows, int cols, Kind kind) {
        if (values.length != rows * cols) throw new IllegalArgumentException(values.length + " values for " + rows + " x " + cols);
        QuantMatrix q = allocate(rows, cols, kind);
        for (int r = 0; r < rows; r++) q.quantizeRow(r, values, r * cols);
        return q;
    }

    /** A zeroed matrix to quantize into, row by row ({@link #quantizeRow}). */
    public static QuantMatrix allocate(int rows, int cols, Kind kind) {
        if (!quantizable(cols)) throw new IllegalArgumentException(cols + " columns is not a multiple of the block size " + BLOCK);
        return new QuantMatrix(Arena.ofAuto().allocate(kind.bytesFor((long) rows * cols), 8), rows, cols, kind);
    }

    /** Quantizes {@code src[from .. from+cols]} into row {@code row}; rows may be quantized by several threads at once. */
    public void quantizeRow(int row, float[] src, int from) {
        byte[] bytes = new byte[rowBytes];
        for (int b = 0, at = 0; b < cols / BLOCK; b++, at += kind.blockBytes) {
            if (kind == Kind.Q8_0) quantizeQ8(src, from + b * BLOCK, bytes, at);
            else quantizeQ4(src, from + b * BLOCK, bytes, at);
        }
        MemorySegment.copy(bytes, 0, blocks, ValueLayout.JAVA_BYTE, (long) row * rowBytes, rowBytes);
    }

    /** llama.cpp's quantize_row_q8_0_ref for one block: q = round(x / d), halves away from zero. */
    static void quantizeQ8(float[] x, int from, byte[] out, int at) {
        float amax = 0;
        for (int j = 0; j < BLOCK; j++) amax = Math.max(amax, Math.abs(x[from + j]));
        float d = amax / 127f;
        float id = d != 0 ? 1f / d : 0f;
        putHalf(out, at, Float.floatToFloat16(d));
        for (int j = 0; j < BLOCK; j++) out[at + 2 + j] = (byte) roundAwayFromZero(x[from + j] * id);
    }

    private static void putHalf(byte[] out, int at, short h) {
        out[at] = (byte) h;
        out[at + 1] = (byte) (h >> 8);
    }

    /** llama.cpp's quantize_row_q4_0_ref for one block: q = min(15, trunc(x / d + 8.5)). */
    static void quantizeQ4(float[] x, int from, byte[] out, int at) {
        float amax = 0, max = 0;
        for (int j = 0; j < BLOCK; j++) {
            float v = x[from + j];
            if (amax < Math.abs(v)) {
                amax = Math.abs(v);
                max = v;
            }
        }
        float d = max / -8f;
        float id = d != 0 ? 1f / d : 0f;
        putHalf(out, at, Float.floatToFloat16(d));
        for (int j = 0; j < BLOCK / 2; j++) {
            int lo = Math.min(15, (int) (x[from + j] * id + 8.5f));
            int hi = Math.min(15, (int) (x[from + j + BLOCK / 2] * id + 8.5f));
            out[at + 2 + j] = (byte) (lo | hi << 4);
        }
    }

    /** C's roundf: to the nearest integer, halves away from zero (Math.round sends −2.5 to −2). */
    private static int roundAwayFromZero(float v) {
        double magnitude = Math.floor(Math.abs((double) v) + 0.5);
        return (int) (v < 0 ? -magnitude : magnitude);
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

    /** The GGUF blocks, row after row: what a GGUF file of this type stores for the tensor. */
    public MemorySegment blocks() {
        return blocks;
    }

    @Override
    public long byteSize() {
        return blocks.byteSize();
    }

    /** The float16 scale of the block holding element (r, c). */
    float scale(int r, int c) {
        return Float.float16ToFloat(blocks.get(HALF, blockOffset(r, c)));
    }

    private long blockOffset(int r, int c) {
        return (long) r * rowBytes + (long) (c / BLOCK) * kind.blockBytes;
    }

    /** The integer code of element (r, c): −127..127 for Q8_0, 0..15 for Q4_0. */
    int code(int r, int c) {
        long at = blockOffset(r, c) + 2;
        int j = c % BLOCK;
        if (kind == Kind.Q8_0) return blocks.get(ValueLayout.JAVA_BYTE, at + j);
        int packed = blocks.get(ValueLayout.JAVA_BYTE, at + j % (BLOCK / 2)) & 0xFF;
        return j < BLOCK / 2 ? packed & 0xF : packed >>> 4;
    }

    @Override
    public float get(int r, int c) {
        int q = code(r, c);
        return (kind == Kind.Q8_0 ? q : q - 8) * scale(r, c);
    }

    /** Widening is exact: a code (8 bits at most) times a float16 scale fits float32's 24-bit mantissa. */
    @Override
    public void widen(int row, int col, int count, float[] dst, int at) {
        if (Simd.ENABLED) widenVector(row, col, count, dst, at);
        else widenScalar(row, col, count, dst, at);
    }

    @Override
    public void widenScalar(int row, int col, int count, float[] dst, int at) {
        for (int i = 0; i < count; i++) dst[at + i] = get(row, col + i);
    }

    /**
     * {@link #widen} a block at a time: each whole block's codes become float vectors in registers
     * ({@link QuantDot#codes}) times the block's scale. The weights of a partial block at either end of
     * the window go one at a time, with the same arithmetic.
     */
    public void widenVector(int row, int col, int count, float[] dst, int at) {
        if (count <= 0) return;
        int first = col / BLOCK, end = col + count;
        byte[] raw = QuantDot.staging(((end + BLOCK - 1) / BLOCK - first) * kind.blockBytes);
        copyBlocks(row, first, (end + BLOCK - 1) / BLOCK - first, raw);
        boolean q4 = kind == Kind.Q4_0;
        int c = col;
        for (; c < end && c % BLOCK != 0; c++) dst[at + c - col] = weightAt(raw, (c / BLOCK - first) * kind.blockBytes, c % BLOCK, q4);
        for (; c + BLOCK <= end; c += BLOCK) {
            int block = (c / BLOCK - first) * kind.blockBytes;
            var d = FloatVector.broadcast(Simd.F, scaleAt(raw, block));
            for (int i = 0; i < BLOCK / Simd.LANES; i++) {
                QuantDot.codes(raw, block + 2, i, q4).mul(d).intoArray(dst, at + c - col + i * Simd.LANES);
            }
        }
        for (; c < end; c++) dst[at + c - col] = weightAt(raw, (c / BLOCK - first) * kind.blockBytes, c % BLOCK, q4);
    }

    /** Bytes of one row's blocks. */
    int rowBytes() {
        return rowBytes;
    }

    /**
     * Copies {@code count} blocks of row {@code row}, from block {@code first} on, to raw[0 ..]. Kernels
     * read blocks from such a heap copy, not from the segment: see {@link HalfMatrix#widenBf16Vector} for
     * what vector loads straight from a segment cost inside a parallel task.
     */
    void copyBlocks(int row, int first, int count, byte[] raw) {
        MemorySegment.copy(blocks, ValueLayout.JAVA_BYTE, (long) row * rowBytes + (long) first * kind.blockBytes, raw, 0,
                count * kind.blockBytes);
    }

    /** The float16 scale of the block at raw[block], widened. */
    static float scaleAt(byte[] raw, int block) {
        return Float.float16ToFloat((short) ((raw[block] & 0xFF) | raw[block + 1] << 8));
    }

    /** Weight j (0..31) of the block at raw[block]: {@link #get} on a copied block. */
    static float weightAt(byte[] raw, int block, int j, boolean q4) {
        int q;
        if (!q4) q = raw[block + 2 + j];
        else q = (j < BLOCK / 2 ? raw[block + 2 + j] & 0xF : (raw[block + 2 + j - BLOCK / 2] >>> 4) & 0xF) - 8;
        return q * scaleAt(raw, block);
    }
}
