package dev.cria.backend;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One compiled oneDNN matmul, C (M,N) = A (M,K) · B (K,N), for one layout, shape and operand type, with its
 * three memory objects and argument list. Building one costs far more than running it, and training runs
 * the same few shapes every step, so {@link OneDnnBackend} keeps them. C is always row-major float32.
 */
final class MatmulPrimitive {
    /** How A and B are stored, as oneDNN format tags of the logical (M,K) and (K,N) matrices. */
    enum Layout {
        /** A (M,K), B stored (N,K): B's logical (K,N) is column-major. */
        AB_T(OneDnnLibrary.TAG_AB, OneDnnLibrary.TAG_BA),
        /** A (M,K), B (K,N). */
        AB(OneDnnLibrary.TAG_AB, OneDnnLibrary.TAG_AB),
        /** A stored (K,M): its logical (M,K) is column-major; B (K,N). */
        A_T_B(OneDnnLibrary.TAG_BA, OneDnnLibrary.TAG_AB);

        final int aTag, bTag;

        Layout(int aTag, int bTag) {
            this.aTag = aTag;
            this.bTag = bTag;
        }
    }

    record Key(Layout layout, int M, int K, int N) {
    }

    private static final int ARGS = 3;

    private final OneDnnLibrary dnnl;
    private final MemorySegment primitive, a, b, c, args;

    /** Compiles the matmul; {@code operandType} is {@link OneDnnLibrary#F32} or {@link OneDnnLibrary#BF16}. */
    MatmulPrimitive(OneDnnLibrary dnnl, Key key, int operandType, Arena arena) {
        this.dnnl = dnnl;
        try (Arena descriptors = Arena.ofConfined()) {
            MemorySegment aDesc = descriptors.allocate(OneDnnLibrary.MEMORY_DESC_BYTES, 8);
            MemorySegment bDesc = descriptors.allocate(OneDnnLibrary.MEMORY_DESC_BYTES, 8);
            MemorySegment cDesc = descriptors.allocate(OneDnnLibrary.MEMORY_DESC_BYTES, 8);
            MemorySegment matmulDesc = descriptors.allocate(OneDnnLibrary.MATMUL_DESC_BYTES, 8);
            dnnl.memoryDesc(aDesc, key.M(), key.K(), operandType, key.layout().aTag, descriptors);
            dnnl.memoryDesc(bDesc, key.K(), key.N(), operandType, key.layout().bTag, descriptors);
            dnnl.memoryDesc(cDesc, key.M(), key.N(), OneDnnLibrary.F32, OneDnnLibrary.TAG_AB, descriptors);
            dnnl.matmulDesc(matmulDesc, aDesc, bDesc, cDesc);
            primitive = dnnl.primitive(matmulDesc, descriptors);
            // subtle: memory objects copy the descriptor, so they outlive the confined arena that held it
            a = dnnl.memory(aDesc, descriptors);
            b = dnnl.memory(bDesc, descriptors);
            c = dnnl.memory(cDesc, descriptors);
        }
        args = arena.allocate(OneDnnLibrary.EXEC_ARG, ARGS);
        long stride = OneDnnLibrary.EXEC_ARG.byteSize();
        int[] slots = {OneDnnLibrary.ARG_SRC, OneDnnLibrary.ARG_WEIGHTS, OneDnnLibrary.ARG_DST};
        MemorySegment[] memories = {a, b, c};
        for (int i = 0; i < ARGS; i++) {
            args.set(ValueLayout.JAVA_INT, i * stride, slots[i]);
            args.set(ValueLayout.ADDRESS, i * stride + 8, memories[i]);
        }
    }

    /** c = a · b on native buffers laid out as the key says; returns once c is written. */
    void run(MemorySegment aData, MemorySegment bData, MemorySegment cData) {
        dnnl.setHandle(a, aData);
        dnnl.setHandle(b, bData);
        dnnl.setHandle(c, cData);
        dnnl.execute(primitive, args, ARGS);
    }
}
