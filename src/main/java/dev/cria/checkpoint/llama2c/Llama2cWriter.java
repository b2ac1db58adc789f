package dev.cria.checkpoint.llama2c;

import dev.cria.autograd.Tensor;
import dev.cria.io.AtomicFiles;
import dev.cria.model.Llama;
import dev.cria.util.CriaException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes a Cria model as a llama2.c float32 checkpoint, version 0 (what run.c reads) or 1 (export.py's
 * headed format). wq and wk are reordered to Meta's interleaved RoPE rows (see {@link RotaryRows}), so
 * run.c computes the same logits as Cria. The file is streamed tensor by tensor and appears atomically.
 * Not written: version 2 (Q8_0), which only runq.c reads.
 */
public final class Llama2cWriter {
    private static final int CHUNK_FLOATS = 1 << 16;

    private Llama2cWriter() {
    }

    /** Writes {@code model} to {@code file}; {@code source} (its directory) names it in refusals. */
    public static void write(Path file, Llama model, int version, String source) {
        requireVersion(version);
        if (model.hasAdapters()) throw new CriaException(source + ": merge the LoRA adapters before exporting to llama2.c");
        Llama2cHeader header = Llama2cHeader.of(model.config(), model.hasScoreHead(), source);
        Map<String, Tensor> weights = model.parameters();
        AtomicFiles.write(file, out -> {
            out.write(header.bytes(version));
            for (Llama2cTensor t : Llama2cLayout.tensors(header, version)) writeFloats(out, values(t, header, weights));
        });
    }

    /** Refuses a version other than 0 and 1, for a caller that checks before loading a model. */
    public static void requireVersion(int version) {
        if (version != 0 && version != 1) {
            throw new CriaException("llama2.c version must be 0 or 1: " + version + " (version 2, Q8_0, is not written)");
        }
    }

    /** The tensor's values in llama2.c's layout. */
    private static float[] values(Llama2cTensor t, Llama2cHeader header, Map<String, Tensor> weights) {
        if (t.hfName() == null) return Llama2cLayout.ropeTable(header, t.name().equals("freqs_sin"));
        Tensor w = weights.get(t.hfName());
        float[] data = w.frozenMatrix() != null ? w.toFloats() : w.data;
        return t.ropeHeads() > 0 ? RotaryRows.toInterleaved(data, t.ropeHeads(), t.shape()[1]) : data;
    }

    private static void writeFloats(OutputStream out, float[] values) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(Float.BYTES * Math.min(CHUNK_FLOATS, values.length)).order(ByteOrder.LITTLE_ENDIAN);
        for (int at = 0; at < values.length; at += CHUNK_FLOATS) {
            int n = Math.min(CHUNK_FLOATS, values.length - at);
            bytes.clear();
            bytes.asFloatBuffer().put(values, at, n);
            out.write(bytes.array(), 0, n * Float.BYTES);
        }
    }
}
