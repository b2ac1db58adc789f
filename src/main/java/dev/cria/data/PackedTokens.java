package dev.cria.data;

import dev.cria.util.CriaException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A stream of token ids on disk ({@code train.bin}, {@code val.bin}): written once by the packer,
 * read whole by training.
 *
 * <p>Format, all little-endian:
 * <pre>
 * offset size  field
 *      0    8  magic, the ASCII bytes "CRIATOKS"
 *      8    4  int32 version, 1
 *     12    4  int32 bytes per token: 2 if vocab size &lt;= 65536, else 4
 *     16    8  int64 token count
 *     24    4  int32 vocab size
 *     28    4  int32 reserved, written as 0 and ignored on read
 *     32    .  the tokens: uint16 (2 bytes per token) or int32 (4 bytes per token)
 * </pre>
 * The file length must be exactly 32 + count × bytes per token. Writing goes to a temporary file in
 * the same directory that is then renamed over the target, so a crash never leaves a half-written file
 * under the real name. Reading checks the header against the file's length and every token against
 * the vocab size, and names the file and the problem.
 *
 * <p>Tokens are read into an {@code int[]}, so a file holds at most about 2 billion of them; the header
 * count is already 64-bit ({@link Header#tokenCount()}) for a later memory-mapped reader.
 */
public final class PackedTokens {
    public static final int HEADER_BYTES = 32;
    public static final int VERSION = 1;
    private static final byte[] MAGIC = "CRIATOKS".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_UINT16_VOCAB = 65536;
    // Chunked I/O keeps the buffer small however large the file is.
    private static final int CHUNK_TOKENS = 1 << 16;

    private final int[] tokens;
    private final int vocabSize;

    private PackedTokens(int[] tokens, int vocabSize) {
        this.tokens = tokens;
        this.vocabSize = vocabSize;
    }

    /** The token ids; the array is this object's own, not a copy. */
    public int[] tokens() {
        return tokens;
    }

    public int vocabSize() {
        return vocabSize;
    }

    public int size() {
        return tokens.length;
    }

    /**
     * The parsed header.
     *
     * @param version format version, 1
     * @param bytesPerToken 2 or 4
     * @param tokenCount tokens after the header
     * @param vocabSize every token is in [0, vocabSize)
     */
    public record Header(int version, int bytesPerToken, long tokenCount, int vocabSize) {}

    /** 2 when every id of the vocab fits an unsigned 16-bit integer, else 4. */
    public static int bytesPerToken(int vocabSize) {
        return vocabSize <= MAX_UINT16_VOCAB ? 2 : 4;
    }

    /** Writes {@code tokens} to {@code file} atomically; every token must be in [0, vocabSize). */
    public static void write(Path file, int[] tokens, int vocabSize) {
        if (vocabSize <= 0) throw new IllegalArgumentException("vocabSize must be positive: " + vocabSize);
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= vocabSize) {
                throw new IllegalArgumentException("token " + tokens[i] + " at index " + i + " is outside the vocab [0, " + vocabSize + ")");
            }
        }
        int width = bytesPerToken(vocabSize);
        Path target = file.toAbsolutePath();
        Path temp = null;
        try {
            temp = Files.createTempFile(target.getParent(), target.getFileName() + ".", ".tmp");
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
                header.put(MAGIC).putInt(VERSION).putInt(width).putLong(tokens.length).putInt(vocabSize).putInt(0);
                writeFully(channel, header.flip());
                ByteBuffer chunk = ByteBuffer.allocate(CHUNK_TOKENS * width).order(ByteOrder.LITTLE_ENDIAN);
                for (int start = 0; start < tokens.length; start += CHUNK_TOKENS) {
                    int end = Math.min(tokens.length, start + CHUNK_TOKENS);
                    chunk.clear();
                    for (int i = start; i < end; i++) {
                        if (width == 2) chunk.putShort((short) tokens[i]);
                        else chunk.putInt(tokens[i]);
                    }
                    writeFully(channel, chunk.flip());
                }
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            temp = null;
        } catch (NoSuchFileException e) {
            throw new CriaException(file + ": cannot write: directory " + target.getParent() + " does not exist", e);
        } catch (IOException e) {
            throw new CriaException(file + ": cannot write: " + e.getMessage(), e);
        } finally {
            if (temp != null) deleteQuietly(temp);
        }
    }

    /** Reads and checks the whole file. */
    public static PackedTokens read(Path file) {
        Header header = readHeader(file);
        if (header.tokenCount() > Integer.MAX_VALUE - 8) {
            throw new CriaException(file + ": holds " + header.tokenCount() + " tokens, more than fit in one int[] (" + (Integer.MAX_VALUE - 8) + ")");
        }
        int count = (int) header.tokenCount();
        int width = header.bytesPerToken();
        int[] tokens = new int[count];
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            channel.position(HEADER_BYTES);
            ByteBuffer chunk = ByteBuffer.allocate(CHUNK_TOKENS * width).order(ByteOrder.LITTLE_ENDIAN);
            for (int start = 0; start < count; start += CHUNK_TOKENS) {
                int end = Math.min(count, start + CHUNK_TOKENS);
                chunk.clear().limit((end - start) * width);
                readFully(channel, chunk, file);
                chunk.flip();
                for (int i = start; i < end; i++) {
                    int token = width == 2 ? Short.toUnsignedInt(chunk.getShort()) : chunk.getInt();
                    if (token < 0 || token >= header.vocabSize()) {
                        throw new CriaException(file + ": token " + token + " at index " + i + " is outside the vocab [0, " + header.vocabSize() + ")");
                    }
                    tokens[i] = token;
                }
            }
        } catch (IOException e) {
            throw new CriaException(file + ": cannot read: " + e.getMessage(), e);
        }
        return new PackedTokens(tokens, header.vocabSize());
    }

    /** Reads and checks only the header, including that the file's length matches it. */
    public static Header readHeader(Path file) {
        if (!Files.exists(file)) throw new CriaException(file + ": no such file");
        if (Files.isDirectory(file)) throw new CriaException(file + ": is a directory, expected a token file");
        ByteBuffer buffer = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        long length;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            length = channel.size();
            if (length < HEADER_BYTES) {
                throw new CriaException(file + ": too short for a token file: " + length + " bytes, the header alone is " + HEADER_BYTES);
            }
            readFully(channel, buffer, file);
        } catch (IOException e) {
            throw new CriaException(file + ": cannot read: " + e.getMessage(), e);
        }
        buffer.flip();
        byte[] magic = new byte[MAGIC.length];
        buffer.get(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new CriaException(file + ": not a Cria token file (starts with " + printable(magic) + ", expected \"CRIATOKS\")");
        }
        int version = buffer.getInt();
        if (version != VERSION) throw new CriaException(file + ": unsupported version " + version + "; this build reads version " + VERSION);
        int width = buffer.getInt();
        if (width != 2 && width != 4) throw new CriaException(file + ": bytes per token is " + width + ", expected 2 or 4");
        long count = buffer.getLong();
        if (count < 0) throw new CriaException(file + ": negative token count " + count);
        int vocabSize = buffer.getInt();
        if (vocabSize <= 0) throw new CriaException(file + ": vocab size is " + vocabSize + ", expected a positive number");
        if (width == 2 && vocabSize > MAX_UINT16_VOCAB) {
            throw new CriaException(file + ": vocab size " + vocabSize + " does not fit 2-byte tokens");
        }
        long payload = length - HEADER_BYTES;
        long held = payload / width;
        // Compared by division: count * width could overflow for a corrupt header.
        if (count > held) throw new CriaException(file + ": truncated: header says " + count + " tokens but file holds " + held);
        long extra = payload - count * width;
        if (extra != 0) throw new CriaException(file + ": " + extra + " unexpected bytes after the " + count + " tokens the header declares");
        return new Header(version, width, count, vocabSize);
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) channel.write(buffer);
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, Path file) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) throw new CriaException(file + ": truncated: file ended while reading");
        }
    }

    private static String printable(byte[] bytes) {
        StringBuilder out = new StringBuilder("\"");
        for (byte b : bytes) out.append(b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xff));
        return out.append('"').toString();
    }

    private static void deleteQuietly(Path temp) {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException ignored) {
            // The write already failed; that error is the one worth reporting.
        }
    }
}
