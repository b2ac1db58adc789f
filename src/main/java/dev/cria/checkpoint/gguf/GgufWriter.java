package dev.cria.checkpoint.gguf;

import dev.cria.io.AtomicFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a GGUF file, version 3, the format llama.cpp reads (gguf.h; gguf-py's GGUFWriter writes the same):
 * <pre>
 *   "GGUF", version u32 = 3, tensor count u64, metadata count u64
 *   metadata: key (string), value type u32, value          (string = u64 length + UTF-8 bytes)
 *   tensor infos: name, n_dims u32, dims u64 (innermost first: ne0 = columns), ggml type u32,
 *                 offset u64 (from the start of the data section, a multiple of the alignment)
 *   zero padding to the alignment, then each tensor's bytes, padded to the alignment
 * </pre>
 * Everything little-endian. Metadata keeps the order it was put in; a key put twice keeps its first place
 * and its last value. The file is written atomically ({@link AtomicFiles}), and tensor bytes are streamed
 * from their {@link Source}s one tensor at a time, so a model is never held twice in memory.
 */
public final class GgufWriter {
    static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
    static final int VERSION = 3;
    static final int ALIGNMENT = 32;
    static final String ALIGNMENT_KEY = "general.alignment";

    /** Writes one tensor's bytes, exactly {@link Tensor#bytes} of them. */
    @FunctionalInterface
    public interface Source {
        void writeTo(OutputStream out) throws IOException;
    }

    private record Entry(GgufValueType type, GgufValueType elementType, Object value) {}

    private record Tensor(String name, long[] dims, GgufType type, long bytes, Source source) {}

    private final Map<String, Entry> metadata = new LinkedHashMap<>();
    private final List<Tensor> tensors = new ArrayList<>();

    public GgufWriter() {
        putU32(ALIGNMENT_KEY, ALIGNMENT);
    }

    public GgufWriter putString(String key, String value) {
        return put(key, GgufValueType.STRING, null, value);
    }

    public GgufWriter putU32(String key, long value) {
        return put(key, GgufValueType.UINT32, null, value);
    }

    public GgufWriter putI32(String key, int value) {
        return put(key, GgufValueType.INT32, null, (long) value);
    }

    public GgufWriter putF32(String key, float value) {
        return put(key, GgufValueType.FLOAT32, null, value);
    }

    public GgufWriter putBool(String key, boolean value) {
        return put(key, GgufValueType.BOOL, null, value);
    }

    public GgufWriter putStrings(String key, List<String> values) {
        return put(key, GgufValueType.ARRAY, GgufValueType.STRING, List.copyOf(values));
    }

    public GgufWriter putI32s(String key, int[] values) {
        return put(key, GgufValueType.ARRAY, GgufValueType.INT32, values.clone());
    }

    public GgufWriter putF32s(String key, float[] values) {
        return put(key, GgufValueType.ARRAY, GgufValueType.FLOAT32, values.clone());
    }

    private GgufWriter put(String key, GgufValueType type, GgufValueType elementType, Object value) {
        if (key == null || key.isEmpty()) throw new IllegalArgumentException("empty metadata key");
        metadata.put(key, new Entry(type, elementType, value));
        return this;
    }

    /**
     * Adds a tensor of shape {@code shape} (outermost first, as Cria and safetensors write it; the file gets
     * it reversed) whose {@code type.bytesFor(elements)} bytes {@code source} writes.
     */
    public GgufWriter addTensor(String name, int[] shape, GgufType type, Source source) {
        long elements = 1;
        long[] dims = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            dims[i] = shape[shape.length - 1 - i];
            elements = Math.multiplyExact(elements, (long) shape[i]);
        }
        if (shape.length > 0 && dims[0] % type.blockSize() != 0) {
            throw new IllegalArgumentException(name + ": " + dims[0] + " columns do not cut into " + type + " blocks of " + type.blockSize());
        }
        for (Tensor t : tensors) if (t.name.equals(name)) throw new IllegalArgumentException("tensor " + name + " added twice");
        tensors.add(new Tensor(name, dims, type, type.bytesFor(elements), source));
        return this;
    }

    public void write(Path file) {
        AtomicFiles.write(file, out -> {
            Bytes bytes = new Bytes(out);
            bytes.u32(MAGIC);
            bytes.u32(VERSION);
            bytes.u64(tensors.size());
            bytes.u64(metadata.size());
            for (Map.Entry<String, Entry> e : metadata.entrySet()) {
                bytes.string(e.getKey());
                bytes.u32(e.getValue().type.id);
                writeValue(bytes, e.getValue());
            }
            long offset = 0;
            for (Tensor t : tensors) {
                bytes.string(t.name);
                bytes.u32(t.dims.length);
                for (long d : t.dims) bytes.u64(d);
                bytes.u32(t.type.id());
                bytes.u64(offset);
                offset = align(offset + t.bytes);
            }
            bytes.pad();
            for (Tensor t : tensors) {
                long start = bytes.written;
                t.source.writeTo(bytes);
                long wrote = bytes.written - start;
                if (wrote != t.bytes) throw new IllegalStateException(t.name + ": wrote " + wrote + " bytes, expected " + t.bytes);
                bytes.pad();
            }
            bytes.flush();
        });
    }

    static long align(long offset) {
        return (offset + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    private static void writeValue(Bytes bytes, Entry e) throws IOException {
        switch (e.type) {
            case STRING -> bytes.string((String) e.value);
            case UINT32, INT32 -> bytes.u32((int) (long) (Long) e.value);
            case FLOAT32 -> bytes.u32(Float.floatToRawIntBits((Float) e.value));
            case BOOL -> bytes.write((Boolean) e.value ? 1 : 0);
            case ARRAY -> {
                bytes.u32(e.elementType.id);
                switch (e.elementType) {
                    case STRING -> {
                        @SuppressWarnings("unchecked") List<String> strings = (List<String>) e.value;
                        bytes.u64(strings.size());
                        for (String s : strings) bytes.string(s);
                    }
                    case INT32 -> {
                        int[] ints = (int[]) e.value;
                        bytes.u64(ints.length);
                        for (int v : ints) bytes.u32(v);
                    }
                    case FLOAT32 -> {
                        float[] floats = (float[]) e.value;
                        bytes.u64(floats.length);
                        for (float v : floats) bytes.u32(Float.floatToRawIntBits(v));
                    }
                    default -> throw new IllegalStateException("no writer for arrays of " + e.elementType);
                }
            }
            default -> throw new IllegalStateException("no writer for " + e.type);
        }
    }

    /** A little-endian stream that counts what it wrote, for offsets and padding. */
    private static final class Bytes extends OutputStream {
        private final OutputStream out;
        private final ByteBuffer scratch = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        long written;

        Bytes(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            written++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            written += len;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        void u32(int v) throws IOException {
            write(scratch.clear().putInt(v).array(), 0, 4);
        }

        void u64(long v) throws IOException {
            write(scratch.clear().putLong(v).array(), 0, 8);
        }

        void string(String s) throws IOException {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            u64(utf8.length);
            write(utf8, 0, utf8.length);
        }

        void pad() throws IOException {
            while (written % ALIGNMENT != 0) write(0);
        }
    }
}
