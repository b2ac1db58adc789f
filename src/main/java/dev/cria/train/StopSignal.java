package dev.cria.train;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Turns Ctrl-C (SIGINT/SIGTERM) into a polite request: the training loop sees {@link #requested()},
 * saves a checkpoint and calls {@link #done()}; the JVM's shutdown waits for that before exiting.
 */
public final class StopSignal implements AutoCloseable {
    private volatile boolean requested;
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;

    private StopSignal(boolean install) {
        hook = new Thread(() -> {
            requested = true;
            try {
                finished.await(120, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "cria-stop");
        if (install) Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Installs the shutdown hook. */
    public static StopSignal install() {
        return new StopSignal(true);
    }

    /** A signal that only {@link #request()} raises (for tests and embedding). */
    public static StopSignal manual() {
        return new StopSignal(false);
    }

    public boolean requested() {
        return requested;
    }

    public void request() {
        requested = true;
    }

    /** The loop has saved its work; shutdown may proceed. */
    public void done() {
        finished.countDown();
    }

    @Override
    public void close() {
        done();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException | IllegalArgumentException ignored) {
            // shutdown already under way, or the hook was never installed
        }
    }
}
