package dev.cria.backend;

import dev.cria.kernels.Bf16;
import dev.cria.kernels.Gemm;
import dev.cria.tensor.Parallel;

/**
 * The Vector API kernels of {@link Gemm}: the default backend and the reference for the others. In
 * bfloat16 the operands are rounded into scratch copies (in parallel, one pass each) and multiplied by
 * the float32 kernels, which accumulate in float32 as bfloat16 hardware does; C stays float32.
 */
public final class JavaBackend implements Backend {
    public static final JavaBackend F32 = new JavaBackend(Precision.F32);
    public static final JavaBackend BF16 = new JavaBackend(Precision.BF16);

    private static final ThreadLocal<float[]> ROUNDED_A = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> ROUNDED_B = ThreadLocal.withInitial(() -> new float[0]);

    private final Precision precision;

    private JavaBackend(Precision precision) {
        this.precision = precision;
    }

    public static JavaBackend of(Precision precision) {
        return precision == Precision.BF16 ? BF16 : F32;
    }

    @Override
    public String name() {
        return "java";
    }

    @Override
    public Precision precision() {
        return precision;
    }

    @Override
    public void abT(float[] c, float[] a, float[] b, int M, int K, int N, boolean accumulate) {
        Gemm.abT(c, operand(ROUNDED_A, a, M * K), operand(ROUNDED_B, b, N * K), M, K, N, accumulate);
    }

    @Override
    public void ab(float[] c, float[] a, float[] b, int M, int K, int N, boolean accumulate) {
        Gemm.ab(c, operand(ROUNDED_A, a, M * K), operand(ROUNDED_B, b, K * N), M, K, N, accumulate);
    }

    @Override
    public void aTb(float[] c, float[] a, float[] b, int M, int K, int N, boolean accumulate) {
        Gemm.aTb(c, operand(ROUNDED_A, a, K * M), operand(ROUNDED_B, b, K * N), M, K, N, accumulate);
    }

    /** The operand itself in float32; in bfloat16, its first {@code n} values rounded into a scratch copy. */
    private float[] operand(ThreadLocal<float[]> scratch, float[] x, int n) {
        if (precision == Precision.F32) return x;
        float[] rounded = scratch.get();
        if (rounded.length < n) scratch.set(rounded = new float[n]);
        float[] into = rounded;
        Parallel.forRange(n, 1 << 16, (from, to) -> Bf16.round(x, into, from, to));
        return rounded;
    }

    @Override
    public String toString() {
        return label();
    }
}
