package dev.cria.tokenizer;

import dev.cria.util.CriaException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Replaces a file all at once: write a temporary file beside it, flush it to disk, then rename it over the
 * target, so a crash leaves either the old file or the new one, never half of one. Private to the
 * tokenizer package on purpose; the project-wide helper is {@code dev.cria.io}'s.
 */
final class AtomicWrite {
    private AtomicWrite() {}

    static void write(Path target, byte[] content) {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            // Not Files.createTempFile: it makes the file owner-only, and the rename would keep that mode.
            String unique = ProcessHandle.current().pid() + "." + System.nanoTime();
            tmp = dir.resolve("." + target.getFileName() + "." + unique + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) ch.write(buffer);
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
        } catch (IOException e) {
            throw new CriaException("cannot write " + target + ": " + e, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // The write already failed and is being reported; a leftover .tmp file is harmless.
                }
            }
        }
    }
}
