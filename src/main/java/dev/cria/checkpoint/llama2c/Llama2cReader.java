package dev.cria.checkpoint.llama2c;

import dev.cria.io.Io;
import dev.cria.model.HfNames;
import dev.cria.model.Llama;
import dev.cria.util.CriaException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.LinkedHashMap;

/**
 * Reads a llama2.c float32 checkpoint, version 0 or 1 (told apart by export.py's magic), into a Cria
 * model: wq and wk go back from Meta's interleaved RoPE rows to Hugging Face's (see {@link RotaryRows}),
 * the legacy RoPE tables are skipped. A file that is not one, is cut short or is longer than its header
 * says fails with one line naming the file, the byte offset and the field or tensor.
 */
public final class Llama2cReader {
    private static final int CHUNK_BYTES = 1 << 20;

    /** What a checkpoint held: its version, its header and the model built from it. */
    public record Checkpoint(int version, Llama2cHeader header, Llama model) {
    }

    private final Path file;
    private final FileChannel channel;
    private final long size;

    private Llama2cReader(Path file, FileChannel channel) throws IOException {
        this.file = file;
        this.channel = channel;
        this.size = channel.size();
    }

    public static Checkpoint read(Path file) {
        try (FileChannel channel = FileChannel.open(file)) {
            return new Llama2cReader(file, channel).checkpoint();
        } catch (IOException e) {
            throw Io.failure("read", file, e);
        }
    }

    private Checkpoint checkpoint() throws IOException {
        ByteBuffer first = bytes(0, Integer.BYTES, "the header");
        int version = first.getInt(0) == Llama2cHeader.MAGIC ? 1 : 0;
        if (version == 0 && looksLikeMagic(first)) {
            throw fail("starts with \"" + ascii(first) + "\", which is not llama2.c's magic \"24ka\" (\"ak42\" as a uint32); not a llama2.c checkpoint");
        }
        Llama2cHeader header = version == 1 ? headerV1() : headerV0();
        long at = version == 1 ? Llama2cHeader.V1_BYTES : Llama2cHeader.V0_BYTES;
        var weights = new LinkedHashMap<String, float[]>();
        var shapes = new LinkedHashMap<String, int[]>();
        String last = "the header";
        for (Llama2cTensor t : Llama2cLayout.tensors(header, version)) {
            float[] values = floats(at, t);
            at += t.size() * Float.BYTES;
            last = t.name();
            if (t.hfName() == null) continue;
            weights.put(t.hfName(), t.ropeHeads() > 0 ? RotaryRows.toHalves(values, t.ropeHeads(), t.shape()[1]) : values);
            shapes.put(t.hfName(), t.shape());
        }
        if (at != size) {
            throw fail((size - at) + " bytes left after the last tensor (" + last + ") at byte " + at
                    + "; the header's sizes do not match the file (is vocab_size's sign, or the shared-classifier flag, right?)");
        }
        Llama model = HfNames.load(header.config(), weights, shapes, file.toString());
        return new Checkpoint(version, header, model);
    }

    private Llama2cHeader headerV1() throws IOException {
        ByteBuffer b = bytes(0, Llama2cHeader.V1_BYTES, "the version 1 header");
        int version = b.getInt(4);
        if (version != 1) {
            throw fail("llama2.c version " + version + " at byte 4; Cria reads versions 0 and 1 (version 2 is Q8_0, export float32 instead)");
        }
        int[] fields = new int[7];
        for (int i = 0; i < 7; i++) fields[i] = b.getInt(8 + 4 * i);
        byte shared = b.get(36);
        if (shared != 0 && shared != 1) throw fail("shared_classifier at byte 36 is " + shared + ", not 0 or 1");
        return header(fields, 8, shared == 1);
    }

    private Llama2cHeader headerV0() throws IOException {
        ByteBuffer b = bytes(0, Llama2cHeader.V0_BYTES, "the version 0 header");
        int[] fields = new int[7];
        for (int i = 0; i < 7; i++) fields[i] = b.getInt(4 * i);
        // subtle: the legacy header marks an unshared classifier by a negative vocab_size
        boolean shared = fields[5] > 0;
        fields[5] = Math.abs(fields[5]);
        return header(fields, 0, shared);
    }

    /** Checks the seven fields starting at byte {@code base} as run.c would need them, naming the first bad one. */
    private Llama2cHeader header(int[] f, int base, boolean shared) {
        for (int i = 0; i < 7; i++) {
            if (f[i] <= 0) throw fail("header field " + Llama2cHeader.FIELDS[i] + " at byte " + (base + 4 * i) + " is " + f[i] + "; it must be positive");
        }
        int dim = f[0], heads = f[3], kvHeads = f[4];
        if (dim % heads != 0) throw fail("header field dim " + dim + " is not a multiple of n_heads " + heads);
        if (heads % kvHeads != 0) throw fail("header field n_heads " + heads + " is not a multiple of n_kv_heads " + kvHeads);
        if ((dim / heads) % 2 != 0) throw fail("head size dim / n_heads = " + (dim / heads) + " is odd; RoPE needs it even");
        return new Llama2cHeader(dim, f[1], f[2], heads, kvHeads, f[5], f[6], shared);
    }

    /** A tensor's floats, read from byte {@code at}, after checking the file holds them. */
    private float[] floats(long at, Llama2cTensor t) throws IOException {
        long count = t.size();
        // subtle: compared by division, since count · 4 overflows a long for a header of garbage
        if (count > (size - at) / Float.BYTES) {
            throw fail("truncated at byte " + size + ", expected " + count + " floats of " + t.name() + " from byte " + at);
        }
        if (count > Integer.MAX_VALUE - 8) throw fail(t.name() + " has " + count + " floats, more than a Java array holds");
        float[] out = new float[(int) count];
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        int done = 0;
        while (done < out.length) {
            int n = Math.min(CHUNK_BYTES / Float.BYTES, out.length - done);
            chunk.clear().limit(n * Float.BYTES);
            readFully(chunk, at + (long) done * Float.BYTES);
            chunk.flip();
            chunk.asFloatBuffer().get(out, done, n);
            done += n;
        }
        return out;
    }

    /** {@code count} bytes from {@code at}, little-endian, or a truncation message naming {@code what}. */
    private ByteBuffer bytes(long at, int count, String what) throws IOException {
        if (at + count > size) throw fail("truncated at byte " + size + ", expected " + count + " bytes of " + what + " from byte " + at);
        ByteBuffer b = ByteBuffer.allocate(count).order(ByteOrder.LITTLE_ENDIAN);
        readFully(b, at);
        return b.flip();
    }

    private void readFully(ByteBuffer into, long at) throws IOException {
        long position = at;
        while (into.hasRemaining()) {
            int n = channel.read(into, position);
            if (n < 0) throw fail("file ends at byte " + position + "; it was truncated while being read");
            position += n;
        }
    }

    /** Four ASCII letters or digits: another format's magic ("GGUF"), not a plausible version 0 dim. */
    private static boolean looksLikeMagic(ByteBuffer first) {
        for (int i = 0; i < 4; i++) {
            if (!Character.isLetterOrDigit((char) (first.get(i) & 0xFF)) || first.get(i) < 0) return false;
        }
        return true;
    }

    private static String ascii(ByteBuffer first) {
        var s = new StringBuilder();
        for (int i = 0; i < 4; i++) s.append((char) first.get(i));
        return s.toString();
    }

    private CriaException fail(String what) {
        return new CriaException(file + ": " + what);
    }
}
