package dev.cria.io;

import dev.cria.util.CriaException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Streams a float32 matrix of known shape (rows, cols) into a {@code .npy} file one row at a time, so
 * a (tokens, vocab) logits matrix never has to be in memory whole. Format as in {@link Npy}.
 *
 * <p>The file appears, atomically, only when {@link #close} finds that every row was written; closing
 * early (for example after an exception in a try-with-resources block) leaves no file behind and
 * reports how many rows were missing. Not thread-safe.
 */
public final class NpyWriter implements AutoCloseable {
    private final Path file;
    private final int rows;
    private final int cols;
    private final PendingFile pending;
    private final ByteBuffer rowBytes;
    private int rowsWritten;
    private boolean closed;

    private NpyWriter(Path file, int rows, int cols, PendingFile pending) {
        this.file = file;
        this.rows = rows;
        this.cols = cols;
        this.pending = pending;
        this.rowBytes = ByteBuffer.allocate(cols * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Starts a (rows, cols) float32 matrix at {@code file}. */
    public static NpyWriter open(Path file, int rows, int cols) {
        if (file == null) throw new IllegalArgumentException("file is null");
        if (rows < 0) throw new IllegalArgumentException("rows < 0: " + rows);
        if (cols < 0) throw new IllegalArgumentException("cols < 0: " + cols);
        if ((long) cols * Float.BYTES > Integer.MAX_VALUE) throw new IllegalArgumentException("cols too large: " + cols);
        PendingFile pending = PendingFile.create(file);
        try {
            pending.out().write(Npy.header(new int[] {rows, cols}));
        } catch (IOException e) {
            CriaException failure = Io.failure("write", file, e);
            pending.close();
            throw failure;
        }
        return new NpyWriter(file, rows, cols, pending);
    }

    public void writeRow(float[] row) {
        if (closed) throw new IllegalStateException("writer for " + file + " is closed");
        if (row == null) throw new IllegalArgumentException("row is null");
        if (row.length != cols) {
            throw new IllegalArgumentException("row " + rowsWritten + " has " + row.length + " values, expected " + cols);
        }
        if (rowsWritten == rows) throw new IllegalStateException("all " + rows + " rows already written to " + file);
        rowBytes.clear();
        rowBytes.asFloatBuffer().put(row);
        try {
            pending.out().write(rowBytes.array());
        } catch (IOException e) {
            throw Io.failure("write", file, e);
        }
        rowsWritten++;
    }

    public int rowsWritten() {
        return rowsWritten;
    }

    /**
     * Commits the file if all rows were written; otherwise discards it.
     *
     * @throws CriaException when rows are missing
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            if (rowsWritten != rows) {
                throw new CriaException(file + ": wrote " + rowsWritten + " of " + rows + " rows; the file was not saved");
            }
            pending.commit();
        } finally {
            pending.close();
        }
    }
}
