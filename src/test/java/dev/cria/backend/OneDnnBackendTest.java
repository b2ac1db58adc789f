package dev.cria.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cria.util.CriaException;
import dev.cria.util.Rng;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * oneDNN pinned to the Java backend in every layout, shape and precision. Both multiply the same operands
 * (in bfloat16, the same rounded ones), so they differ only in the order float32 sums are added: each
 * element may be off by a small multiple of Σ|a||b| over its dot product. Skipped without libdnnl2.
 */
class OneDnnBackendTest {
    private static final int[][] SHAPES = {{1, 1, 1}, {7, 13, 5}, {33, 65, 17}, {128, 288, 768}};
    private static final double RELATIVE = 1e-5;

    private final Rng rng = new Rng(23);

    @BeforeAll
    static void sayWhyIfSkipped() {
        if (!OneDnnBackend.available()) System.out.println("OneDnnBackendTest skipped: " + OneDnnBackend.why());
    }

    @BeforeEach
    void needsOneDnn() {
        Assumptions.assumeTrue(OneDnnBackend.available(), () -> "oneDNN unavailable: " + OneDnnBackend.why());
    }

    @AfterEach
    void restore() {
        Backends.use(JavaBackend.F32);
    }

    private interface Product {
        void run(Backend backend, float[] c, float[] a, float[] b, int M, int K, int N, boolean accumulate);
    }

    private enum Layout {
        AB_T(Backend::abT), AB(Backend::ab), A_T_B(Backend::aTb);

        final Product product;

        Layout(Product product) {
            this.product = product;
        }

        /** Index of A's (m,k) and B's (k,n) in their stored arrays. */
        int a(int m, int k, int M, int K) {
            return this == A_T_B ? k * M + m : m * K + k;
        }

        int b(int k, int n, int K, int N) {
            return this == AB_T ? n * K + k : k * N + n;
        }
    }

    @Test
    void float32MatchesJavaInEveryLayout() {
        agreesWithJava(Precision.F32);
    }

    @Test
    void bfloat16MatchesJavaBfloat16InEveryLayout() {
        agreesWithJava(Precision.BF16);
    }

    private void agreesWithJava(Precision precision) {
        Backend oneDnn = OneDnnBackend.load(precision), java = JavaBackend.of(precision);
        for (Layout layout : Layout.values()) {
            for (int[] s : SHAPES) {
                int M = s[0], K = s[1], N = s[2];
                for (boolean accumulate : new boolean[] {false, true}) {
                    float[] a = random(M * K), b = random(K * N), c = random(M * N), expected = c.clone();
                    layout.product.run(oneDnn, c, a, b, M, K, N, accumulate);
                    layout.product.run(java, expected, a, b, M, K, N, accumulate);
                    float[] scale = absoluteProducts(layout, a, b, M, K, N);
                    String where = precision + " " + layout + " " + M + "×" + K + "×" + N + (accumulate ? " accumulating" : "");
                    for (int i = 0; i < M * N; i++) {
                        double tolerance = RELATIVE * (scale[i] + (accumulate ? Math.abs(expected[i]) : 0)) + 1e-30;
                        if (Math.abs(c[i] - expected[i]) > tolerance) {
                            fail(where + ": C[" + i + "] = " + c[i] + ", Java gives " + expected[i] + " (tolerance " + tolerance + ")");
                        }
                    }
                }
            }
        }
    }

    @Test
    void aSmallProductAfterALargeOneUsesTheRightPartOfTheScratch() {
        Backend oneDnn = OneDnnBackend.load(Precision.F32);
        float[] big = random(256 * 256), c = new float[256 * 256];
        oneDnn.ab(c, big, big, 256, 256, 256, false);
        float[] a = {2f, 3f}, b = {5f, 7f}, small = {100f};
        oneDnn.abT(small, a, b, 1, 2, 1, true);
        assertThat(small).containsExactly(100f + 2f * 5f + 3f * 7f);
    }

    @Test
    void aRepeatedShapeReusesItsPrimitive() {
        OneDnnBackend oneDnn = OneDnnBackend.load(Precision.BF16);
        int M = 3, K = 1031, N = 2;
        float[] a = random(M * K), b = random(N * K), first = new float[M * N], second = new float[M * N];
        oneDnn.abT(first, a, b, M, K, N, false);
        int compiled = oneDnn.compiledShapes();
        oneDnn.abT(second, a, b, M, K, N, false);
        assertThat(oneDnn.compiledShapes()).isEqualTo(compiled);
        assertThat(second).containsExactly(first);
        oneDnn.aTb(second, a, b, M, K, N, false);
        assertThat(oneDnn.compiledShapes()).isEqualTo(compiled + 1);
    }

