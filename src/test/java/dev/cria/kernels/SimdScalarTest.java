package dev.cria.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cria.util.Rng;
import org.junit.jupiter.api.Test;

/**
 * Each kernel's Vector API path against its scalar twin, on sizes that are and are not multiples of
 * the vector width (so the tails run too).
 */
class SimdScalarTest {
    private static final int[] SIZES = {1, 3, 7, 15, 16, 17, 33, 64, 100};
    private final Rng rng = new Rng(3);

    private float[] random(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) rng.nextGaussian();
        return x;
    }

    private static void assertClose(float[] actual, float[] expected, float tol) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            float scale = Math.max(1f, Math.abs(expected[i]));
            assertThat(Math.abs(actual[i] - expected[i])).as("index %d: %s vs %s", i, actual[i], expected[i]).isLessThanOrEqualTo(tol * scale);
        }
    }

    @Test
    void dotAndAxpy() {
        for (int n : SIZES) {
            float[] a = random(n + 5), b = random(n + 5);
            assertThat(Simd.dotVector(a, 2, b, 5 - 2, n)).isCloseTo(Simd.dotScalar(a, 2, b, 3, n), org.assertj.core.data.Offset.offset(1e-4f * n));
            float[] y1 = random(n + 3), y2 = y1.clone();
            Simd.axpyVector(0.7f, a, 1, y1, 3, n);
            Simd.axpyScalar(0.7f, a, 1, y2, 3, n);
            assertClose(y1, y2, 1e-6f);
        }
    }

    @Test
    void addGivesTheBitsOfTheScalarSumAndLeavesTheRestAlone() {
        for (int n : SIZES) {
            float[] a = random(n + 7), b = random(n + 7), sum = random(n + 7), scalar = sum.clone();
            Simd.addVector(a, b, sum, 3, n);
            Simd.addScalar(a, b, scalar, 3, n);
            assertThat(sum).containsExactly(scalar);
            for (int i = 3; i < 3 + n; i++) assertThat(sum[i]).isEqualTo(a[i] + b[i]);
        }
    }

    @Test
    void vectorExpIsWithinTwoUlpOfMathExpAndKeepsTheEdgesRight() {
        var f = Simd.F;
        float[] x = new float[f.length() * 4096];
        for (int i = 0; i < x.length; i++) x[i] = -90f + 180f * i / x.length;
        float[] special = {Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, Float.NaN, -200f, 200f, 0f, -0f, 88.7f, -87.3f, 1e-8f};
        System.arraycopy(special, 0, x, 0, special.length);
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i += f.length()) Simd.exp(jdk.incubator.vector.FloatVector.fromArray(f, x, i)).intoArray(y, i);
        assertThat(y[0]).isZero();
        assertThat(y[1]).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(y[2]).isNaN();
        assertThat(y[3]).isZero();
        assertThat(y[4]).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(y[5]).isEqualTo(1f);
        assertThat(y[6]).isEqualTo(1f);
        for (int i = 7; i < x.length; i++) {
            float expected = (float) Math.exp(x[i]);
            if (expected < Float.MIN_NORMAL || x[i] > 88.37f) continue; // flushed below, saturated at the very top
            assertThat(Math.abs(y[i] - expected)).as("exp(%s)", x[i]).isLessThanOrEqualTo(2 * Math.ulp(expected));
        }
    }

    @Test
    void theShiftedExpGivesExpsBitsWhereverASoftmaxCanCallIt() {
        var f = Simd.F;
        float[] x = new float[f.length() * 4096];
        for (int i = 0; i < x.length; i++) x[i] = -120f + 200f * i / x.length; // up to 80, past any shifted score
        float[] special = {Float.NEGATIVE_INFINITY, Float.NaN, -0f, 0f, -87.33654f, -87.3366f, Float.MIN_VALUE, -Float.MIN_VALUE};
        System.arraycopy(special, 0, x, 0, special.length);
        float[] shifted = new float[x.length], plain = new float[x.length];
        for (int i = 0; i < x.length; i += f.length()) {
            var v = jdk.incubator.vector.FloatVector.fromArray(f, x, i);
            Simd.expOfShifted(v).intoArray(shifted, i);
            Simd.exp(v).intoArray(plain, i);
        }
        for (int i = 0; i < x.length; i++) {
            assertThat(Float.floatToRawIntBits(shifted[i])).as("exp(%s)", x[i]).isEqualTo(Float.floatToRawIntBits(plain[i]));
        }
        assertThat(shifted[0]).isZero();
        assertThat(shifted[1]).isNaN();
    }

    @Test
    void vectorSumAddsEveryLane() {
        var f = Simd.F;
        for (int trial = 0; trial < 20; trial++) {
            float[] x = random(f.length());
            double expected = 0;
            for (float v : x) expected += v;
            assertThat((double) Simd.sum(jdk.incubator.vector.FloatVector.fromArray(f, x, 0))).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    @Test
    void gemmAllLayoutsAndShapes() {
        int[][] shapes = {{1, 1, 1}, {3, 17, 5}, {4, 16, 2}, {7, 33, 9}, {65, 40, 70}, {130, 19, 3}, {2, 300, 129}, {9, 600, 40},
                {130, 19, 1}, {1, 300, 64}, {70, 1, 33}, {5, 700, 1}, {263, 530, 75},
                {40, 800, 2100}, // two column panels and three K blocks (two on AVX-512, at this width) in one shared slab
                {7, 2000, 2048}, // six K blocks (four on AVX-512), in two slabs
                {70, 20, 96}, // at 16 lanes the panel ends half a micro-panel in (as 288 does)
                {64, 4000, 60}, // one micro-panel at 16 lanes, eleven K blocks: both threads need each at once
                                // and pack the next ones while they wait
                {1030, 8, 1030}}; // C over 4 MB: read through before the kernels add into it
        for (int[] s : shapes) {
            int M = s[0], K = s[1], N = s[2];
            float[] a = random(M * K), b = random(N * K);
            // (aRow, aCol, bK, bN) for abT, ab and aTb
            int[][] layouts = {{K, 1, 1, K}, {K, 1, N, 1}, {1, M, N, 1}};
            for (int[] l : layouts) {
                for (boolean accumulate : new boolean[] {false, true}) {
                    float[] c1 = random(M * N), c2 = c1.clone();
                    Gemm.vector(c1, a, l[0], l[1], b, l[2], l[3], M, K, N, accumulate);
                    Gemm.scalar(c2, a, l[0], l[1], b, l[2], l[3], M, K, N, accumulate);
                    // the two sum in different orders; their rounding differences grow with K
                    assertClose(c1, c2, 1e-4f * Math.max(1, K / 1024f));
                }
            }
        }
    }

    /**
     * A product big enough to be split into row blocks that either thread may take (over Gemm's DYNAMIC_FLOPS)
     * gives each row the bits that a product of fewer rows, split one range per thread, gives it: which
     * thread runs a block, and where blocks end, change no sum. 1027 rows leave a partial last tile.
     */
    @Test
    void rowsSplitIntoBlocksThatEitherThreadTakesKeepTheirBits() {
        int M = 1027, K = 200, N = 300, prefix = 333;
        float[] a = random(M * K), b = random(N * K);
        int[][] layouts = {{K, 1, 1, K}, {K, 1, N, 1}, {1, M, N, 1}};
        for (int[] l : layouts) {
            float[] whole = new float[M * N], rows = new float[prefix * N], reference = new float[M * N];
            Gemm.vector(whole, a, l[0], l[1], b, l[2], l[3], M, K, N, false);
            Gemm.vector(rows, a, l[0], l[1], b, l[2], l[3], prefix, K, N, false);
            Gemm.scalar(reference, a, l[0], l[1], b, l[2], l[3], M, K, N, false);
            assertThat(java.util.Arrays.copyOf(whole, prefix * N)).as("layout %s", java.util.Arrays.toString(l)).isEqualTo(rows);
            assertClose(whole, reference, 1e-4f);
        }
    }

    /**
     * Where A is stored (M,K) and a column panel is at most 1024 wide, the tiles read A where it lies; wider
     * panels pack it first. Each element is the same FMA chain either way: the columns of a 1000-wide
     * product (A in place) get the bits of the same columns of an 1100-wide one (A packed).
     */
    @Test
    void readingAInPlaceGivesTheBitsOfPackingIt() {
        int M = 50, K = 300, narrow = 1000, wide = 1100;
        float[] a = random(M * K), bWide = random(wide * K);
        float[] bNarrow = java.util.Arrays.copyOf(bWide, narrow * K); // B stored (N,K): its first rows
        float[] bRowsWide = transposed(bWide, wide, K), bRowsNarrow = transposed(bNarrow, narrow, K); // B stored (K,N)
        float[][] wideC = {new float[M * wide], new float[M * wide]}, narrowC = {new float[M * narrow], new float[M * narrow]};
        Gemm.abT(wideC[0], a, bWide, M, K, wide, false);
        Gemm.abT(narrowC[0], a, bNarrow, M, K, narrow, false);
        Gemm.ab(wideC[1], a, bRowsWide, M, K, wide, false);
        Gemm.ab(narrowC[1], a, bRowsNarrow, M, K, narrow, false);
        for (int layout = 0; layout < 2; layout++) {
            assertSameFirstColumns(narrowC[layout], wideC[layout], M, narrow, wide, "layout " + layout);
        }
    }

    /** x stored (rows, cols), transposed: (cols, rows). */
    private static float[] transposed(float[] x, int rows, int cols) {
        float[] t = new float[rows * cols];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) t[c * rows + r] = x[r * cols + c];
        return t;
    }

    /** Each row of the narrow product holds the bits of the first columns of the same row of the wide one. */
    private static void assertSameFirstColumns(float[] narrowC, float[] wideC, int M, int narrow, int wide, String what) {
        for (int m = 0; m < M; m++) {
            float[] row = java.util.Arrays.copyOfRange(wideC, m * wide, m * wide + narrow);
            assertThat(java.util.Arrays.copyOfRange(narrowC, m * narrow, (m + 1) * narrow)).as("%s, row %d", what, m)
                    .containsExactly(row);
        }
    }

    /**
     * A panel's partial last micro-panel runs the full tile into a scratch tile and adds the part it covers: its
     * columns get the bits that a wider product, where they are inside a whole micro-panel, gives them. At 172
     * columns (the tiny preset's SwiGLU width) the last micro-panel is 44 wide at 16 lanes, 12 at 8, 4 at 4.
     */
    @Test
    void aPartialMicroPanelGivesTheBitsOfTheSameColumnsInAWiderProduct() {
        int M = 40, K = 64, narrow = 172, wide = 256;
        float[] a = random(M * K), bWide = random(wide * K), aT = transposed(a, M, K);
        float[] bNarrow = java.util.Arrays.copyOf(bWide, narrow * K); // B stored (N,K): its first rows
        float[] bRowsWide = transposed(bWide, wide, K), bRowsNarrow = transposed(bNarrow, narrow, K); // B stored (K,N)
        for (boolean accumulate : new boolean[] {false, true}) {
            float[] c0 = random(M * wide);
            float[][] narrowC = new float[3][], wideC = new float[3][];
            for (int layout = 0; layout < 3; layout++) {
                wideC[layout] = c0.clone();
                narrowC[layout] = new float[M * narrow];
                for (int m = 0; m < M; m++) System.arraycopy(c0, m * wide, narrowC[layout], m * narrow, narrow);
            }
            Gemm.abT(wideC[0], a, bWide, M, K, wide, accumulate);
            Gemm.abT(narrowC[0], a, bNarrow, M, K, narrow, accumulate);
            Gemm.ab(wideC[1], a, bRowsWide, M, K, wide, accumulate);
            Gemm.ab(narrowC[1], a, bRowsNarrow, M, K, narrow, accumulate);
            Gemm.aTb(wideC[2], aT, bRowsWide, M, K, wide, accumulate);
            Gemm.aTb(narrowC[2], aT, bRowsNarrow, M, K, narrow, accumulate);
            for (int layout = 0; layout < 3; layout++) {
                assertSameFirstColumns(narrowC[layout], wideC[layout], M, narrow, wide,
                        "layout " + layout + ", accumulate " + accumulate);
            }
        }
    }

    /**
     * The kernel is strided on both operands (see {@link Gemm}); the training layouts all have one unit
     * stride, so this takes every other element along both axes of A and of B, so that no axis is contiguous.
     */
    @Test
    void gemmOperandsWithNoContiguousAxis() {
        for (int[] s : new int[][] {{7, 33, 9}, {65, 40, 70}, {130, 300, 129}}) {
            int M = s[0], K = s[1], N = s[2];
            float[] a = random(2 * M * K), b = random(2 * N * K);
            for (boolean accumulate : new boolean[] {false, true}) {
                float[] c1 = random(M * N), c2 = c1.clone();
                Gemm.vector(c1, a, 2 * K, 2, b, 2, 2 * K, M, K, N, accumulate);
                Gemm.scalar(c2, a, 2 * K, 2, b, 2, 2 * K, M, K, N, accumulate);
                assertClose(c1, c2, 1e-4f);
            }
        }
    }

    @Test
    void gemmFewRowsPath() {
        for (int[] s : new int[][] {{1, 288, 37}, {3, 17, 8}, {8, 40, 130}, {2, 5, 3}, {32, 288, 1000}, {50, 33, 301}}) {
            int M = s[0], K = s[1], N = s[2];
            float[] a = random(M * K), b = random(N * K);
            for (boolean accumulate : new boolean[] {false, true}) {
                float[] c1 = random(M * N), c2 = c1.clone();
                Gemm.abTFewRows(c1, a, b, M, K, N, accumulate);
                Gemm.scalar(c2, a, K, 1, b, 1, K, M, K, N, accumulate);
                assertClose(c1, c2, 1e-4f);
            }
        }
    }

    @Test
    void prePackedWeights() {
        for (int[] s : new int[][] {{1, 288, 37}, {9, 300, 70}, {32, 17, 600}, {135, 290, 40}, {20, 800, 2100}, {1030, 8, 1030}}) {
            int M = s[0], K = s[1], N = s[2];
            float[] a = random(M * K), w = random(N * K);
            var packed = Gemm.PackedB.of(w, N, K);
            for (boolean accumulate : new boolean[] {false, true}) {
                float[] c1 = random(M * N), c2 = c1.clone();
                Gemm.abT(c1, a, packed, M, accumulate);
                Gemm.scalar(c2, a, K, 1, w, 1, K, M, K, N, accumulate);
                assertClose(c1, c2, 1e-4f);
            }
        }
    }

    @Test
    void linearBackwardMatchesScalarProducts() {
        int N = 13, IN = 21, OUT = 18;
        float[] x = random(N * IN), w = random(OUT * IN), dout = random(N * OUT);
        float[] dx = new float[N * IN], dw = new float[OUT * IN];
        // the two products of Nn.linear's backward, as its backend runs them on the Java kernels
        Gemm.ab(dx, dout, w, N, OUT, IN, true);
        Gemm.aTb(dw, dout, x, OUT, N, IN, true);
        float[] dxRef = new float[N * IN], dwRef = new float[OUT * IN];
        for (int n = 0; n < N; n++) {
            for (int o = 0; o < OUT; o++) {
                for (int i = 0; i < IN; i++) {
                    dxRef[n * IN + i] += dout[n * OUT + o] * w[o * IN + i];
                    dwRef[o * IN + i] += dout[n * OUT + o] * x[n * IN + i];
                }
            }
        }
        assertClose(dx, dxRef, 1e-4f);
        assertClose(dw, dwRef, 1e-4f);
    }

    @Test
    void rmsNormForwardAndBackward() {
        for (int C : SIZES) {
            int N = 3;
            float[] x = random(N * C), w = random(C), dout = random(N * C);
            float[] o1 = new float[N * C], o2 = new float[N * C], r1 = new float[N], r2 = new float[N];
            RmsNorm.forwardVector(o1, r1, x, w, N, C, 1e-5f);
            RmsNorm.forwardScalar(o2, r2, x, w, N, C, 1e-5f);
            assertClose(o1, o2, 1e-5f);
            assertClose(r1, r2, 1e-5f);
            float[] dx1 = new float[N * C], dw1 = new float[C], dx2 = new float[N * C], dw2 = new float[C];
            RmsNorm.backward(dx1, dw1, dout, x, w, r1, N, C);
            RmsNorm.backwardScalar(dx2, dw2, dout, x, w, r1, N, C);
            assertClose(dx1, dx2, 1e-4f);
            assertClose(dw1, dw2, 1e-4f);
        }
    }

    @Test
    void rmsNormWeightGradientSumsEachColumnDownTheRowsInOrder() {
        // whichever thread takes a column, its sum is the one a single pass row by row makes: an FMA per
        // row for the columns in whole vectors, a product then a sum for the columns after them
        for (int C : SIZES) {
            int N = 40;
            float[] x = random(N * C), dout = random(N * C), rstd = random(N), dw = random(C);
            float[] expected = dw.clone();
            int bound = Simd.ENABLED ? Simd.F.loopBound(C) : 0;
            for (int n = 0; n < N; n++) {
                for (int i = 0; i < C; i++) {
                    float scaled = x[n * C + i] * rstd[n];
                    expected[i] = i < bound ? Math.fma(dout[n * C + i], scaled, expected[i]) : expected[i] + dout[n * C + i] * scaled;
                }
            }
            RmsNorm.backward(null, dw, dout, x, random(C), rstd, N, C);
            assertThat(dw).as("C=%d", C).containsExactly(expected);
        }
    }

    @Test
    void swiGluForwardAndBackward() {
        for (int n : SIZES) {
            float[] g = random(n), u = random(n), dout = random(n);
            float[] o1 = new float[n], o2 = new float[n];
            SwiGlu.forwardVector(o1, g, u, 0, n);
            SwiGlu.forwardScalar(o2, g, u, 0, n);
            assertClose(o1, o2, 1e-5f);
            float[] dg1 = new float[n], du1 = new float[n], dg2 = new float[n], du2 = new float[n];
            SwiGlu.backwardVector(dg1, du1, dout, g, u, 0, n, true);
            SwiGlu.backwardScalar(dg2, du2, dout, g, u, 0, n, true);
            assertClose(dg1, dg2, 1e-5f);
            assertClose(du1, du2, 1e-5f);
            // written over stale values, the same bits as added to zeros
            float[] dg3 = random(n), du3 = random(n), dg4 = random(n), du4 = random(n);
            SwiGlu.backwardVector(dg3, du3, dout, g, u, 0, n, false);
            SwiGlu.backwardScalar(dg4, du4, dout, g, u, 0, n, false);
            assertThat(dg3).containsExactly(dg1);
            assertThat(du3).containsExactly(du1);
            assertThat(dg4).containsExactly(dg2);
            assertThat(du4).containsExactly(du2);
        }
    }

    @Test
    void ropeByWholeRowsOfNarrowHeadsGivesTheBitsOfEachHeadAlone() {
        int checked = 0;
        for (int HS : new int[] {2, 4, 8, 16}) {
            if (!Rope.narrow(HS)) continue; // wider than this host's vectors
            int C = 3 * Simd.LANES; // a row of several heads
            var table = Rope.Table.of(40, HS, 10000f);
            float[] x = random(C);
            for (float sign : new float[] {1f, -1f}) {
                for (boolean accumulate : new boolean[] {false, true}) {
                    float[] rows = random(C), heads = rows.clone();
                    Rope.rotateRowOfNarrowHeads(rows, x, 0, C, HS, table, 37, sign, accumulate);
                    for (int h = 0; h < C / HS; h++) Rope.rotateHeadScalar(heads, x, h * HS, HS, table, 37, sign, accumulate, 0);
                    assertThat(rows).as("HS %d, sign %s, accumulate %s", HS, sign, accumulate).containsExactly(heads);
                    checked++;
                }
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(8); // at least heads of 2 and 4, at any vector width
    }

    @Test
    void ropeBothPathsBothDirections() {
        for (int HS : new int[] {2, 8, 34, 48, 64}) {
            var table = Rope.Table.of(40, HS, 10000f);
            float[] x = random(HS);
            for (boolean accumulate : new boolean[] {false, true}) {
                float[] o1 = random(HS), o2 = o1.clone();
                Rope.rotateHeadVector(o1, x, 0, HS, table, 37, -1f, accumulate);
                Rope.rotateHeadScalar(o2, x, 0, HS, table, 37, -1f, accumulate, 0);
                assertClose(o1, o2, 1e-6f);
            }
        }
    }

    @Test
    void aRowsLogSumExpFindsItsLargestLogitWhereverItIs() {
        // an outlier e^200 past any other: a maximum that missed it would overflow the sum to infinity
        for (int n : new int[] {1, 7, 16, 17, 33, 48, 53, 64, 100}) {
            for (int at : new int[] {0, n / 2, n - 1, Math.max(0, n - 17), Math.min(n - 1, 16), Math.min(n - 1, 40)}) {
                float[] x = random(n);
                x[at] = 200f;
                assertThat(Softmax.rowLseVector(x, 0, n)).as("n=%d, outlier at %d", n, at)
                        .isCloseTo(Softmax.rowLseScalar(x, 0, n), org.assertj.core.data.Offset.offset(1e-4f));
            }
        }
    }

    @Test
    void softmaxRows() {
        for (int n : SIZES) {
            float[] x = random(n);
            for (int i = 0; i < n; i++) x[i] *= 5;
            float lse = Softmax.rowLseScalar(x, 0, n);
            assertThat(Softmax.rowLseVector(x, 0, n)).isCloseTo(lse, org.assertj.core.data.Offset.offset(1e-5f * Math.max(1, Math.abs(lse))));
            float[] e1 = new float[n], e2 = new float[n];
            float s1 = Softmax.exponentiateVector(e1, x, 0, n, 5f, 0.7f), s2 = Softmax.exponentiateScalar(e2, x, 0, n, 5f, 0.7f, 0);
            assertClose(e1, e2, 1e-5f);
            assertThat(s1).isCloseTo(s2, org.assertj.core.data.Offset.offset(1e-4f * Math.max(1, s2)));
            float max = Float.NEGATIVE_INFINITY;
            for (float v : x) max = Math.max(max, v);
            assertThat(Softmax.max(x, 0, n)).isEqualTo(max);
            float total = 0;
            for (float e : e2) total += e;
            for (float u : new float[] {0f, total * 0.37f, total * 0.999f}) {
                int expected = 0;
                float running = e2[0];
                while (running <= u && expected < n - 1) running += e2[++expected];
                assertThat(Softmax.inverseCdf(e2, n, u)).as("u=%s n=%d", u, n).isBetween(Math.max(0, expected - 1), Math.min(n - 1, expected + 1));
            }
            // a row turned into 0.25·softmax in place, against 0.25·exp(x − lse) taken logit by logit
            float[] g1 = x.clone(), g2 = x.clone(), reference = new float[n];
            for (int i = 0; i < n; i++) reference[i] = 0.25f * (float) Math.exp(x[i] - lse);
            float tolerance = 1e-5f * Math.max(1, Math.abs(lse));
            assertThat(Softmax.rowSoftmaxInPlaceVector(g1, 0, n, 0.25f)).isCloseTo(lse, org.assertj.core.data.Offset.offset(tolerance));
            assertThat(Softmax.rowSoftmaxInPlaceScalar(g2, 0, n, 0.25f)).isCloseTo(lse, org.assertj.core.data.Offset.offset(tolerance));
            assertClose(g1, reference, 1e-6f);
            assertClose(g2, reference, 1e-6f);
            float[] d1 = random(n), d2 = d1.clone();
            Softmax.rowBackwardVector(d1, x, 0, n, lse, 0.3f);
            Softmax.rowBackwardScalar(d2, x, 0, n, lse, 0.3f);
            assertClose(d1, d2, 1e-5f);
        }
    }

    @Test
    void attentionRowBothPaths() {
        for (int[] c : new int[][] {{3, 9}, {8, 9}, {16, 1}, {16, 9}, {20, 11}, {48, 40}, {48, 3}}) {
            int HS = c[0], len = c[1], stride = 2 * HS;
            float[] q = random(HS), k = random(len * stride), v = random(len * stride);
            float[] o1 = new float[HS], o2 = new float[HS];
            float[] scratch = Attention.rowScratch(len);
            float l1 = Attention.attendRow(o1, 0, q, 0, k, v, HS, stride, len, HS, 0.3f, scratch, true);
            float l2 = Attention.attendRow(o2, 0, q, 0, k, v, HS, stride, len, HS, 0.3f, scratch, false);
            assertClose(o1, o2, 1e-5f);
            assertThat(l1).isCloseTo(l2, org.assertj.core.data.Offset.offset(1e-5f));
        }
    }

    @Test
    void fusedAttentionForwardAndBackwardBothPaths() {
        // B, T, H, KVH, HS: the forward takes LaneAttention at every width, the backward up to 32 wide,
        // wider ones the Gemm path (3 is padded to 4, 6 to 8 and 17 to 20, so some columns of a tile are
        // padding; 150 and 130 rows are several query blocks, the last one short)
        int[][] shapes = {{2, 5, 4, 2, 3}, {1, 37, 8, 4, 8}, {2, 20, 2, 1, 17}, {1, 19, 6, 6, 48}, {2, 150, 4, 2, 16},
                {1, 130, 4, 1, 12}, {2, 150, 4, 2, 8}, {1, 71, 4, 2, 6}, {1, 70, 4, 2, 32}, {1, 67, 2, 2, 33}, {1, 45, 2, 1, 128}};
        for (int[] s : shapes) {
            int B = s[0], T = s[1], H = s[2], KVH = s[3], HS = s[4];
            float[] q = random(B * T * H * HS), k = random(B * T * KVH * HS), v = random(B * T * KVH * HS);
            float[] dout = random(q.length);
            float[] o1 = new float[q.length], o2 = new float[q.length], l1 = new float[B * H * T], l2 = new float[B * H * T];
            Attention.forwardVector(o1, l1, q, k, v, B, T, H, KVH, HS, false);
            Attention.forwardScalar(o2, l2, q, k, v, B, T, H, KVH, HS);
            assertClose(o1, o2, 1e-5f);
            assertClose(l1, l2, 1e-5f);
            float[] dq1 = new float[q.length], dk1 = new float[k.length], dv1 = new float[v.length];
            float[] dq2 = new float[q.length], dk2 = new float[k.length], dv2 = new float[v.length];
            Attention.backwardVector(dq1, dk1, dv1, dout, q, k, v, o2, l2, B, T, H, KVH, HS, false);
            Attention.backwardScalar(dq2, dk2, dv2, dout, q, k, v, o2, l2, B, T, H, KVH, HS);
            assertClose(dq1, dq2, 1e-4f);
            assertClose(dk1, dk2, 1e-4f);
            assertClose(dv1, dv2, 1e-4f);
        }
    }

    @Test
    void attentionMatchesNaiveSoftmax() {
        int B = 2, T = 6, H = 4, KVH = 2, HS = 5, G = H / KVH;
        float[] q = random(B * T * H * HS), k = random(B * T * KVH * HS), v = random(B * T * KVH * HS);
        float[] out = new float[q.length], lse = new float[B * H * T];
        Attention.forward(out, lse, q, k, v, B, T, H, KVH, HS);
        double scale = 1 / Math.sqrt(HS);
        for (int b = 0; b < B; b++) for (int h = 0; h < H; h++) for (int t = 0; t < T; t++) {
            double[] p = new double[t + 1];
            double sum = 0;
            for (int s = 0; s <= t; s++) {
                double dot = 0;
                for (int i = 0; i < HS; i++) dot += q[(b * T + t) * H * HS + h * HS + i] * k[(b * T + s) * KVH * HS + (h / G) * HS + i];
                p[s] = Math.exp(dot * scale);
                sum += p[s];
            }
            for (int i = 0; i < HS; i++) {
                double o = 0;
                for (int s = 0; s <= t; s++) o += p[s] / sum * v[(b * T + s) * KVH * HS + (h / G) * HS + i];
                assertThat((double) out[(b * T + t) * H * HS + h * HS + i]).isCloseTo(o, org.assertj.core.data.Offset.offset(1e-5));
            }
        }
    }
}
