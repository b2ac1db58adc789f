package dev.cria.io;

import dev.cria.util.CriaException;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Writes a whole file atomically: the bytes go to a temporary file in the same directory, which is
 * fsynced and then renamed over the target. A crash or an exception mid-write leaves the previous
 * file untouched, so a checkpoint, a config or a metrics plot is never seen half-written.
 *
 * <p>Not for appending (logs) or for files edited in place. Parent directories are created as
 * needed. I/O failures surface as a {@link CriaException} naming the path.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Writes a file's content to a stream; the stream must not be kept after returning. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    public static void write(Path target, byte[] bytes) {
        if (bytes == null) throw new IllegalArgumentException("bytes is null for " + target);
        write(target, out -> out.write(bytes));
    }

    /** Writes {@code text} as UTF-8. */
    public static void writeString(Path target, String text) {
        if (text == null) throw new IllegalArgumentException("text is null for " + target);
        write(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Streams the content, so a file larger than memory (a safetensors checkpoint, a logits matrix)
     * needs no full copy. If {@code content} throws, the temporary file is deleted and the exception
     * propagates unchanged (an {@link IOException} becomes a CriaException naming the target).
     */
    public static void write(Path target, Content content) {
        if (target == null) throw new IllegalArgumentException("target path is null");
        if (content == null) throw new IllegalArgumentException("content is null for " + target);
        try (PendingFile pending = PendingFile.create(target)) {
            try {
                content.writeTo(pending.out());
            } catch (IOException e) {
                throw Io.failure("write", target, e);
            }
            pending.commit();
        }
    }
}
