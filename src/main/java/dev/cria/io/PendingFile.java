package dev.cria.io;

import dev.cria.util.CriaException;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A file being written under a temporary name beside its target, which appears at the target path
 * only on {@link #commit()}: flushed, fsynced, then renamed over the target in one atomic step. A
 * reader therefore sees either the previous file or the complete new one, never a torn write.
 *
 * <p>{@link #close()} without a commit discards the temporary file, so try-with-resources cleans up
 * after an exception. Not thread-safe. Package-private: the public faces are {@link AtomicFiles} and
 * {@link NpyWriter}.
 */
final class PendingFile implements AutoCloseable {
    private static final int BUFFER_BYTES = 1 << 16;

    private final Path target;
    private final Path temp;
    private final FileChannel channel;
    private final BufferedOutputStream buffered;
    private final OutputStream exposed;
    private boolean finished;

    private PendingFile(Path target, Path temp, FileChannel channel) {
        this.target = target;
        this.temp = temp;
        this.channel = channel;
        this.buffered = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER_BYTES);
        // subtle: callers often wrap the stream and close the wrapper; that must not close the channel
        // before commit() has had the chance to fsync it.
        this.exposed = new FilterOutputStream(buffered) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                out.flush();
            }
        };
    }

    /** Starts writing {@code target}; creates its parent directories if needed. */
    static PendingFile create(Path target) {
        if (target.getFileName() == null) throw new IllegalArgumentException("target has no file name: " + target);
        Path dir = Io.parentOf(target);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw Io.failure("create directory", dir, e);
        }
        // Same directory as the target: a rename across file systems would not be atomic. CREATE_NEW
        // makes the name ours alone. subtle: not Files.createTempFile, which makes the file owner-only (0600); the committed file
        // should get the usual permissions, like any other file the user writes.
        for (int attempt = 0; ; attempt++) {
            Path temp = dir.resolve("." + target.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
            try {
                FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                return new PendingFile(target, temp, channel);
            } catch (FileAlreadyExistsException e) {
                if (attempt == 10) throw Io.failure("create a temporary file for", target, e);
            } catch (IOException e) {
                throw Io.failure("write", target, e);
            }
        }
    }

    OutputStream out() {
        if (finished) throw new IllegalStateException("already committed or discarded: " + target);
        return exposed;
    }

    /** Flushes, fsyncs and renames the temporary file onto the target. */
    void commit() {
        if (finished) throw new IllegalStateException("already committed or discarded: " + target);
        try {
            buffered.flush();
            channel.force(true);
            channel.close();
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            finished = true;
        } catch (IOException e) {
            CriaException failure = Io.failure("write", target, e);
            discard(failure);
            throw failure;
        }
        Io.fsyncDirectory(Io.parentOf(target));
    }

    /** Drops the temporary file, unless committed; the target is left as it was. */
    @Override
    public void close() {
        if (!finished) discard(null);
    }

    /**
     * Closes and deletes the temporary file. A failure here is attached to {@code pending} (the error
     * the caller is about to see) when there is one, and otherwise dropped: a leftover hidden
     * {@code .tmp} file is harmless, and the caller's own error matters more.
     */
    private void discard(Throwable pending) {
        finished = true;
        try {
            channel.close();
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            if (pending != null) pending.addSuppressed(e);
        }
    }
}
