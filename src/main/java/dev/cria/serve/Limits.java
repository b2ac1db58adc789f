package dev.cria.serve;

import java.time.Duration;

/**
 * What the server grants one client before it is cut off, so that slow or idle connections can never
 * hold the server for others. Reading a request is bounded twice: the whole of its request line and
 * headers, and the whole of its body, each within a deadline; and no read or write may stall longer
 * than {@code idle} (this is also the write deadline of a client that stops reading a stream).
 *
 * @param headerDeadline         request line and headers, from their first byte to their last
 * @param bodyDeadline           the body, from the end of the headers to its last byte
 * @param idle                   longest wait for a read or write to make progress, and for a kept-alive
 *                               connection's next request
 * @param connectionsPerAddress  open connections one client address may hold; more are closed at once
 * @param connections            open connections in all
 * @param sendBufferBytes        the kernel's send buffer of each connection, 0 for the system's default
 *                               (a small one makes a stalled reader hit {@code idle} sooner)
 */
public record Limits(Duration headerDeadline, Duration bodyDeadline, Duration idle, int connectionsPerAddress, int connections,
        int sendBufferBytes) {
    public Limits {
        for (Duration d : new Duration[] {headerDeadline, bodyDeadline, idle}) {
            if (d.isNegative() || d.isZero()) throw new IllegalArgumentException("a deadline must be positive: " + d);
        }
        if (connectionsPerAddress < 1 || connections < connectionsPerAddress) {
            throw new IllegalArgumentException("connections: " + connectionsPerAddress + " per address, " + connections + " in all");
        }
        if (sendBufferBytes < 0) throw new IllegalArgumentException("sendBufferBytes < 0: " + sendBufferBytes);
    }

    /** For a small public labelling service: generous to people on slow links, short for idlers. */
    public static Limits defaults() {
        return new Limits(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(30), 32, 512, 0);
    }
}
