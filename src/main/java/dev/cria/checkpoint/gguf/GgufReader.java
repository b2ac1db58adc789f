package dev.cria.checkpoint.gguf;

import dev.cria.io.Io;
import dev.cria.kernels.FrozenMatrix;
import dev.cria.kernels.HalfMatrix;
import dev.cria.kernels.QuantMatrix;
import dev.cria.util.CriaException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a GGUF file (layout in {@link GgufWriter}; versions 2 and 3) from a memory mapping. {@link #open}
 * parses the header, every metadata value and every tensor info up front and checks them against the
 * file's size, so a truncated or corrupt file fails at once, in one line naming the file and the byte
 * offset, key, tensor or type at fault. Tensors are then read from the mapping: widened to float32
 * ({@link #floats}), or as 16-bit and quantized matrices that are views of the mapped bytes
 * ({@link #matrix}: no copy, the pages stay the file's).
 *
 * <p>The mapping lives as long as anything that reads it (an automatic arena), so matrices handed to a
 * model stay valid after the reader is dropped.
 */
public final class GgufReader {
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** ggml's GGML_MAX_DIMS. */
    private static final int MAX_DIMS = 4;

    /**
     * One tensor's place in the file.
     *
     * @param dims   as the file stores them, innermost first (dims[0] = ne0 = columns)
     * @param offset absolute byte offset of the first byte in the file
     */
    public record TensorInfo(String name, long[] dims, GgufType type, long offset, long bytes) {
        /** The shape outermost first, as Cria writes shapes: a matrix is {rows, cols}. */
        public int[] shape() {
            int[] shape = new int[dims.length];
            for (int i = 0; i < dims.length; i++) shape[i] = (int) dims[dims.length - 1 - i];
            return shape;
        }

        public long elements() {
            long n = 1;
            for (long d : dims) n *= d;
            return n;
        }
    }

    private final Path file;
    private final MemorySegment mapped;
    private final int version;
    private final Map<String, Object> metadata;
    private final Map<String, TensorInfo> tensors;

    private GgufReader(Path file, MemorySegment mapped, int version, Map<String, Object> metadata, Map<String, TensorInfo> tensors) {
        this.file = file;
        this.mapped = mapped;
        this.version = version;
        this.metadata = metadata;
        this.tensors = tensors;
    }

    public static GgufReader open(Path file) {
        MemorySegment mapped;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), Arena.ofAuto());
        } catch (IOException e) {
            throw Io.failure("read", file, e);
        }
        return new Parser(file, mapped).parse();
    }

    public Path file() {
        return file;
    }

    public int version() {
        return version;
    }

    /** The metadata keys, in file order. */
    public List<String> keys() {
        return List.copyOf(metadata.keySet());
    }

    public boolean has(String key) {
        return metadata.containsKey(key);
    }

    /** A value as its Java type: String, Long (any integer type), Double (either float type), Boolean or {@link GgufArray}. */
    Object value(String key) {
        return metadata.get(key);
    }

    public String string(String key) {
        return required(key, optionalString(key));
    }

    public String optionalString(String key) {
        return typed(key, String.class, "a string");
    }

    public long integer(String key) {
        return required(key, optionalInteger(key));
    }

    public Long optionalInteger(String key) {
        return typed(key, Long.class, "an integer");
    }

    /** A number stored as a float or an integer. */
    public double number(String key) {
        return required(key, optionalNumber(key));
    }

    public Double optionalNumber(String key) {
        Object v = metadata.get(key);
        if (v instanceof Long l) return l.doubleValue();
        return typed(key, Double.class, "a number");
    }

    public Boolean optionalBool(String key) {
        return typed(key, Boolean.class, "a boolean");
    }

    /** An array of strings, or null if the key is absent. */
    public List<String> strings(String key) {
        GgufArray a = array(key);
        if (a == null) return null;
        if (a.strings() == null) throw wrongType(key, "an array of strings");
        return a.strings();
    }

    /** An array of integers of any width, or null if the key is absent. */
    public long[] integers(String key) {
        GgufArray a = array(key);
        if (a == null) return null;
        if (a.integers() == null) throw wrongType(key, "an array of integers");
        return a.integers();
    }

    /** An array of floats (or integers, widened), or null if the key is absent. */
    public double[] numbers(String key) {
        GgufArray a = array(key);
        if (a == null) return null;
        if (a.floats() != null) return a.floats();
        if (a.integers() != null) return Arrays.stream(a.integers()).asDoubleStream().toArray();
        throw wrongType(key, "an array of numbers");
    }

    private GgufArray array(String key) {
        return typed(key, GgufArray.class, "an array");
    }

    private <T> T typed(String key, Class<T> type, String what) {
        Object v = metadata.get(key);
        if (v == null) return null;
        if (!type.isInstance(v)) throw wrongType(key, what);
        return type.cast(v);
    }

    private CriaException wrongType(String key, String what) {
        Object v = metadata.get(key);
        String actual = v instanceof GgufArray a ? "an array of " + a.elementType() : v.getClass().getSimpleName();
        return new CriaException(file + ": metadata key '" + key + "' is " + actual + ", expected " + what);
    }

    private <T> T required(String key, T value) {
        if (value == null) throw new CriaException(file + ": required metadata key '" + key + "' is missing");
        return value;
    }

    /** Every tensor, in file order. */
    public List<TensorInfo> tensors() {
        return List.copyOf(tensors.values());
    }

    /** The tensor named {@code name}, or null. */
    public TensorInfo tensor(String name) {
        return tensors.get(name);
    }

    /** The tensor's bytes, a slice of the mapping. */
    public MemorySegment bytes(TensorInfo t) {
        return mapped.asSlice(t.offset(), t.bytes());
    }

    /** The tensor widened to float32, row-major. */
    public float[] floats(TensorInfo t) {
        if (t.elements() > Integer.MAX_VALUE - 8) throw new CriaException(file + ": tensor '" + t.name() + "' is too large for one float array");
        int n = (int) t.elements();
        MemorySegment bytes = bytes(t);
        float[] out = new float[n];
        switch (t.type()) {
            case F32 -> MemorySegment.copy(bytes, F32, 0, out, 0, n);
            case F16 -> { for (int i = 0; i < n; i++) out[i] = Float.float16ToFloat(bytes.getAtIndex(U16, i)); }
            case BF16 -> { for (int i = 0; i < n; i++) out[i] = Float.intBitsToFloat(bytes.getAtIndex(U16, i) << 16); }
            case Q8_0, Q4_0 -> {
                int cols = (int) t.dims()[0];
                FrozenMatrix m = QuantMatrix.of(bytes, n / cols, cols, t.type().quantKind());
                for (int r = 0; r < n / cols; r++) m.widen(r, 0, cols, out, r * cols);
            }
        }
        return out;
    }

    /**
     * A 2-D tensor stored in 16 bits or blocks, as a matrix over the mapped bytes (no copy); null for an
     * F32 tensor or one that is not a matrix.
     */
    public FrozenMatrix matrix(TensorInfo t) {
        return t.type().quantKind() != null ? matrix(t, readOffHeap(t)) : matrix(t, bytes(t));
    }

    /**
     * The tensor's bytes read from the file into fresh off-heap memory, not mapped. subtle: decoding streams
     * the quantized blocks from memory, and from the file's mapping it ran at 12 tokens/s where the same blocks
     * in the process's own memory ran at 20 (TinyLlama shapes, 2 threads): the kernel stalls on page walks
     * over the mapping's small pages. Read, not copied from the mapping, so the file's pages are not resident too.
     */
    private MemorySegment readOffHeap(TensorInfo t) {
        MemorySegment copy = Arena.ofAuto().allocate(t.bytes(), 64);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long done = 0;
            while (done < t.bytes()) {
                long chunk = Math.min(t.bytes() - done, 1L << 30);
                var buffer = copy.asSlice(done, chunk).asByteBuffer();
                while (buffer.hasRemaining()) {
                    if (channel.read(buffer, t.offset() + done + buffer.position()) < 0) {
                        throw new CriaException(file + ": file ends inside tensor '" + t.name() + "' (it changed while open)");
                    }
                }
                done += chunk;
            }
        } catch (IOException e) {
            throw Io.failure("read", file, e);
        }
        return copy;
    }

    /** As {@link #matrix(TensorInfo)}, over {@code bytes} laid out as the tensor's (e.g. its rows reordered). */
    static FrozenMatrix matrix(TensorInfo t, MemorySegment bytes) {
        if (t.dims().length != 2) return null;
        int cols = (int) t.dims()[0];
        int rows = (int) t.dims()[1];
        return switch (t.type()) {
            case F32 -> null;
            case F16 -> HalfMatrix.of(bytes, rows, cols, HalfMatrix.Kind.F16);
            case BF16 -> HalfMatrix.of(bytes, rows, cols, HalfMatrix.Kind.BF16);
            case Q8_0, Q4_0 -> QuantMatrix.of(bytes, rows, cols, t.type().quantKind());
        };
    }

    /** Reads the header front to back, checking each read against the end of the file. */
    private static final class Parser {
        private final Path file;
        private final MemorySegment in;
        private long at;

        Parser(Path file, MemorySegment in) {
            this.file = file;
            this.in = in;
        }

        GgufReader parse() {
            if (in.byteSize() < 4 || in.get(U32, 0) != GgufWriter.MAGIC) {
                byte[] head = in.asSlice(0, Math.min(4, in.byteSize())).toArray(ValueLayout.JAVA_BYTE);
                throw fail(0, "not a GGUF file: bad magic " + hex(head) + " (expected \"GGUF\")");
            }
            at = 4;
            int version = (int) u32("the version");
            if (version != 2 && version != 3) throw fail(4, "unsupported GGUF version " + Integer.toUnsignedString(version) + "; Cria reads versions 2 and 3");
            long tensorCount = u64("the tensor count");
            long kvCount = u64("the metadata count");
            // Every entry takes at least 8 bytes; larger counts are garbage, not a reason to allocate.
            if (Long.compareUnsigned(kvCount, in.byteSize() / 8) > 0) {
                throw fail(16, "metadata count " + Long.toUnsignedString(kvCount) + " cannot fit in a file of " + in.byteSize() + " bytes");
            }
            if (Long.compareUnsigned(tensorCount, in.byteSize() / 8) > 0) {
                throw fail(8, "tensor count " + Long.toUnsignedString(tensorCount) + " cannot fit in a file of " + in.byteSize() + " bytes");
            }

            Map<String, Object> metadata = new LinkedHashMap<>();
            for (long i = 0; i < kvCount; i++) {
                long keyAt = at;
                String key = string("a metadata key");
                long typeAt = at;
                long typeId = u32("the type of '" + key + "'");
                GgufValueType type = GgufValueType.byId(typeId);
                if (type == null) throw fail(typeAt, "metadata key '" + key + "' has unknown value type " + typeId);
                if (metadata.containsKey(key)) throw fail(keyAt, "metadata key '" + key + "' appears twice");
                metadata.put(key, value(type, key));
            }
            long alignment = GgufWriter.ALIGNMENT;
            Object a = metadata.get(GgufWriter.ALIGNMENT_KEY);
            if (a != null) {
                if (!(a instanceof Long l) || l <= 0 || Long.bitCount(l) != 1) {
                    throw new CriaException(file + ": metadata key '" + GgufWriter.ALIGNMENT_KEY + "' must be a power of two, got " + a);
                }
                alignment = l;
            }

            List<TensorInfo> infos = new ArrayList<>();
            for (long i = 0; i < tensorCount; i++) infos.add(tensorInfo());
            long dataStart = (at + alignment - 1) / alignment * alignment;
            Map<String, TensorInfo> tensors = new LinkedHashMap<>();
            for (TensorInfo t : infos) {
                if (t.offset() % alignment != 0) {
                    throw new CriaException(file + ": tensor '" + t.name() + "' starts at data offset " + t.offset() + ", not a multiple of the alignment " + alignment);
                }
                long start = dataStart + t.offset();
                if (t.offset() < 0 || start < 0 || start + t.bytes() > in.byteSize() || start + t.bytes() < start) {
                    throw new CriaException(file + ": tensor '" + t.name() + "' data runs past the end of the file (bytes "
                            + start + ".." + (start + t.bytes()) + " of a " + in.byteSize() + "-byte file; truncated?)");
                }
                if (tensors.put(t.name(), new TensorInfo(t.name(), t.dims(), t.type(), start, t.bytes())) != null) {
                    throw new CriaException(file + ": tensor '" + t.name() + "' appears twice");
                }
            }
            return new GgufReader(file, in, version, Collections.unmodifiableMap(metadata), Collections.unmodifiableMap(tensors));
        }

        private TensorInfo tensorInfo() {
            String name = string("a tensor name");
            long dimsAt = at;
            long n = u32("the dimension count of tensor '" + name + "'");
            if (n < 1 || n > MAX_DIMS) throw fail(dimsAt, "tensor '" + name + "' has " + n + " dimensions; GGUF allows 1 to " + MAX_DIMS);
            long[] dims = new long[(int) n];
            long elements = 1;
            for (int d = 0; d < n; d++) {
                dims[d] = u64("a dimension of tensor '" + name + "'");
                if (dims[d] <= 0 || dims[d] > Integer.MAX_VALUE) throw fail(at - 8, "tensor '" + name + "' has dimension " + Long.toUnsignedString(dims[d]));
                elements = Math.multiplyHigh(elements, dims[d]) != 0 ? -1 : elements * dims[d];
                if (elements < 0) throw fail(at - 8, "tensor '" + name + "' has too many elements " + Arrays.toString(dims));
            }
            long typeAt = at;
            long typeId = u32("the type of tensor '" + name + "'");
            GgufType type = GgufType.byId(typeId);
            if (type == null) {
                throw fail(typeAt, "tensor '" + name + "' has ggml type " + typeId + ", which Cria does not read (it reads "
                        + Arrays.toString(GgufType.values()) + ")");
            }
            if (dims[0] % type.blockSize() != 0) {
                throw fail(typeAt, "tensor '" + name + "' has " + dims[0] + " columns, not whole " + type + " blocks of " + type.blockSize());
            }
            long offset = u64("the offset of tensor '" + name + "'");
            return new TensorInfo(name, dims, type, offset, type.bytesFor(elements));
        }

        private Object value(GgufValueType type, String key) {
            return switch (type) {
                case STRING -> string("the value of '" + key + "'");
                case ARRAY -> array(key);
                case BOOL -> bool(key);
                case FLOAT32 -> (double) Float.intBitsToFloat((int) u32("the value of '" + key + "'"));
                case FLOAT64 -> Double.longBitsToDouble(u64("the value of '" + key + "'"));
                default -> integer(type, key);
            };
        }

        private boolean bool(String key) {
            need(1, "the value of '" + key + "'");
            return in.get(ValueLayout.JAVA_BYTE, at++) != 0;
        }

        private long integer(GgufValueType type, String key) {
            String what = "the value of '" + key + "'";
            need(type.size, what);
            long v = switch (type) {
                case UINT8 -> in.get(ValueLayout.JAVA_BYTE, at) & 0xFFL;
                case INT8 -> in.get(ValueLayout.JAVA_BYTE, at);
                case UINT16 -> in.get(U16, at) & 0xFFFFL;
                case INT16 -> in.get(U16, at);
                case UINT32 -> in.get(U32, at) & 0xFFFFFFFFL;
                case INT32 -> in.get(U32, at);
                case UINT64, INT64 -> in.get(U64, at);
                default -> throw new IllegalStateException(type.name());
            };
            at += type.size;
            return v;
        }

        private GgufArray array(String key) {
            long typeAt = at;
            long typeId = u32("the element type of '" + key + "'");
            GgufValueType type = GgufValueType.byId(typeId);
            if (type == null || type == GgufValueType.ARRAY) throw fail(typeAt, "metadata array '" + key + "' has unsupported element type " + typeId);
            long countAt = at;
            long count = u64("the length of '" + key + "'");
            long least = type == GgufValueType.STRING ? 8 : type.size;
            if (count < 0 || count > (in.byteSize() - at) / least) {
                throw fail(countAt, "metadata array '" + key + "' claims " + Long.toUnsignedString(count) + " elements, more than the file holds (truncated?)");
            }
            int n = (int) count;
            if (type == GgufValueType.STRING) {
                List<String> strings = new ArrayList<>(n);
                for (int i = 0; i < n; i++) strings.add(string("element " + i + " of '" + key + "'"));
                return new GgufArray(type, Collections.unmodifiableList(strings), null, null, null);
            }
            if (type == GgufValueType.BOOL) {
                boolean[] values = new boolean[n];
                for (int i = 0; i < n; i++) values[i] = bool(key);
                return new GgufArray(type, null, null, null, values);
            }
            if (type.isFloat()) {
                double[] values = new double[n];
                for (int i = 0; i < n; i++) values[i] = (double) value(type, key);
                return new GgufArray(type, null, null, values, null);
            }
            long[] values = new long[n];
            for (int i = 0; i < n; i++) values[i] = integer(type, key);
            return new GgufArray(type, null, values, null, null);
        }

        private String string(String what) {
            long lengthAt = at;
            long length = u64("the length of " + what);
            if (length < 0 || length > in.byteSize() - at) {
                throw fail(lengthAt, "string length " + Long.toUnsignedString(length) + " of " + what + " runs past the end of the file (truncated?)");
            }
            byte[] utf8 = in.asSlice(at, length).toArray(ValueLayout.JAVA_BYTE);
            at += length;
            return new String(utf8, StandardCharsets.UTF_8);
        }

        private long u32(String what) {
            need(4, what);
            long v = in.get(U32, at) & 0xFFFFFFFFL;
            at += 4;
            return v;
        }

        private long u64(String what) {
            need(8, what);
            long v = in.get(U64, at);
            at += 8;
            return v;
        }

        private void need(long bytes, String what) {
            if (at + bytes > in.byteSize()) {
                throw fail(at, "file ends while reading " + what + " (truncated: " + in.byteSize() + " bytes)");
            }
        }

        private CriaException fail(long offset, String problem) {
            return new CriaException(file + ": at byte offset " + offset + ": " + problem);
        }

        private static String hex(byte[] bytes) {
            StringBuilder s = new StringBuilder();
            for (byte b : bytes) s.append(String.format("%02X", b & 0xFF));
            return s.isEmpty() ? "(empty file)" : "0x" + s;
        }
    }
}
