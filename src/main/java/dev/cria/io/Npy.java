package dev.cria.io;

import dev.cria.util.CriaException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files of little-endian float32 ({@code '<f4'}), C order: the format in which
 * Cria exchanges logits and activations with the PyTorch reference ({@code np.load} reads them).
 *
 * <p>File layout: the magic {@code \x93NUMPY}, a version (1.0 is written; 1.0, 2.0 and 3.0 are read),
 * the header length, a Python-literal header such as
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (27, 300), }} padded with spaces and a
 * newline so the data starts 64-byte aligned, then the raw data. Other dtypes, Fortran order and
 * pickled object arrays are refused. For a matrix too large to hold, stream it with {@link NpyWriter}.
 */
public final class Npy {
    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int ALIGN = 64;
    private static final int CHUNK_BYTES = 1 << 20;
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    /** Writes a float32 array of any shape atomically. */
    public static void write(Path file, TensorData tensor) {
        if (file == null) throw new IllegalArgumentException("file is null");
        if (tensor == null) throw new IllegalArgumentException("tensor is null for " + file);
        byte[] header = header(tensor.shape());
        float[] data = tensor.data();
        AtomicFiles.write(file, out -> {
            out.write(header);
            ByteBuffer buffer = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < data.length; i += CHUNK_BYTES / Float.BYTES) {
                int n = Math.min(CHUNK_BYTES / Float.BYTES, data.length - i);
                buffer.clear();
                buffer.asFloatBuffer().put(data, i, n);
                out.write(buffer.array(), 0, n * Float.BYTES);
            }
        });
    }

    /** Reads a {@code '<f4'} C-order array. */
    public static TensorData read(Path file) {
        if (file == null) throw new IllegalArgumentException("file is null");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            ByteBuffer prefix = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(prefix, 0);
            prefix.flip();
            if (prefix.remaining() < 10 || !Arrays.equals(Arrays.copyOf(prefix.array(), MAGIC.length), MAGIC)) {
                throw bad(file, "not a .npy file (no \\x93NUMPY magic)");
            }
            int major = prefix.get(6);
            long headerLength;
            int headerStart;
            switch (major) {
                case 1 -> {
                    headerLength = Short.toUnsignedInt(prefix.getShort(8));
                    headerStart = 10;
                }
                case 2, 3 -> {
                    if (prefix.remaining() < 12) throw bad(file, "file ends inside the header length");
                    headerLength = Integer.toUnsignedLong(prefix.getInt(8));
                    headerStart = 12;
                }
                default -> throw bad(file, "unsupported .npy version " + major + "." + prefix.get(7));
            }
            if (headerStart + headerLength > size) {
                throw bad(file, "header length " + headerLength + " is larger than the file (" + size + " bytes)");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            readFully(channel, headerBytes, headerStart, file);
            // v1 and v2 headers are latin-1, v3 UTF-8; a float array's header is ASCII either way.
            String header = new String(headerBytes.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            int[] shape = parseHeader(file, header);

            long count;
            try {
                count = TensorData.elementCount(shape);
            } catch (ArithmeticException e) {
                throw bad(file, "shape " + Arrays.toString(shape) + " is too large");
            }
            long dataStart = headerStart + headerLength;
            if (size - dataStart != count * Float.BYTES) {
                throw bad(file, "shape " + Arrays.toString(shape) + " needs " + count * Float.BYTES
                        + " data bytes but the file has " + (size - dataStart));
            }
            if (count > Integer.MAX_VALUE - 8) {
                throw bad(file, "shape " + Arrays.toString(shape) + " has too many elements for one Java array");
            }
            float[] data = new float[(int) count];
            ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < data.length; i += CHUNK_BYTES / Float.BYTES) {
                int n = Math.min(CHUNK_BYTES / Float.BYTES, data.length - i);
                chunk.clear().limit(n * Float.BYTES);
                readFully(channel, chunk, dataStart + (long) i * Float.BYTES, file);
                chunk.flip();
                chunk.asFloatBuffer().get(data, i, n);
            }
            return new TensorData(shape, data);
        } catch (IOException e) {
            throw Io.failure("read", file, e);
        }
    }

    /** The version 1.0 preamble and header for a {@code '<f4'} C-order array of {@code shape}. */
    static byte[] header(int[] shape) {
        StringBuilder dims = new StringBuilder();
        for (int d : shape) dims.append(d).append(", ");
        // Python's tuple syntax: (n,) for one dimension, (a, b) for more, () for a scalar.
        String tuple = shape.length == 1 ? "(" + shape[0] + ",)"
                : "(" + (dims.isEmpty() ? "" : dims.substring(0, dims.length() - 2)) + ")";
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + tuple + ", }";
        int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
        int padding = (ALIGN - unpadded % ALIGN) % ALIGN;
        String text = dict + " ".repeat(padding) + "\n";
        if (text.length() > 0xFFFF) throw new IllegalArgumentException("shape too long for a .npy v1.0 header: " + Arrays.toString(shape));
        ByteBuffer out = ByteBuffer.allocate(MAGIC.length + 4 + text.length()).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) text.length());
        out.put(text.getBytes(StandardCharsets.US_ASCII));
        return out.array();
    }

    private static int[] parseHeader(Path file, String header) {
        Matcher descr = DESCR.matcher(header);
        if (!descr.find()) throw bad(file, "header has no 'descr': " + header.strip());
        if (!descr.group(1).equals("<f4")) {
            throw bad(file, "dtype is '" + descr.group(1) + "'; Cria reads float32 '<f4' only (use arr.astype(np.float32))");
        }
        Matcher fortran = FORTRAN.matcher(header);
        if (!fortran.find()) throw bad(file, "header has no 'fortran_order': " + header.strip());
        if (fortran.group(1).equals("True")) {
            throw bad(file, "array is in Fortran order; save a C-order array (np.ascontiguousarray)");
        }
        Matcher shapeMatch = SHAPE.matcher(header);
        if (!shapeMatch.find()) throw bad(file, "header has no 'shape': " + header.strip());
        String[] parts = shapeMatch.group(1).split(",");
        int[] shape = new int[parts.length];
        int n = 0;
        for (String part : parts) {
            String p = part.strip();
            if (p.isEmpty()) continue;
            try {
                shape[n] = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw bad(file, "bad dimension '" + p + "' in shape (" + shapeMatch.group(1) + ")");
            }
            if (shape[n] < 0) throw bad(file, "negative dimension " + shape[n] + " in shape");
            n++;
        }
        return Arrays.copyOf(shape, n);
    }

    private static void readFully(FileChannel channel, ByteBuffer into, long position, Path file) throws IOException {
        long at = position;
        while (into.hasRemaining()) {
            int n = channel.read(into, at);
            if (n < 0) throw bad(file, "file ends at byte " + at);
            at += n;
        }
    }

    private static CriaException bad(Path file, String problem) {
        return new CriaException(file + ": " + problem);
    }
}
