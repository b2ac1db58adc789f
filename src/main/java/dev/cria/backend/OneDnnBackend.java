package dev.cria.backend;

import dev.cria.kernels.Bf16;
import dev.cria.kernels.Simd;
import dev.cria.tensor.Parallel;
import dev.cria.util.CriaException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix products on oneDNN's matmul primitive (Debian's libdnnl2, the v2 C API) through the FFM API.
 * Each call copies A and B into native scratch (rounded to bfloat16 in {@link Precision#BF16}, the bits
 * of {@link Bf16#round}), runs a cached primitive into a float32 scratch C, and copies C back, adding
 * it in when accumulating. Transposed operands are never transposed here: the primitive reads them
 * through a column-major format tag.
 *
 * <p>Not a general binding: only the three layouts of {@link Backend}, float32 accumulation, no bias or
 * post-ops. oneDNN threads with OpenMP (Debian builds it so) over all cores unless OMP_NUM_THREADS says
 * otherwise; Cria's own threads only pack and unpack operands between its calls.
 *
 * <p>subtle: after each product libgomp's idle threads spin for a while before they sleep, and on a small
 * machine they take cores from the Java kernels that run next (on two cores a 512×768×768 Java product
 * right after a oneDNN one took about 1.5× as long). {@code GOMP_SPINCOUNT=3000} or
 * {@code OMP_WAIT_POLICY=passive} in the environment stops that, at some cost to small oneDNN products.
 */
public final class OneDnnBackend implements Backend {
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Packing and unpacking are memory-bound: a chunk handed to another thread must be worth it. */
    private static final int GRAIN = 1 << 16;

    private static final Object LOCK = new Object();
    private static OneDnnLibrary library;
    private static String why;
    private static final OneDnnBackend[] INSTANCES = new OneDnnBackend[Precision.values().length];

    private final OneDnnLibrary dnnl;
    private final Precision precision;
    private final Arena arena = Arena.ofAuto();
    private final Map<MatmulPrimitive.Key, MatmulPrimitive> primitives = new HashMap<>();
    private final NativeScratch aScratch = new NativeScratch(), bScratch = new NativeScratch(), cScratch = new NativeScratch();

    private OneDnnBackend(OneDnnLibrary dnnl, Precision precision) {
        this.dnnl = dnnl;
        this.precision = precision;
    }

    /** The backend for {@code precision}, or a {@link CriaException} saying in one line why oneDNN cannot be used. */
    public static OneDnnBackend load(Precision precision) {
        synchronized (LOCK) {
            if (!tryLoad()) throw new CriaException("oneDNN is unavailable: " + why);
            OneDnnBackend backend = INSTANCES[precision.ordinal()];
            if (backend == null) INSTANCES[precision.ordinal()] = backend = new OneDnnBackend(library, precision);
            return backend;
        }
    }

    /**
     * Whether oneDNN loads and gives a CPU engine; loads it on the first call. The library is libdnnl.so.2
     * wherever the dynamic loader finds it, or {@code -Dcria.onednn.library=/path/to/libdnnl.so.2}.
     */
    public static boolean available() {
        synchronized (LOCK) {
            return tryLoad();
        }
    }

    /**
     * Why oneDNN cannot multiply in {@code precision} on this CPU, or null if it can: it loads, and a 16 × 16
     * product runs (probed once per precision). oneDNN has a bfloat16 matmul only from AVX-512 on: on an
     * AVX2 host the library loads but refuses the primitive as unimplemented.
     */
    public static String cannot(Precision precision) {
        synchronized (LOCK) {
            if (!tryLoad()) return why;
            int i = precision.ordinal();
            if (!PROBED[i]) {
                PROBED[i] = true;
                try {
                    float[] x = new float[16 * 16];
                    load(precision).abT(new float[16 * 16], x, x, 16, 16, 16, false);
                } catch (CriaException e) {
                    REFUSED[i] = e.getMessage();
                }
            }
            return REFUSED[i];
        }
    }

    private static final boolean[] PROBED = new boolean[Precision.values().length];
    private static final String[] REFUSED = new String[Precision.values().length];

    /** Why oneDNN is unavailable, or null if it is available. */
    public static String why() {
        synchronized (LOCK) {
            return tryLoad() ? null : why;
        }
    }

    /** The oneDNN version ("2.6.3"); throws like {@link #load} if there is none. */
    public static String version() {
        synchronized (LOCK) {
            if (!tryLoad()) throw new CriaException("oneDNN is unavailable: " + why);
            return library.version;
        }
    }

    private static boolean tryLoad() {
        if (library == null && why == null) {
            try {
                library = OneDnnLibrary.load(System.getProperty("cria.onednn.library", OneDnnLibrary.DEFAULT_LIBRARY));
            } catch (CriaException e) {
                why = e.getMessage();
            } catch (RuntimeException | LinkageError e) {
                why = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
        }
        return library != null;
    }

    @Override
    public String name() {
        return "onednn";
    }

    @Override
    public Precision precision() {
        return precision;
    }

    @Override
    public void abT(float[] c, float[] a, float[] b, int M, int K, int N, boolean accumulate) {
        multiply(MatmulPrimitive.Layout.AB_T, c, a, b, M, K, N, accumulate);
    }

    @Override
    public void ab(float[] c, float[] a, float[] b, int M, int K, int N, boolean accumulate) {
        multiply(MatmulPrimitive.Layout.AB, c, a, b, M, K, N, accumulate);
    }

    @Override
    public void aTb(float[] c, float[] a, float[] b, int M, int K, int N, boolean accumulate) {
        multiply(MatmulPrimitive.Layout.A_T_B, c, a, b, M, K, N, accumulate);
    }

    private void multiply(MatmulPrimitive.Layout layout, float[] c, float[] a, float[] b,
                          int M, int K, int N, boolean accumulate) {
        // one product at a time across both precisions: they share the stream, and OpenMP already uses every core
        synchronized (dnnl) {
            multiplyAlone(layout, c, a, b, M, K, N, accumulate);
        }
    }

    private void multiplyAlone(MatmulPrimitive.Layout layout, float[] c, float[] a, float[] b,
                               int M, int K, int N, boolean accumulate) {
        if (M < 0 || K < 0 || N < 0) throw new IllegalArgumentException("negative matmul shape: M=" + M + " K=" + K + " N=" + N);
        int aSize = Math.multiplyExact(M, K), bSize = Math.multiplyExact(K, N), cSize = Math.multiplyExact(M, N);
        if (a.length < aSize || b.length < bSize || c.length < cSize) {
            throw new IllegalArgumentException("arrays too short for M=" + M + " K=" + K + " N=" + N + ": a " + a.length
                    + ", b " + b.length + ", c " + c.length);
        }
        if (K == 0) {
            // an empty sum; oneDNN would refuse the zero-sized descriptor
            if (!accumulate) Arrays.fill(c, 0, cSize, 0f);
            return;
        }
        if (cSize == 0) return;
        MatmulPrimitive primitive = primitives.computeIfAbsent(new MatmulPrimitive.Key(layout, M, K, N),
                key -> new MatmulPrimitive(dnnl, key, precision == Precision.BF16 ? OneDnnLibrary.BF16 : OneDnnLibrary.F32, arena));
        MemorySegment aData = pack(aScratch, a, aSize), bData = pack(bScratch, b, bSize);
        MemorySegment cData = cScratch.atLeast(4L * cSize);
        Parallel.releaseCores();
        primitive.run(aData, bData, cData);
        unpack(c, cData, cSize, accumulate);
    }

    /** x[0..n) in native memory as the operand type: float32, or bfloat16 bits. */
    private MemorySegment pack(NativeScratch scratch, float[] x, int n) {
        if (precision == Precision.BF16) {
            MemorySegment data = scratch.atLeast(2L * n);
            Parallel.forRange(n, GRAIN, (from, to) -> Bf16.pack(x, data, from, to));
            return data;
        }
        MemorySegment data = scratch.atLeast(4L * n);
        Parallel.forRange(n, GRAIN, (from, to) -> MemorySegment.copy(x, from, data, FLOAT, 4L * from, to - from));
        return data;
    }

    /**
     * c[0..n) = data, or += data when accumulating. Adding here rather than with a sum post-op measured no
     * slower than the plain copy back, and spares a second primitive per shape and copying C in first.
     */
    private static void unpack(float[] c, MemorySegment data, int n, boolean accumulate) {
        Parallel.forRange(n, GRAIN, (from, to) -> {
            if (!accumulate) MemorySegment.copy(data, FLOAT, 4L * from, c, from, to - from);
            else if (Simd.ENABLED) addVector(c, data, from, to);
            else addScalar(c, data, from, to);
        });
    }

    private static void addVector(float[] c, MemorySegment data, int from, int to) {
        int i = from;
        for (int bound = from + F.loopBound(to - from); i < bound; i += F.length()) {
            FloatVector.fromMemorySegment(F, data, 4L * i, ByteOrder.nativeOrder()).add(FloatVector.fromArray(F, c, i)).intoArray(c, i);
        }
        addScalar(c, data, i, to);
    }

    private static void addScalar(float[] c, MemorySegment data, int from, int to) {
        for (int i = from; i < to; i++) c[i] += data.getAtIndex(FLOAT, i);
    }

    /** How many shapes have a compiled primitive: the tests check that repeated shapes reuse theirs. */
    int compiledShapes() {
        synchronized (dnnl) {
            return primitives.size();
        }
    }

    @Override
    public String toString() {
        return label();
    }
}
