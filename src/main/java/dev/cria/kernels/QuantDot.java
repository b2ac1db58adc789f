package dev.cria.kernels;

import dev.cria.tensor.Parallel;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * x·Wᵀ for a few rows of activations against a block-quantized W ({@link QuantMatrix}): decoding, where
 * a token costs one read of every weight byte and little arithmetic. Each block's codes are widened in
 * registers, times the block's scale, and meet the activations there: no float copy of W is written,
 * so the memory traffic is the blocks' bytes (Q8_0: 34 per 32 weights, 0.27 of float32's).
 *
 * <p>Results are those of float32 dot products with the widened weights: {@code code·d} is exact in
 * float32, and each row's sum runs along K in the order {@link Gemm}'s float kernels use. (llama.cpp
 * instead quantizes the activations to 8 bits and sums integer products, which changes the results.)
 *
 * <p>Legend: M activation rows, N = W's rows (outputs), K = W's columns (a multiple of 32), L = {@link Simd#LANES}.
 */
public final class QuantDot {
    private QuantDot() {
    }

    /**
     * Bytes loaded per code vector: as many as a float vector has lanes, except that 4-lane floats load
     * 8 bytes (there are no 32-bit byte vectors) and widen one half or the other.
     */
    private static final VectorSpecies<Byte> BYTES = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, Simd.LANES * 8)));

    /**
     * Codes i·L .. i·L+L−1 of the block whose codes start at raw[codes], as floats: Q8_0's signed bytes,
     * or Q4_0's nibbles minus 8 (codes 0..15 are the low nibbles of the 16 bytes, 16..31 the high ones).
     * One small method per layout, and one kernel per layout, keep each kernel's inlined code small
     * (PrintInlining showed a joint method "too large" to inline at some call sites).
     */
    static FloatVector codes(byte[] raw, int codes, int i, boolean q4) {
        return q4 ? codesQ4(raw, codes, i) : codesQ8(raw, codes, i);
    }

    private static FloatVector codesQ8(byte[] raw, int codes, int i) {
        int j = i * Simd.LANES, start = j - j % BYTES.length();
        return widen(ByteVector.fromArray(BYTES, raw, codes + start), (j - start) / Simd.LANES);
    }

    private static FloatVector codesQ4(byte[] raw, int codes, int i) {
        int j = i * Simd.LANES, nibble = j % (QuantMatrix.BLOCK / 2), start = nibble - nibble % BYTES.length();
        var packed = ByteVector.fromArray(BYTES, raw, codes + start);
        // LSHR on bytes shifts the lane as unsigned, so the high nibble comes down with zeros above it
        var q = j < QuantMatrix.BLOCK / 2 ? packed.and((byte) 0xF) : packed.lanewise(VectorOperators.LSHR, 4);
        return widen(q.sub((byte) 8), (nibble - start) / Simd.LANES);
    }

    private static FloatVector codesQ8(MemorySegment raw, long codes, int i) {
        int j = i * Simd.LANES, start = j - j % BYTES.length();
        return widen(ByteVector.fromMemorySegment(BYTES, raw, codes + start, ByteOrder.LITTLE_ENDIAN), (j - start) / Simd.LANES);
    }

    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** The float16 scale of the block at raw[block], widened. */
    private static float scaleAt(MemorySegment raw, long block) {
        return Float.float16ToFloat(raw.get(HALF, block));
    }

    /** Signed bytes to floats; {@code part} picks the half of an 8-byte vector that 4-lane floats take. */
    private static FloatVector widen(ByteVector bytes, int part) {
        return (FloatVector) bytes.convertShape(VectorOperators.B2F, Simd.F, part);
    }

    /** C (M,N) (+)= A (M,K) · Wᵀ, for decoding (small M); {@link #abTScalar} is the reference. */
    public static void abT(float[] c, float[] a, QuantMatrix w, int M, boolean accumulate) {
        if (Simd.ENABLED) abTVector(c, a, w, M, accumulate);
        else abTScalar(c, a, w, M, accumulate);
    }

    /**
     * Reference for {@link #abTVector}: block by block, {@code sum += x·(code·d)} one weight at a time,
     * on copied blocks as the fast kernel reads them.
     */
    public static void abTScalar(float[] c, float[] a, QuantMatrix w, int M, boolean accumulate) {
        int N = w.rows(), K = w.cols(), bb = w.kind().blockBytes();
        boolean q4 = w.kind() == QuantMatrix.Kind.Q4_0;
        byte[] raw = new byte[w.rowBytes()];
        for (int n = 0; n < N; n++) {
            w.copyBlocks(n, 0, K / QuantMatrix.BLOCK, raw);
            for (int m = 0; m < M; m++) {
                float sum = 0;
                for (int k = 0; k < K; k++) sum += a[m * K + k] * QuantMatrix.weightAt(raw, k / QuantMatrix.BLOCK * bb, k % QuantMatrix.BLOCK, q4);
                c[m * N + n] = accumulate ? c[m * N + n] + sum : sum;
            }
        }
    }

    /**
     * Four rows of W at a time meet every row of A, one row of A at a time. Parallel over the fours of
     * W's rows. (A kernel of four rows of A against the four of W, as Gemm's float one, ran 5× slower
     * per row than this one; for four rows of A or more, Gemm widens W's rows once into a buffer instead.)
     * Q8_0 blocks are read straight from their segment: unlike {@link HalfMatrix}'s widening, these
     * segment loads stayed inlined, and they beat a copy (33 against 22 GB/s from cache, one thread).
     * Q4_0 blocks, and a last, partial four (zero-padded), are copied to a per-thread array first.
     */
    public static void abTVector(float[] c, float[] a, QuantMatrix w, int M, boolean accumulate) {
        int N = w.rows(), K = w.cols(), rowBytes = w.rowBytes(), blocks = K / QuantMatrix.BLOCK;
        boolean q4 = w.kind() == QuantMatrix.Kind.Q4_0;
        int quads = (N + 3) / 4;
        int grain = Math.max(1, 16384 / Math.max(1, M * K));
        MemorySegment seg = w.blocks();
        Parallel.forRange(quads, grain, (start, end) -> {
            byte[] raw = buffer(ROWS, 4 * rowBytes);
            for (int q = start; q < end; q++) {
                int n = 4 * q, count = Math.min(4, N - n);
                if (n + 4 * (AHEAD + 1) <= N) touch(seg, (long) (n + 4 * AHEAD) * rowBytes, 4 * rowBytes);
                if (count == 4 && !q4) {
                    for (int m = 0; m < M; m++) dot1x4Q8(c, a, seg, (long) n * rowBytes, rowBytes, K, N, m, n, count, accumulate);
                    continue;
                }
                w.copyBlocks(n, 0, count * blocks, raw);
                // missing rows of the last four: zero blocks, whose scale 0 makes every weight 0
                java.util.Arrays.fill(raw, count * rowBytes, 4 * rowBytes, (byte) 0);
                if (q4) {
                    for (int m = 0; m < M; m++) dot1x4Q4(c, a, raw, 0, rowBytes, K, N, m, n, count, accumulate);
                } else {
                    var copied = MemorySegment.ofArray(raw);
                    for (int m = 0; m < M; m++) dot1x4Q8(c, a, copied, 0, rowBytes, K, N, m, n, count, accumulate);
                }
            }
        });
    }

    /**
     * Row m of A against the four rows of W at raw[base ..], rowBytes apart: per block, each row's codes are widened and scaled
     * (exactly the widened weights) and FMA'd against the same vector of A.
     */
    private static void dot1x4Q8(float[] c, float[] a, MemorySegment raw, long base, int rowBytes, int K, int N, int m, int n, int count,
                                 boolean accumulate) {
        var f = Simd.F;
        int L = Simd.LANES, bb = 34;
        var s0 = FloatVector.zero(f);
        var s1 = FloatVector.zero(f);
        var s2 = FloatVector.zero(f);
        var s3 = FloatVector.zero(f);
        long r1 = rowBytes, r2 = 2 * rowBytes, r3 = 3 * rowBytes;
        long b = base;
        for (int k = 0; k < K; k += QuantMatrix.BLOCK, b += bb) {
            var d0 = FloatVector.broadcast(f, scaleAt(raw, b));
            var d1 = FloatVector.broadcast(f, scaleAt(raw, b + r1));
            var d2 = FloatVector.broadcast(f, scaleAt(raw, b + r2));
            var d3 = FloatVector.broadcast(f, scaleAt(raw, b + r3));
            for (int i = 0; i < QuantMatrix.BLOCK / L; i++) {
                var x = FloatVector.fromArray(f, a, m * K + k + i * L);
                s0 = x.fma(codesQ8(raw, b + 2, i).mul(d0), s0);
                s1 = x.fma(codesQ8(raw, b + r1 + 2, i).mul(d1), s1);
                s2 = x.fma(codesQ8(raw, b + r2 + 2, i).mul(d2), s2);
                s3 = x.fma(codesQ8(raw, b + r3 + 2, i).mul(d3), s3);
            }
        }
        store(c, N, m, n, count, sums(s0, s1, s2, s3), accumulate);
    }

    /**
     * {@link #dot1x4Q8} for Q4_0 blocks, read from a copy in a byte[]. subtle: the nibble code is fragile
     * under C2. This form (a byte AND or LSHR, chosen per vector) runs at 32 GFLOP/s from cache; two
     * rewrites tried (a short-lane shift by 0 or 4, and masking after widening to ints) ran at 6-9,
     * read from the segment or from the copy alike. Not understood yet; measure before changing it.
     */
    private static void dot1x4Q4(float[] c, float[] a, byte[] raw, int base, int rowBytes, int K, int N, int m, int n, int count,
                                 boolean accumulate) {
        var f = Simd.F;
        int L = Simd.LANES, bb = 18;
        var s0 = FloatVector.zero(f);
        var s1 = FloatVector.zero(f);
        var s2 = FloatVector.zero(f);
        var s3 = FloatVector.zero(f);
        int r1 = rowBytes, r2 = 2 * rowBytes, r3 = 3 * rowBytes;
        int b = base;
        for (int k = 0; k < K; k += QuantMatrix.BLOCK, b += bb) {
            var d0 = FloatVector.broadcast(f, QuantMatrix.scaleAt(raw, b));
            var d1 = FloatVector.broadcast(f, QuantMatrix.scaleAt(raw, b + r1));
            var d2 = FloatVector.broadcast(f, QuantMatrix.scaleAt(raw, b + r2));
            var d3 = FloatVector.broadcast(f, QuantMatrix.scaleAt(raw, b + r3));
            for (int i = 0; i < QuantMatrix.BLOCK / L; i++) {
                var x = FloatVector.fromArray(f, a, m * K + k + i * L);
                s0 = x.fma(codesQ4(raw, b + 2, i).mul(d0), s0);
                s1 = x.fma(codesQ4(raw, b + r1 + 2, i).mul(d1), s1);
                s2 = x.fma(codesQ4(raw, b + r2 + 2, i).mul(d2), s2);
                s3 = x.fma(codesQ4(raw, b + r3 + 2, i).mul(d3), s3);
            }
        }
        store(c, N, m, n, count, sums(s0, s1, s2, s3), accumulate);
    }

    /** Pairwise butterflies, in Gemm's fixed order, that leave the sum of s_j's lanes in lane j. */
    private static FloatVector sums(FloatVector s0, FloatVector s1, FloatVector s2, FloatVector s3) {
        var p01 = s0.blend(s1, Simd.ODD).add(s1.blend(s0, Simd.ODD).rearrange(Simd.SWAP_1));
        var p23 = s2.blend(s3, Simd.ODD).add(s3.blend(s2, Simd.ODD).rearrange(Simd.SWAP_1));
        var q = p01.blend(p23, Simd.BIT_1).add(p23.blend(p01, Simd.BIT_1).rearrange(Simd.SWAP_2));
        if (Simd.LANES > 8) q = q.add(q.rearrange(Simd.SWAP_8));
        if (Simd.LANES > 4) q = q.add(q.rearrange(Simd.SWAP_4));
        return q;
    }

    /** c[m, n + j] (+)= lane j of {@code sums}, for the count rows of W that exist. */
    private static void store(float[] c, int N, int m, int n, int count, FloatVector sums, boolean accumulate) {
        for (int j = 0; j < count; j++) {
            int o = m * N + n + j;
            c[o] = accumulate ? c[o] + sums.lane(j) : sums.lane(j);
        }
    }

    /**
     * How many fours of W's rows ahead {@link #touch} reads. Measured on the 2-core EPYC VM, a 32000 × 2048
     * Q8_0 matrix (70 MB): while other jobs loaded the machine (load average 8), 1 thread went from 7 GB/s
     * without touching to 12 (1 ahead) and 14 (2 ahead), and reading one byte per 128 bytes lost it all;
     * on a quiet machine, 2 threads, it is worth only 29 → 30 GB/s (0 to 16 ahead all within 27-30).
     */
    private static final int AHEAD = 2;
    /** Where {@link #touch} leaves the bytes it read, so that the JIT cannot drop the reads. */
    private static volatile int sink;

    /**
     * Reads one byte of every 64-byte line of raw[from .. from+bytes], to start those lines on their way
     * from memory before the kernel needs them: the kernel spends about 20 instructions per line it
     * consumes, so its own loads keep few lines in flight, and under load the hardware prefetcher did
     * not make up for it.
     */
    private static void touch(MemorySegment raw, long from, int bytes) {
        int x = 0;
        for (int i = 0; i < bytes; i += 64) x += raw.get(ValueLayout.JAVA_BYTE, from + i);
        if (x == Integer.MIN_VALUE) sink = x;
    }

    /** Four rows of copied blocks, per thread. */
    private static final ThreadLocal<byte[]> ROWS = ThreadLocal.withInitial(() -> new byte[0]);
    /** Blocks copied for {@link QuantMatrix#widenVector}, per thread. */
    private static final ThreadLocal<byte[]> WIDEN = ThreadLocal.withInitial(() -> new byte[0]);

    /** This thread's array for blocks being widened, at least {@code size} bytes. */
    static byte[] staging(int size) {
        return buffer(WIDEN, size);
    }

    private static byte[] buffer(ThreadLocal<byte[]> local, int size) {
        byte[] buffer = local.get();
        if (buffer.length < size) {
            buffer = new byte[size];
            local.set(buffer);
        }
        return buffer;
    }
}
