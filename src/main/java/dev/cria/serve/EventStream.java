package dev.cria.serve;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Response;

/**
 * A server-sent-event reply that never makes its writer wait for the network. Tokens are produced on
 * the one model thread that every request shares; if that thread wrote to the socket itself, one client
 * that stops reading would stall generation for everybody. So each {@link #flush()} hands the event
 * to a queue, and a virtual thread of this stream's own writes the queue out.
 *
 * <p>A client that does not read is cut off by whichever comes first: a write that makes no progress
 * for {@link Limits#idle} (Jetty fails it), or {@link #MAX_QUEUED} events waiting. After either, the
 * next write or flush throws, which ends the generation.
 */
final class EventStream extends OutputStream {
    static final int MAX_QUEUED = 4096;
    private static final byte[] END = new byte[0];

    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(MAX_QUEUED);
    private final ByteArrayOutputStream event = new ByteArrayOutputStream();
    private final Thread writer;
    private volatile Throwable failure;

    EventStream(Response response) {
        writer = Thread.ofVirtual().name("cria-event-stream").start(() -> drain(response));
    }

    private void drain(Response response) {
        try {
            for (byte[] next; (next = queue.take()) != END; ) Content.Sink.write(response, false, ByteBuffer.wrap(next));
            Content.Sink.write(response, true, ByteBuffer.allocate(0));
        } catch (IOException | InterruptedException e) {
            failure = e;
        }
    }

    @Override
    public void write(int b) throws IOException {
        checkOpen();
        event.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        checkOpen();
        event.write(b, off, len);
    }

    /** Queues what was written since the last flush as one event. */
    @Override
    public void flush() throws IOException {
        checkOpen();
        if (event.size() == 0) return;
        enqueue(event.toByteArray());
        event.reset();
    }

    @Override
    public void close() throws IOException {
        flush();
        enqueue(END);
    }

    private void enqueue(byte[] bytes) throws IOException {
        if (!queue.offer(bytes)) {
            failure = new IOException("the client has not read " + MAX_QUEUED + " events");
            writer.interrupt();
            throw new IOException(failure.getMessage());
        }
    }

    private void checkOpen() throws IOException {
        Throwable f = failure;
        if (f != null) throw new IOException("the client stopped reading: " + f.getMessage(), f);
    }

    /** Waits until the last event is written or the stream has failed; the failure, or null. */
    Throwable awaitEnd() {
        if (failure == null && !queue.contains(END)) queue.offer(END);
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            writer.interrupt();
            return e;
        }
        return failure;
    }
}
