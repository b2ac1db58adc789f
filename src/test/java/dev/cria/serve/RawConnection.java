package dev.cria.serve;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * A hand-driven TCP connection to the server, for clients that misbehave: that send part of a request
 * and wait, or never read. It connects from a chosen loopback address (any of 127.0.0.0/8 is this
 * machine), so that tests can play several client addresses at once.
 */
final class RawConnection implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    final long openedAt = System.nanoTime();

    /** @param receiveBuffer the socket's receive buffer in bytes, 0 for the system's default */
    RawConnection(String serverUrl, String fromAddress, int receiveBuffer) {
        URI uri = URI.create(serverUrl);
        try {
            socket = new Socket();
            if (receiveBuffer > 0) socket.setReceiveBufferSize(receiveBuffer);
            socket.bind(new InetSocketAddress(fromAddress, 0));
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5000);
            in = socket.getInputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    RawConnection send(String text) {
        try {
            socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Whether the server still holds the connection: nothing read within 50 ms, and no end of stream. */
    boolean open() {
        try {
            socket.setSoTimeout(50);
            int b = in.read();
            if (b < 0) return false;
            received.write(b);
            return true;
        } catch (SocketTimeoutException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Reads until the server closes the connection; seconds from opening to the close, or -1 if it stayed open past {@code seconds}. */
    double awaitClosed(double seconds) {
        long deadline = openedAt + (long) (seconds * 1e9);
        byte[] buffer = new byte[8192];
        try {
            while (System.nanoTime() < deadline) {
                socket.setSoTimeout(100);
                try {
                    int n = in.read(buffer);
                    if (n < 0) return (System.nanoTime() - openedAt) / 1e9;
                    received.write(buffer, 0, n);
                } catch (SocketTimeoutException e) {
                    // still open; look again
                }
            }
            return -1;
        } catch (IOException e) {
            return (System.nanoTime() - openedAt) / 1e9;   // reset by the server
        }
    }

    /** Everything read so far. */
    String received() {
        return received.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a test's socket
        }
    }
}
