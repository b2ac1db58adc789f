package dev.cria.checkpoint.gguf;

import dev.cria.io.Safetensors;
import dev.cria.kernels.QuantMatrix;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Float32 values as the bytes of a GGUF tensor type: F32, F16 and BF16 rounded to nearest even, Q8_0 and Q4_0 blocks. */
final class TensorEncoding {
    private static final int CHUNK = 1 << 16;

    private TensorEncoding() {
    }

    /** Writes {@code values} (rows, cols) in {@code type}. */
    static GgufWriter.Source of(float[] values, int rows, int cols, GgufType type) {
        return switch (type) {
            case F32 -> out -> {
                ByteBuffer buf = ByteBuffer.allocate(CHUNK * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < values.length; i += CHUNK) {
                    int n = Math.min(CHUNK, values.length - i);
                    buf.clear();
                    for (int k = 0; k < n; k++) buf.putFloat(values[i + k]);
                    out.write(buf.array(), 0, n * 4);
                }
            };
            case F16, BF16 -> out -> {
                ByteBuffer buf = ByteBuffer.allocate(CHUNK * 2).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < values.length; i += CHUNK) {
                    int n = Math.min(CHUNK, values.length - i);
                    buf.clear();
                    for (int k = 0; k < n; k++) {
                        float v = values[i + k];
                        buf.putShort(type == GgufType.F16 ? Float.floatToFloat16(v) : Safetensors.toBf16(v));
                    }
                    out.write(buf.array(), 0, n * 2);
                }
            };
            case Q8_0, Q4_0 -> out -> copy(QuantMatrix.quantize(values, rows, cols, type.quantKind()).blocks(), out);
        };
    }

    /** The bytes of a segment (GGUF blocks already), streamed in chunks. */
    static void copy(MemorySegment bytes, OutputStream out) throws IOException {
        byte[] chunk = new byte[CHUNK];
        for (long at = 0; at < bytes.byteSize(); at += CHUNK) {
            int n = (int) Math.min(CHUNK, bytes.byteSize() - at);
            MemorySegment.copy(bytes, ValueLayout.JAVA_BYTE, at, chunk, 0, n);
            out.write(chunk, 0, n);
        }
    }
}
