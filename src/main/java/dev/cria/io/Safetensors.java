package dev.cria.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The safetensors checkpoint format, as Hugging Face writes it: an 8-byte little-endian header
 * length N, N bytes of JSON header (padded with spaces to a multiple of 8), then the raw
 * little-endian tensor bytes. The header maps each tensor name to
 * {@code {"dtype": "F32", "shape": [rows, cols], "data_offsets": [begin, end]}} (offsets relative to
 * the start of the data), plus an optional {@code "__metadata__"} map of strings.
 *
 * <p>Writes F32, BF16 or F16 (narrowed with round-to-nearest-even), atomically, tensors sorted by
 * name (so the same weights always give the same bytes). Reading lives in {@link SafetensorsReader},
 * which also converts F64. Not a general array library: no strides, no views; sharded
 * {@code model-0000N-of-0000M} sets are {@code dev.cria.checkpoint.WeightFiles}'s business.
 */
public final class Safetensors {
    /** Tensor names must not collide with this header key. */
    public static final String METADATA_KEY = "__metadata__";

    /** Header lengths beyond this are refused, as the reference implementation does (100 MB). */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private static final int CHUNK_BYTES = 1 << 20;

    private Safetensors() {
    }

    /** Element types Cria can read; the names are those of the format. */
    public enum Dtype {
        F32(4), F16(2), BF16(2), F64(8), I64(8), I32(4);

        /** Size of one element in bytes. */
        public final int bytes;

        Dtype(int bytes) {
            this.bytes = bytes;
        }

        public boolean isFloatingPoint() {
            return this == F32 || this == F16 || this == BF16 || this == F64;
        }
    }

    /** Writes float32 tensors with only the default metadata ({@code "format": "pt"}). */
    public static void write(Path file, Map<String, TensorData> tensors) {
        write(file, tensors, Map.of());
    }

    /**
     * Writes float32 tensors atomically.
     *
     * @param metadata free-form strings stored under {@code __metadata__}; {@code "format": "pt"} is
     *                 added unless given, because transformers refuses safetensors files whose metadata
     *                 lacks a known format
     */
    public static void write(Path file, Map<String, TensorData> tensors, Map<String, String> metadata) {
        write(file, tensors, metadata, Dtype.F32);
    }

    /** Writes tensors atomically in {@code dtype}: F32, BF16 or F16. */
    public static void write(Path file, Map<String, TensorData> tensors, Map<String, String> metadata, Dtype dtype) {
        if (tensors == null) throw new IllegalArgumentException("tensors is null for " + file);
        Map<String, int[]> shapes = new LinkedHashMap<>();
        tensors.forEach((name, t) -> {
            if (t == null) throw new IllegalArgumentException("tensor \"" + name + "\" is null in " + file);
            shapes.put(name, t.shape());
        });
        write(file, shapes, name -> tensors.get(name).data(), metadata, dtype);
    }

    /**
     * Writes tensors of the given shapes atomically in {@code dtype}, asking {@code values} for each one's
     * float32 values only when it is written, and dropping them after: a caller can hand out a temporary
     * copy per tensor (a 16-bit weight widened, say) and never hold all of them at once.
     */
    public static void write(Path file, Map<String, int[]> shapes, Function<String, float[]> values, Map<String, String> metadata,
                             Dtype dtype) {
        if (dtype != Dtype.F32 && dtype != Dtype.BF16 && dtype != Dtype.F16) {
            throw new IllegalArgumentException("cannot write dtype " + dtype + " to " + file + "; Cria writes F32, BF16 or F16");
        }
        if (file == null) throw new IllegalArgumentException("file is null");
        if (metadata == null) throw new IllegalArgumentException("metadata is null for " + file);
        List<String> names = new ArrayList<>(shapes.keySet());
        for (String name : names) {
            if (name == null || name.isEmpty()) throw new IllegalArgumentException("empty tensor name in " + file);
            if (name.equals(METADATA_KEY)) {
                throw new IllegalArgumentException("tensor name " + METADATA_KEY + " is reserved, in " + file);
            }
        }
        names.sort(null);
        byte[] header = header(names, shapes, metadata, dtype);

        AtomicFiles.write(file, out -> {
            ByteBuffer buffer = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            buffer.putLong(header.length);
            out.write(buffer.array(), 0, Long.BYTES);
            out.write(header);
            int chunkElements = CHUNK_BYTES / Float.BYTES;
            for (String name : names) {
                float[] data = values.apply(name);
                if (data.length != TensorData.elementCount(shapes.get(name))) {
                    throw new IllegalStateException("tensor \"" + name + "\" has " + data.length + " values for shape "
                            + Arrays.toString(shapes.get(name)));
                }
                for (int i = 0; i < data.length; i += chunkElements) {
                    int n = Math.min(chunkElements, data.length - i);
                    buffer.clear();
                    switch (dtype) {
                        // Bulk copy through a little-endian view: a byte swap on big-endian hosts, a memcpy here.
                        case F32 -> buffer.asFloatBuffer().put(data, i, n);
                        case BF16 -> {
                            for (int j = 0; j < n; j++) buffer.putShort(toBf16(data[i + j]));
                        }
                        default -> {
                            for (int j = 0; j < n; j++) buffer.putShort(Float.floatToFloat16(data[i + j]));
                        }
                    }
                    out.write(buffer.array(), 0, n * dtype.bytes);
                }
            }
        });
    }

    /**
     * The bfloat16 nearest to {@code value}, ties to even: the top 16 bits of the float32 after adding
     * 0x7FFF plus the lowest kept bit. E.g. 1 + 2^-8 (0x3F808000, a tie) rounds down to 0x3F80 and
     * 1 + 3 * 2^-8 (0x3F818000, a tie) up to 0x3F82. NaN stays a (quiet) NaN rather than rounding to
     * infinity.
     */
    public static short toBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) return (short) ((bits >>> 16) | 0x0040);
        int lowestKept = (bits >>> 16) & 1;
        return (short) ((bits + 0x7FFF + lowestKept) >>> 16);
    }

    /** Reads every tensor of a file as float32, in the order of their data in the file. */
    public static Map<String, TensorData> read(Path file) {
        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            return reader.readAll();
        }
    }

    /** The JSON header, padded with spaces so the data starts 8-byte aligned. */
    private static byte[] header(List<String> names, Map<String, int[]> shapes, Map<String, String> metadata, Dtype dtype) {
        ObjectNode root = JSON.createObjectNode();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.putAll(metadata);
        ObjectNode metaNode = root.putObject(METADATA_KEY);
        meta.forEach((key, value) -> {
            if (key == null || value == null) {
                throw new IllegalArgumentException("metadata has a null key or value: " + key + "=" + value);
            }
            metaNode.put(key, value);
        });
        long offset = 0;
        for (String name : names) {
            int[] dims = shapes.get(name);
            long bytes = TensorData.elementCount(dims) * dtype.bytes;
            ObjectNode entry = root.putObject(name);
            entry.put("dtype", dtype.name());
            ArrayNode shape = entry.putArray("shape");
            for (int d : dims) shape.add(d);
            entry.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a tree of strings and numbers", e);
        }
        int padded = (json.length + 7) / 8 * 8;
        byte[] header = Arrays.copyOf(json, padded);
        Arrays.fill(header, json.length, padded, (byte) ' ');
        return header;
    }
}
