package dev.cria.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cria.io.Safetensors.Dtype;
import dev.cria.tensor.Parallel;
import dev.cria.util.CriaException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a safetensors file (format in {@link Safetensors}). {@link #open} parses and validates the
 * whole header up front (offsets inside the data, no overlaps, byte counts matching shape and dtype),
 * so a corrupt file fails before any weight is loaded, with the file and tensor named. Tensors are
 * then read one at a time from a memory mapping of their bytes (no intermediate buffer), converted to
 * float32 from F32, F16, BF16 or F64; I64 and I32 tensors are read as longs.
 *
 * <p>Holds the file open until {@link #close}.
 */
public final class SafetensorsReader implements AutoCloseable {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * Where one tensor's bytes are.
     *
     * @param begin offset of the first byte, relative to the start of the data section
     * @param end   offset one past the last byte
     */
    public record TensorInfo(String name, Dtype dtype, int[] shape, long begin, long end) {
        public TensorInfo {
            shape = shape.clone();
        }

        @Override
        public int[] shape() {
            return shape.clone();
        }

        public long elementCount() {
            return TensorData.elementCount(shape);
        }

        @Override
        public String toString() {
            return name + " " + dtype + Arrays.toString(shape) + " @[" + begin + ", " + end + ")";
        }
    }

    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsReader(Path file, FileChannel channel, long dataStart, Map<String, TensorInfo> tensors,
                              Map<String, String> metadata) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /** Opens {@code file} and validates its header. */
    public static SafetensorsReader open(Path file) {
        if (file == null) throw new IllegalArgumentException("file is null");
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw Io.failure("read", file, e);
        }
        try {
            return parse(file, channel);
        } catch (RuntimeException e) {
            try {
                channel.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    public Path file() {
        return file;
    }

    /** The {@code __metadata__} strings (empty when the file has none). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Tensor names in the order of their data in the file. */
    public List<String> names() {
        return List.copyOf(tensors.keySet());
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    public TensorInfo info(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new CriaException(file + ": no tensor \"" + name + "\" (the file has " + tensors.size()
                    + " tensors" + (tensors.isEmpty() ? "" : ", e.g. \"" + tensors.keySet().iterator().next() + "\"") + ")");
        }
        return info;
    }

    /** Reads a floating-point tensor as float32 (F16, BF16 and F64 are converted). */
    public TensorData read(String name) {
        TensorInfo info = info(name);
        if (!info.dtype().isFloatingPoint()) {
            throw new CriaException(file + ": tensor \"" + name + "\" has dtype " + info.dtype()
                    + "; read integer tensors with readLongs");
        }
        float[] out = new float[arrayLength(info)];
        try (Arena arena = Arena.ofConfined()) {
            widen(map(info, arena), info.dtype(), 0, out, 0, out.length);
        }
        return new TensorData(info.shape(), out);
    }

    /** What {@link #readRows} hands over: row {@code r} of a matrix, as float32, in a buffer reused afterwards. */
    @FunctionalInterface
    public interface RowSink {
        void row(int r, float[] values);
    }

    /**
     * Reads a floating-point matrix a row at a time, as float32, handing each row to {@code sink}; rows are
     * read in parallel, each thread with its own buffer. For a tensor that is turned into something else
     * (quantized) as it is read: the whole of it is never held in float32, and the mapping is dropped after.
     */
    public void readRows(String name, RowSink sink) {
        TensorInfo info = info(name);
        if (!info.dtype().isFloatingPoint() || info.shape().length != 2) {
            throw new CriaException(file + ": tensor \"" + name + "\" is " + info.dtype() + " " + Arrays.toString(info.shape())
                    + ", not a floating-point matrix");
        }
        int rows = info.shape()[0], cols = info.shape()[1];
        try (Arena arena = Arena.ofShared()) {
            MemorySegment bytes = map(info, arena);
            Parallel.forRange(rows, 16, (start, end) -> {
                float[] row = new float[cols];
                for (int r = start; r < end; r++) {
                    widen(bytes, info.dtype(), (long) r * cols, row, 0, cols);
                    sink.row(r, row);
                }
            });
        }
    }

    /** out[at ..] = {@code count} values of {@code dtype} from element {@code from} of {@code bytes}, as float32. */
    private static void widen(MemorySegment bytes, Dtype dtype, long from, float[] out, int at, int count) {
        switch (dtype) {
            case F32 -> MemorySegment.copy(bytes, F32, from * 4, out, at, count);
            case F16 -> {
                for (int i = 0; i < count; i++) out[at + i] = Float.float16ToFloat(bytes.getAtIndex(I16, from + i));
            }
            // bfloat16 is the top half of a float32: shift back into place, exact.
            case BF16 -> {
                for (int i = 0; i < count; i++) out[at + i] = Float.intBitsToFloat((bytes.getAtIndex(I16, from + i) & 0xFFFF) << 16);
            }
            case F64 -> {
                for (int i = 0; i < count; i++) out[at + i] = (float) bytes.getAtIndex(F64, from + i);
            }
            case I64, I32 -> throw new IllegalStateException("unreachable: " + dtype);
        }
    }

    /** Reads an I64 or I32 tensor, row-major. */
    public long[] readLongs(String name) {
        TensorInfo info = info(name);
        long[] out = new long[arrayLength(info)];
        try (Arena arena = Arena.ofConfined()) {
            switch (info.dtype()) {
                case I64 -> MemorySegment.copy(map(info, arena), I64, 0, out, 0, out.length);
                case I32 -> {
                    MemorySegment bytes = map(info, arena);
                    for (int i = 0; i < out.length; i++) out[i] = bytes.getAtIndex(I32, i);
                }
                default -> throw new CriaException(file + ": tensor \"" + name + "\" has dtype " + info.dtype()
                        + ", not an integer type; read it with read");
            }
        }
        return out;
    }

    /**
     * The tensor's bytes, mapped from the file rather than read into a buffer. subtle: mapped pages count
     * as resident while mapped, so one tensor is mapped at a time and unmapped when {@code arena} closes;
     * mapping the whole file would keep every weight resident twice (file pages and float[]) until the end.
     */
    private MemorySegment map(TensorInfo info, Arena arena) {
        long length = info.end() - info.begin();
        try {
            if (channel.size() < dataStart + info.end()) {
                throw new CriaException(file + ": file ends at byte " + channel.size() + ", it was truncated while open");
            }
            if (length == 0) return MemorySegment.ofArray(new byte[0]);
            return channel.map(FileChannel.MapMode.READ_ONLY, dataStart + info.begin(), length, arena);
        } catch (IOException e) {
            throw Io.failure("map tensor \"" + info.name() + "\" from", file, e);
        }
    }

    /**
     * The tensor's raw little-endian bytes, mapped from the file, not copied. The mapping stays valid
     * after this reader closes, for as long as the segment is reachable: how a frozen 16-bit weight is
     * kept. Its pages are the file's (the page cache's), read in from disk as they are first touched.
     */
    public MemorySegment mapPersistent(String name) {
        return map(info(name), Arena.ofAuto());
    }

    /** Reads every tensor as float32, in file order. Fails on integer tensors. */
    public Map<String, TensorData> readAll() {
        Map<String, TensorData> all = new LinkedHashMap<>();
        for (String name : tensors.keySet()) all.put(name, read(name));
        return all;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw Io.failure("close", file, e);
        }
    }

    private int arrayLength(TensorInfo info) {
        long count = info.elementCount();
        // A few words below Integer.MAX_VALUE: the largest array most JVMs will allocate.
        if (count > Integer.MAX_VALUE - 8) {
            throw new CriaException(file + ": tensor \"" + info.name() + "\" has " + count
                    + " elements, too many for one Java array");
        }
        return (int) count;
    }

    private static void readFully(FileChannel channel, ByteBuffer into, long position, Path file) throws IOException {
        long at = position;
        while (into.hasRemaining()) {
            int n = channel.read(into, at);
            if (n < 0) throw new CriaException(file + ": file ends at byte " + at + ", it was truncated while open");
            at += n;
        }
    }

    private static SafetensorsReader parse(Path file, FileChannel channel) {
        long size;
        JsonNode root;
        long headerLength;
        try {
            size = channel.size();
            if (size < Long.BYTES) {
                throw bad(file, "file has " + size + " bytes, too short for the 8-byte header length");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0, file);
            headerLength = lengthBytes.flip().getLong();
            if (headerLength < 0 || headerLength > size - Long.BYTES) {
                throw bad(file, "header length " + Long.toUnsignedString(headerLength)
                        + " is larger than the file (" + size + " bytes)");
            }
            if (headerLength > Safetensors.MAX_HEADER_BYTES) {
                throw bad(file, "header length " + headerLength + " exceeds the limit of "
                        + Safetensors.MAX_HEADER_BYTES + " bytes");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            readFully(channel, headerBytes, Long.BYTES, file);
            try {
                root = Safetensors.JSON.readTree(headerBytes.array());
            } catch (JsonProcessingException e) {
                throw bad(file, "header is not valid JSON: " + e.getOriginalMessage());
            }
        } catch (IOException e) {
            throw Io.failure("read", file, e);
        }
        if (root == null || !root.isObject()) throw bad(file, "header is not a JSON object");

        long dataStart = Long.BYTES + headerLength;
        long dataBytes = size - dataStart;
        Map<String, String> metadata = Map.of();
        List<TensorInfo> infos = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (field.getKey().equals(Safetensors.METADATA_KEY)) {
                metadata = metadata(file, field.getValue());
            } else {
                infos.add(tensorInfo(file, field.getKey(), field.getValue(), dataBytes));
            }
        }

        infos.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        TensorInfo previous = null;
        for (TensorInfo info : infos) {
            // Zero-byte tensors occupy nothing, so they overlap nothing.
            if (info.begin() == info.end()) continue;
            if (previous != null && info.begin() < previous.end()) {
                throw bad(file, "tensor \"" + info.name() + "\" data_offsets [" + info.begin() + ", " + info.end()
                        + "] overlap tensor \"" + previous.name() + "\" [" + previous.begin() + ", " + previous.end() + "]");
            }
            previous = info;
        }
        Map<String, TensorInfo> byName = new LinkedHashMap<>();
        for (TensorInfo info : infos) byName.put(info.name(), info);
        return new SafetensorsReader(file, channel, dataStart, Collections.unmodifiableMap(byName), metadata);
    }

    private static Map<String, String> metadata(Path file, JsonNode node) {
        if (node.isNull()) return Map.of();
        if (!node.isObject()) throw bad(file, Safetensors.METADATA_KEY + " must be an object of strings, got " + node);
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            if (!entry.getValue().isTextual()) {
                throw bad(file, Safetensors.METADATA_KEY + " value of \"" + entry.getKey() + "\" must be a string, got "
                        + entry.getValue());
            }
            metadata.put(entry.getKey(), entry.getValue().textValue());
        }
        return Collections.unmodifiableMap(metadata);
    }

    private static TensorInfo tensorInfo(Path file, String name, JsonNode node, long dataBytes) {
        String where = "tensor \"" + name + "\"";
        if (!node.isObject()) throw bad(file, where + " must be an object, got " + node);

        JsonNode dtypeNode = required(file, where, node, "dtype");
        if (!dtypeNode.isTextual()) throw bad(file, where + " field \"dtype\" must be a string, got " + dtypeNode);
        Dtype dtype;
        try {
            dtype = Dtype.valueOf(dtypeNode.textValue());
        } catch (IllegalArgumentException e) {
            throw bad(file, where + " has dtype \"" + dtypeNode.textValue() + "\"; Cria reads "
                    + Arrays.toString(Dtype.values()));
        }

        JsonNode shapeNode = required(file, where, node, "shape");
        if (!shapeNode.isArray()) throw bad(file, where + " field \"shape\" must be an array, got " + shapeNode);
        int[] shape = new int[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToInt() || d.intValue() < 0) {
                throw bad(file, where + " has a bad dimension in shape " + shapeNode);
            }
            shape[i] = d.intValue();
        }

        JsonNode offsets = required(file, where, node, "data_offsets");
        if (!offsets.isArray() || offsets.size() != 2 || !offsets.get(0).isIntegralNumber()
                || !offsets.get(1).isIntegralNumber() || !offsets.get(0).canConvertToLong()
                || !offsets.get(1).canConvertToLong()) {
            throw bad(file, where + " field \"data_offsets\" must be [begin, end], got " + offsets);
        }
        long begin = offsets.get(0).longValue();
        long end = offsets.get(1).longValue();
        if (begin < 0 || end < begin || end > dataBytes) {
            throw bad(file, where + " data_offsets [" + begin + ", " + end + "] out of range: the data section has "
                    + dataBytes + " bytes");
        }

        long elements;
        long expected;
        try {
            elements = TensorData.elementCount(shape);
            expected = Math.multiplyExact(elements, dtype.bytes);
        } catch (ArithmeticException e) {
            throw bad(file, where + " shape " + shapeNode + " is too large");
        }
        if (expected != end - begin) {
            throw bad(file, where + " shape " + Arrays.toString(shape) + " x " + dtype + " (" + dtype.bytes
                    + " bytes) needs " + expected + " bytes but data_offsets [" + begin + ", " + end + "] span "
                    + (end - begin));
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static JsonNode required(Path file, String where, JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) throw bad(file, where + " field \"" + field + "\" is missing");
        return value;
    }

    private static CriaException bad(Path file, String problem) {
        return new CriaException(file + ": " + problem);
    }
}
