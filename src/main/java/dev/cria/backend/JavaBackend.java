package dev.cria.backend;

import dev.cria.kernels.Gemm;

/**
 * The Vector API kernels of {@link Gemm}: the default backend and the reference for the others. In
 * bfloat16 the operands are rounded as they are packed and multiplied by the float32 kernels, which
 * accumulate in float32 as bfloat16 hardware does; C stays float32.
 */
public final class JavaBackend implements Backend {
    public static final JavaBackend F32 = new JavaBackend(Precision.F32);
    public static final JavaBackend BF16 = new JavaBackend(Precision.BF16);

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
        if (precision == Precision.BF16) Gemm.abTBf16(c, a, b, M, K, N, accumulate);
        else Gemm.abT(c, a, b, M, K, N, accumulate);
    }

    @Override
    public void ab(float[] c, float[] a, float[] b, int M, int K, int N, boolean accumulate) {
        if (precision == Precision.BF16) Gemm.abBf16(c, a, b, M, K, N, accumulate);
        else Gemm.ab(c, a, b, M, K, N, accumulate);
    }

    @Override
    public void aTb(float[] c, float[] a, float[] b, int M, int K, int N, boolean accumulate) {
        if (precision == Precision.BF16) Gemm.aTbBf16(c, a, b, M, K, N, accumulate);
        else Gemm.aTb(c, a, b, M, K, N, accumulate);
    }

    @Override
    public String toString() {
        return label();
    }
}
