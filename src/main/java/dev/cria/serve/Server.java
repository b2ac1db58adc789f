package dev.cria.serve;

import dev.cria.kernels.QuantMatrix;
import dev.cria.util.CriaException;
import java.time.Duration;
import java.util.concurrent.Executors;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The human-in-the-loop web application on Jetty: pages, the labelling and admin API, the
 * OpenAI-compatible API. It owns the run directory's database, the model worker and the generation
 * queue, and releases them on {@link #close}.
 *
 * <p>Slow clients cannot starve it: Jetty reads request headers without holding a thread, every request
 * is handled on a virtual thread of its own (one waiting for a slow body costs no worker), and
 * {@link Limits} puts deadlines on headers, bodies and stalled writes and caps connections per address.
 */
public final class Server implements AutoCloseable {
    /**
     * @param labelsPerItem how many people may label one item (2 or more lets agreement be measured)
     * @param threads       platform threads for Jetty's selector and acceptor; requests run on virtual threads
     * @param quantize      the block layout served models are held in, or null for their stored one
     */
    public record Settings(String host, int port, int labelsPerItem, int threads, Sampling sampling, RoundConfig round, Limits limits,
                           QuantMatrix.Kind quantize) {
        public Settings(String host, int port, int labelsPerItem, int threads, Sampling sampling, RoundConfig round) {
            this(host, port, labelsPerItem, threads, sampling, round, Limits.defaults(), null);
        }

        public Settings withLimits(Limits limits) {
            return new Settings(host, port, labelsPerItem, threads, sampling, round, limits, quantize);
        }

        public Settings withQuantize(QuantMatrix.Kind quantize) {
            return new Settings(host, port, labelsPerItem, threads, sampling, round, limits, quantize);
        }
    }

    private final RunDir run;
    private final ModelHost models;
    private final PairQueue queue;
    private final org.eclipse.jetty.server.Server jetty;
    private final String url;

    private Server(RunDir run, ModelHost models, PairQueue queue, org.eclipse.jetty.server.Server jetty, ServerConnector connector) {
        this.run = run;
        this.models = models;
        this.queue = queue;
        this.jetty = jetty;
        // read once: a stopped connector no longer knows its port
        String host = connector.getHost();
        this.url = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + connector.getLocalPort();
    }

    /** Opens the run and starts serving; port 0 picks a free port. */
    public static Server start(RunDir run, Settings settings) {
        run.rounds.failInterrupted();
        var models = new ModelHost(run, settings.quantize());
        var queue = new PairQueue(run, models, settings.sampling());
        Limits limits = settings.limits();
        var router = new Router(run.accounts, limits);
        new PageRoutes(run, queue, models, settings.labelsPerItem()).register(router);
        new LabelApi(run, settings.labelsPerItem()).register(router);
        new AdminApi(run, queue, models, settings.round()).register(router);
        new OpenAiApi(run, models).register(router);

        var threads = new QueuedThreadPool(Math.max(4, settings.threads()), 2);
        threads.setName("cria-http");
        threads.setDaemon(true);
        threads.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        var jetty = new org.eclipse.jetty.server.Server(threads);
        var http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setIdleTimeout(limits.idle().toMillis());
        var connector = new ServerConnector(jetty, 1, 1, new HttpConnectionFactory(http));
        connector.setHost(settings.host());
        connector.setPort(settings.port());
        connector.setIdleTimeout(limits.idle().toMillis());
        connector.setAcceptQueueSize(128);
        if (limits.sendBufferBytes() > 0) connector.setAcceptedSendBufferSize(limits.sendBufferBytes());
        var guard = new ConnectionGuard(limits);
        connector.addBean(guard);
        jetty.addConnector(connector);
        jetty.addBean(new NetworkConnectionLimit(limits.connections(), connector));
        jetty.setHandler(router);
        jetty.setErrorHandler(new JsonErrorHandler());
        jetty.setStopTimeout(0);
        try {
            jetty.start();
        } catch (Exception e) {
            stopQuietly(jetty);
            models.close();
            queue.close();
            throw new CriaException("cannot listen on " + settings.host() + ":" + settings.port() + ": " + e.getMessage(), e);
        }
        sweepEvery(jetty, guard, Duration.ofMillis(ConnectionGuard.SWEEP_MILLIS));
        return new Server(run, models, queue, jetty, connector);
    }

    private static void sweepEvery(org.eclipse.jetty.server.Server jetty, ConnectionGuard guard, Duration period) {
        jetty.getScheduler().schedule(() -> {
            if (!jetty.isRunning()) return;
            guard.sweep();
            sweepEvery(jetty, guard, period);
        }, period);
    }

    public int port() {
        return java.net.URI.create(url).getPort();
    }

    public String url() {
        return url;
    }

    public RunDir run() {
        return run;
    }

    /** Stops listening at once; requests in flight are cut off, but every label already acknowledged is committed. */
    @Override
    public void close() {
        stopQuietly(jetty);
        queue.close();
        models.close();
    }

    private static void stopQuietly(org.eclipse.jetty.server.Server jetty) {
        try {
            jetty.stop();
        } catch (Exception e) {
            System.err.println("cria serve: stopping the HTTP server: " + e);
        }
    }
}
