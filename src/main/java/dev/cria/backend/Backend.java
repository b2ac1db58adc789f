package dev.cria.backend;

/**
 * Where the matrix products of training run: the one seam between the model and the machine.
 * {@link JavaBackend} (the Vector API kernels) is the default, the fallback and the reference that every
 * other backend is tested against; {@link OneDnnBackend} calls oneDNN's matmul primitive through the FFM
 * API. One backend is chosen at start-up ({@link Backends#use}) and named in {@code bench} output and in
 * {@code metrics.jsonl}.
 *
 * <p>Layouts are row-major and named by what is transposed, as in {@link dev.cria.kernels.Linear}: the
 * forward pass is {@code abT} (activations times a weight stored (out, in)), the input gradient {@code ab},
 * the weight gradient {@code aTb}. With {@code accumulate} the product is added to C, else C is overwritten.
 *
 * <p>Memory: the caller owns every array. A backend reads A and B and writes C during the call and keeps no
 * reference to them afterwards, so a backend on another device (cuBLAS through FFM, say) copies operands in
 * and C out inside the call. It may keep device-side state of its own (compiled primitives, scratch, cached
 * copies of operands it can prove unchanged), but correctness never depends on it.
 */
public interface Backend {
    /** "java", "onednn": the implementation, without the precision. */
    String name();

    Precision precision();

    /** C (M,N) (+)= A (M,K) · Bᵀ, B stored (N,K). */
    void abT(float[] c, float[] a, float[] b, int M, int K, int N, boolean accumulate);

    /** C (M,N) (+)= A (M,K) · B (K,N). */
    void ab(float[] c, float[] a, float[] b, int M, int K, int N, boolean accumulate);

    /** C (M,N) (+)= Aᵀ · B, A stored (K,M), B (K,N). */
    void aTb(float[] c, float[] a, float[] b, int M, int K, int N, boolean accumulate);

    /** How bench output and metrics name it: "java-f32", "onednn-bf16". */
    default String label() {
        return name() + "-" + precision().label();
    }
}