    @Test
    void callsFromTwoThreadsGiveTheSingleThreadedResults() throws Exception {
        int M = 64, K = 96, N = 48;
        float[] a = random(M * K), b = random(N * K);
        float[] f32 = new float[M * N], bf16 = new float[M * N];
        OneDnnBackend.load(Precision.F32).abT(f32, a, b, M, K, N, false);
        OneDnnBackend.load(Precision.BF16).abT(bf16, a, b, M, K, N, false);
        Thread[] threads = new Thread[2];
        Throwable[] failures = new Throwable[2];
        for (int t = 0; t < 2; t++) {
            Precision precision = t == 0 ? Precision.F32 : Precision.BF16;
            float[] expected = t == 0 ? f32 : bf16;
            int slot = t;
            threads[t] = new Thread(() -> {
                try {
                    for (int i = 0; i < 50; i++) {
                        float[] c = new float[M * N];
                        OneDnnBackend.load(precision).abT(c, a, b, M, K, N, false);
                        assertThat(c).containsExactly(expected);
                    }
                } catch (Throwable e) {
                    failures[slot] = e;
                }
            });
            threads[t].start();
        }
        for (Thread thread : threads) thread.join();
        assertThat(failures).containsOnlyNulls();
    }

    @Test
    void emptyProductsLeaveOrClearC() {
        Backend oneDnn = OneDnnBackend.load(Precision.BF16);
        float[] c = {1f, 2f};
        oneDnn.ab(c, new float[0], new float[0], 1, 0, 2, true);
        assertThat(c).containsExactly(1f, 2f);
        oneDnn.aTb(c, new float[0], new float[0], 1, 0, 2, false);
        assertThat(c).containsExactly(0f, 0f);
        oneDnn.abT(c, new float[0], new float[4], 0, 2, 2, false);
    }

    @Test
    void bfloat16RoundsTheOperands() {
        // 1 + 2⁻¹⁰ is not a bfloat16 (7 fraction bits): it rounds to 1, so the product loses the 2⁻¹⁰ terms
        float x = 1f + 0x1p-10f;
        float[] a = {x, x}, b = {x, x};
        float[] f32 = new float[1], bf16 = new float[1];
        OneDnnBackend.load(Precision.F32).abT(f32, a, b, 1, 2, 1, false);
        OneDnnBackend.load(Precision.BF16).abT(bf16, a, b, 1, 2, 1, false);
        assertThat(f32[0]).isEqualTo(2f * x * x);
        assertThat(bf16[0]).isEqualTo(2f);
    }

    @Test
    void autoPicksOneDnnForBfloat16AndJavaForFloat32() {
        assertThat(Backends.select("auto", Precision.BF16).label()).isEqualTo("onednn-bf16");
        assertThat(Backends.select("auto", Precision.F32).label()).isEqualTo("java-f32");
        assertThat(Backends.select("onednn", Precision.F32).label()).isEqualTo("onednn-f32");
        assertThat(OneDnnBackend.version()).startsWith("2.");
    }

    @Test
    void aMissingLibraryIsAOneLineReason() {
        assertThatThrownBy(() -> OneDnnLibrary.load("libdnnl-not-here.so.2"))
                .isInstanceOf(CriaException.class)
                .hasMessageStartingWith("libdnnl-not-here.so.2 cannot be loaded (install Debian's libdnnl2)")
                .hasMessageNotContaining("\n");
    }

    /**
     * On a CPU without AVX-512, oneDNN loads but has no bfloat16 matmul. Such a host is stood in for by
     * limiting oneDNN to AVX2 ({@code ONEDNN_MAX_CPU_ISA}, read when the library loads, so in a child JVM):
     * auto must then fall back to the Java kernels, and an explicit {@code --backend onednn} must say why
     * in one line, instead of failing at the first product.
     */
    @Test
    void withoutBf16InOneDnnAutoTakesJavaAndOneDnnSaysWhy() throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var child = new ProcessBuilder(javaBin, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Avx2Host.class.getName()).redirectErrorStream(true);
        child.environment().put("ONEDNN_MAX_CPU_ISA", "AVX2");
        child.environment().put("DNNL_MAX_CPU_ISA", "AVX2");
        Process process = child.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(out).isZero();
        assertThat(out).contains("auto f32: java-f32", "auto bf16: java-bf16", "onednn f32: onednn-f32",
                "onednn bf16: oneDNN cannot multiply bf16 on this CPU (dnnl_primitive_desc_create failed: dnnl_unimplemented); use --backend java");
    }

    /** The child JVM of {@link #withoutBf16InOneDnnAutoTakesJavaAndOneDnnSaysWhy}: what each choice selects. */
    static final class Avx2Host {
        public static void main(String[] args) {
            for (String choice : new String[] {"auto", "onednn"}) {
                for (Precision precision : Precision.values()) {
                    String what;
                    try {
                        what = Backends.select(choice, precision).label();
                    } catch (CriaException e) {
                        what = e.getMessage();
                    }
                    System.out.println(choice + " " + precision.label() + ": " + what);
                }
            }
        }
    }

    /** Σₖ |A(m,k)|·|B(k,n)| for every (m,n): the size of what float32 summation order can disturb. */
    private static float[] absoluteProducts(Layout layout, float[] a, float[] b, int M, int K, int N) {
        float[] scale = new float[M * N];
        for (int m = 0; m < M; m++) {
            for (int n = 0; n < N; n++) {
                double sum = 0;
                for (int k = 0; k < K; k++) sum += Math.abs(a[layout.a(m, k, M, K)] * b[layout.b(k, n, K, N)]);
                scale[m * N + n] = (float) sum;
            }
        }
        return scale;
    }

    private float[] random(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) rng.nextGaussian();
        return x;
    }
}
