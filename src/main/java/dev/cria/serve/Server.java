package dev.cria.serve;

import com.sun.net.httpserver.HttpServer;
import dev.cria.util.CriaException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The human-in-the-loop web application on the JDK's HTTP server: pages, the labelling and admin API,
 * the OpenAI-compatible API. It owns the run directory's database, the model worker and the generation
 * queue, and releases them on {@link #close}.
 */
public final class Server implements AutoCloseable {
    /**
     * @param labelsPerItem how many people may label one item (2 or more lets agreement be measured)
     */
    public record Settings(String host, int port, int labelsPerItem, int threads, Sampling sampling, RoundConfig round) {
    }

    private final RunDir run;
    private final ModelHost models;
    private final PairQueue queue;
    private final HttpServer http;
    private final ExecutorService executor;

    private Server(RunDir run, ModelHost models, PairQueue queue, HttpServer http, ExecutorService executor) {
        this.run = run;
        this.models = models;
        this.queue = queue;
        this.http = http;
        this.executor = executor;
    }

    /** Opens the run and starts serving; port 0 picks a free port. */
    public static Server start(RunDir run, Settings settings) {
        run.rounds.failInterrupted();
        var models = new ModelHost(run);
        var queue = new PairQueue(run, models, settings.sampling());
        var router = new Router(run.accounts);
        new PageRoutes(run, queue, models, settings.labelsPerItem()).register(router);
        new LabelApi(run, settings.labelsPerItem()).register(router);
        new AdminApi(run, queue, models, settings.round()).register(router);
        new OpenAiApi(run, models).register(router);
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 64);
        } catch (IOException e) {
            models.close();
            queue.close();
            throw new CriaException("cannot listen on " + settings.host() + ":" + settings.port() + ": " + e.getMessage(), e);
        }
        ExecutorService executor = Executors.newFixedThreadPool(settings.threads(), r -> {
            Thread t = new Thread(r, "cria-http");
            t.setDaemon(true);
            return t;
        });
        http.createContext("/", router);
        http.setExecutor(executor);
        http.start();
        return new Server(run, models, queue, http, executor);
    }

    public int port() {
        return http.getAddress().getPort();
    }

    public String url() {
        return "http://" + http.getAddress().getHostString() + ":" + port();
    }

    public RunDir run() {
        return run;
    }

    /** Stops listening at once; requests in flight are cut off, but every label already acknowledged is committed. */
    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
        queue.close();
        models.close();
    }
}
