package dev.cria.backend;

import dev.cria.util.CriaException;
import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The few functions of oneDNN's v2 C API that a matmul needs, bound through the FFM API, plus one CPU
 * engine and one stream. Nothing here knows about Cria's layouts; {@link MatmulPrimitive} does.
 *
 * <p>subtle: v2 passes memory and op descriptors as plain structs that the caller allocates, so their
 * sizes and the enum values below are copied from the headers of Debian's libdnnl-dev 2.6.3
 * ({@code oneapi/dnnl/dnnl_types.h}; {@code scripts/onednn-abi.c} prints them). v3 made the descriptors
 * opaque and dropped {@code dnnl_matmul_desc_init}, so {@link #load} refuses any major version but 2.
 */
final class OneDnnLibrary {
    /** sizeof(dnnl_memory_desc_t) and sizeof(dnnl_matmul_desc_t) in 2.6.3; both 8-byte aligned. */
    static final long MEMORY_DESC_BYTES = 696, MATMUL_DESC_BYTES = 2800;
    /** dnnl_data_type_t. */
    static final int BF16 = 2, F32 = 3;
    /** dnnl_format_tag_t for 2-D row-major (ab) and column-major (ba) memory. */
    static final int TAG_AB = 3, TAG_BA = 22;
    /** DNNL_ARG_*, the slots of dnnl_exec_arg_t. */
    static final int ARG_SRC = 1, ARG_DST = 17, ARG_WEIGHTS = 33;
    /** dnnl_exec_arg_t {int arg; dnnl_memory_t memory;}: 16 bytes with the padding. */
    static final MemoryLayout EXEC_ARG = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("arg"), MemoryLayout.paddingLayout(4), ValueLayout.ADDRESS.withName("memory"));

    private static final int CPU_ENGINE = 1, STREAM_DEFAULT_FLAGS = 1, SUCCESS = 0;
    private static final String[] STATUS = {"success", "out_of_memory", "invalid_arguments", "unimplemented",
            "iterator_ends", "runtime_error", "not_required"};
    /** The v2 soname: the dynamic loader finds it wherever the distribution put it. */
    static final String DEFAULT_LIBRARY = "libdnnl.so.2";

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong SIZE = ValueLayout.JAVA_LONG;
    private static final AddressLayout PTR = ValueLayout.ADDRESS;

    private final MethodHandle memoryDescInitByTag, matmulDescInit, primitiveDescCreate, primitiveDescDestroy,
            primitiveCreate, memoryCreate, memorySetDataHandle, primitiveExecute, streamWait;
    private final MemorySegment engine, stream;
    final String version;

    private OneDnnLibrary(SymbolLookup lookup, Arena arena) {
        Linker linker = Linker.nativeLinker();
        MethodHandle versionCall = bind(linker, lookup, "dnnl_version", FunctionDescriptor.of(PTR));
        MemorySegment v;
        try {
            // dnnl_version_t starts {int major; int minor; int patch; ...}
            v = ((MemorySegment) versionCall.invokeExact()).reinterpret(12);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        int major = v.get(INT, 0), minor = v.get(INT, 4), patch = v.get(INT, 8);
        this.version = major + "." + minor + "." + patch;
        if (major != 2) throw new CriaException("oneDNN " + this.version + " found; Cria's bindings need the v2 C API (libdnnl2)");

        memoryDescInitByTag = bind(linker, lookup, "dnnl_memory_desc_init_by_tag", FunctionDescriptor.of(INT, PTR, INT, PTR, INT, INT));
        matmulDescInit = bind(linker, lookup, "dnnl_matmul_desc_init", FunctionDescriptor.of(INT, PTR, PTR, PTR, PTR, PTR));
        primitiveDescCreate = bind(linker, lookup, "dnnl_primitive_desc_create", FunctionDescriptor.of(INT, PTR, PTR, PTR, PTR, PTR));
        primitiveDescDestroy = bind(linker, lookup, "dnnl_primitive_desc_destroy", FunctionDescriptor.of(INT, PTR));
        primitiveCreate = bind(linker, lookup, "dnnl_primitive_create", FunctionDescriptor.of(INT, PTR, PTR));
        memoryCreate = bind(linker, lookup, "dnnl_memory_create", FunctionDescriptor.of(INT, PTR, PTR, PTR, PTR));
        memorySetDataHandle = bind(linker, lookup, "dnnl_memory_set_data_handle", FunctionDescriptor.of(INT, PTR, PTR));
        primitiveExecute = bind(linker, lookup, "dnnl_primitive_execute", FunctionDescriptor.of(INT, PTR, PTR, INT, PTR));
        streamWait = bind(linker, lookup, "dnnl_stream_wait", FunctionDescriptor.of(INT, PTR));
        MethodHandle engineCreate = bind(linker, lookup, "dnnl_engine_create", FunctionDescriptor.of(INT, PTR, INT, SIZE));
        MethodHandle streamCreate = bind(linker, lookup, "dnnl_stream_create", FunctionDescriptor.of(INT, PTR, PTR, INT));

        MemorySegment out = arena.allocate(PTR);
        check(invoke(engineCreate, out, CPU_ENGINE, 0L), "dnnl_engine_create");
        engine = out.get(PTR, 0);
        check(invoke(streamCreate, out, engine, STREAM_DEFAULT_FLAGS), "dnnl_stream_create");
        stream = out.get(PTR, 0);
    }

    /**
     * Binds oneDNN and creates a CPU engine and stream, or throws a {@link CriaException} whose one-line
     * message says why not (library missing, wrong version, native access denied). {@code library} is a
     * name for the dynamic loader ({@link #DEFAULT_LIBRARY}) or a path.
     */
    static OneDnnLibrary load(String library) {
        try {
            quietOpenMpThreads();
            Arena arena = Arena.global();
            return new OneDnnLibrary(SymbolLookup.libraryLookup(library, arena), arena);
        } catch (IllegalArgumentException missing) {
            throw new CriaException(library + " cannot be loaded (install Debian's libdnnl2): " + missing.getMessage());
        } catch (IllegalCallerException denied) {
            throw new CriaException("oneDNN needs native access: run java with --enable-native-access=ALL-UNNAMED");
        }
    }

    /**
     * OpenMP's threads spin for a while after each oneDNN call, waiting for the next; on a machine with
     * few cores they then take the cores from the Java kernels that run between calls (attention, norms),
     * which measured 1.7× slower in a bfloat16 training step. Unless the user chose a policy, this sets
     * {@code GOMP_SPINCOUNT} in the C environment before libgomp loads with oneDNN, as if it had been
     * exported. Default: {@value #SPIN_COUNT} (libgomp's own is 300,000).
     */
    private static void quietOpenMpThreads() {
        if (System.getenv("OMP_WAIT_POLICY") != null || System.getenv("GOMP_SPINCOUNT") != null) return;
        Linker linker = Linker.nativeLinker();
        var setenv = linker.defaultLookup().find("setenv").map(address -> linker.downcallHandle(address,
                FunctionDescriptor.of(INT, PTR, PTR, INT)));
        if (setenv.isEmpty()) return;
        try (Arena arena = Arena.ofConfined()) {
            int ignored = (int) setenv.get().invokeExact(arena.allocateFrom("GOMP_SPINCOUNT"),
                    arena.allocateFrom(Integer.getInteger("cria.onednn.spin", SPIN_COUNT).toString()), 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static final int SPIN_COUNT = 3000;

    /** dnnl_memory_desc_init_by_tag for a 2-D {@code rows × cols} descriptor written into {@code desc}. */
    void memoryDesc(MemorySegment desc, long rows, long cols, int dataType, int tag, Arena arena) {
        MemorySegment dims = arena.allocateFrom(ValueLayout.JAVA_LONG, rows, cols);
        check(invoke(memoryDescInitByTag, desc, 2, dims, dataType, tag), "dnnl_memory_desc_init_by_tag");
    }

    void matmulDesc(MemorySegment desc, MemorySegment src, MemorySegment weights, MemorySegment dst) {
        check(invoke(matmulDescInit, desc, src, weights, MemorySegment.NULL, dst), "dnnl_matmul_desc_init");
    }

    /** A primitive for the op descriptor with default attributes; its primitive descriptor is freed at once. */
    MemorySegment primitive(MemorySegment opDesc, Arena arena) {
        MemorySegment out = arena.allocate(PTR);
        check(invoke(primitiveDescCreate, out, opDesc, MemorySegment.NULL, engine, MemorySegment.NULL), "dnnl_primitive_desc_create");
        MemorySegment primitiveDesc = out.get(PTR, 0);
        try {
            check(invoke(primitiveCreate, out, primitiveDesc), "dnnl_primitive_create");
            return out.get(PTR, 0);
        } finally {
            check(invoke(primitiveDescDestroy, primitiveDesc), "dnnl_primitive_desc_destroy");
        }
    }

    /** A memory object for {@code desc} with no buffer yet: {@link #setHandle} points it at one per call. */
    MemorySegment memory(MemorySegment desc, Arena arena) {
        MemorySegment out = arena.allocate(PTR);
        check(invoke(memoryCreate, out, desc, engine, MemorySegment.NULL), "dnnl_memory_create");
        return out.get(PTR, 0);
    }

    // the three calls made on every product use invokeExact, which the JIT compiles to a direct call
    void setHandle(MemorySegment memory, MemorySegment data) {
        try {
            check((int) memorySetDataHandle.invokeExact(memory, data), "dnnl_memory_set_data_handle");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Runs the primitive on the stream and waits for it: the caller reads the result right after. */
    void execute(MemorySegment primitive, MemorySegment args, int count) {
        try {
            check((int) primitiveExecute.invokeExact(primitive, stream, count, args), "dnnl_primitive_execute");
            check((int) streamWait.invokeExact(stream), "dnnl_stream_wait");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static MethodHandle bind(Linker linker, SymbolLookup lookup, String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = lookup.find(name)
                .orElseThrow(() -> new CriaException("libdnnl.so.2 has no symbol " + name));
        return linker.downcallHandle(symbol, descriptor);
    }

    private static int invoke(MethodHandle handle, Object... args) {
        try {
            return (int) handle.invokeWithArguments(args);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    private static void check(int code, String call) {
        if (code == SUCCESS) return;
        String name = code >= 0 && code < STATUS.length ? STATUS[code] : "status " + code;
        throw new CriaException(call + " failed: dnnl_" + name);
    }
}
