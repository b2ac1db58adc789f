package dev.cria.serve;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.internal.HttpConnection;

/**
 * Watches every connection the server accepts. It closes a connection at once when its client address
 * already holds {@link Limits#connectionsPerAddress}, and closes one whose request line and headers
 * have not all arrived within {@link Limits#headerDeadline}: the idle timeout alone would let a client
 * keep a connection for ever by sending a byte now and then.
 *
 * <p>Jetty parses headers without holding a thread, so such clients cost a socket, not a worker; these
 * rules bound the sockets too. {@link #sweep} runs every {@link #SWEEP_MILLIS} on Jetty's scheduler.
 */
final class ConnectionGuard implements Connection.Listener {
    static final long SWEEP_MILLIS = 250;

    /** An open connection: its client's address, and when it was first seen part-way through a request's headers (0: it is not). */
    private static final class Watch {
        final String address;
        volatile long inHeadersSince;

        Watch(String address) {
            this.address = address;
        }
    }

    private final Map<Connection, Watch> open = new ConcurrentHashMap<>();
    private final Map<String, Integer> perAddress = new ConcurrentHashMap<>();
    private final Limits limits;

    ConnectionGuard(Limits limits) {
        this.limits = limits;
    }

    @Override
    public void onOpened(Connection connection) {
        var watch = new Watch(address(connection));
        open.put(connection, watch);
        if (perAddress.merge(watch.address, 1, Integer::sum) > limits.connectionsPerAddress()) connection.getEndPoint().close();
    }

    @Override
    public void onClosed(Connection connection) {
        Watch watch = open.remove(connection);
        if (watch != null) perAddress.computeIfPresent(watch.address, (a, n) -> n > 1 ? n - 1 : null);
    }

    /** Closes the connections that have been receiving one request's headers for longer than the deadline. */
    void sweep() {
        long now = System.nanoTime(), deadline = limits.headerDeadline().toNanos();
        for (var e : open.entrySet()) {
            Connection c = e.getKey();
            Watch w = e.getValue();
            if (!midHeaders(c)) {
                w.inHeadersSince = 0;
            } else if (w.inHeadersSince == 0) {
                w.inHeadersSince = now;
            } else if (now - w.inHeadersSince > deadline) {
                c.getEndPoint().close(new TimeoutException("request headers not received within " + limits.headerDeadline().toSeconds() + " s"));
            }
        }
    }

    /** Open connections of one address. */
    int openFrom(String address) {
        return perAddress.getOrDefault(address, 0);
    }

    /**
     * subtle: reads the parser's state from the sweeping thread; a stale read only delays a close by one
     * sweep. A kept-alive connection waiting for its next request is at the parser's start, not mid-headers.
     */
    private static boolean midHeaders(Connection c) {
        return c instanceof HttpConnection http && http.getParser().inHeaderState() && !http.getParser().isStart();
    }

    private static String address(Connection c) {
        return c.getEndPoint().getRemoteSocketAddress() instanceof InetSocketAddress a ? a.getAddress().getHostAddress() : "unknown";
    }
}
