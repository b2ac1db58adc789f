package dev.cria.cli;

import dev.cria.checkpoint.GenerationConfig;
import dev.cria.serve.Accounts;
import dev.cria.serve.ApiError;
import dev.cria.serve.Limits;
import dev.cria.serve.RunDir;
import dev.cria.serve.Sampling;
import dev.cria.serve.Server;
import dev.cria.serve.SimulatedLabeller;
import dev.cria.serve.User;
import dev.cria.util.CriaException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cria serve}: the human-in-the-loop web app, and {@code cria serve user} to manage its accounts. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serve the human-feedback web app: people compare and rate answers, and the model is retrained from their choices.",
                "Pages: compare, rate, playground, dashboard, admin. APIs: labelling (/api/...) and OpenAI-compatible (/v1/...).",
                "Labels live in RUN/labels.db (SQLite). Create the first admin with: cria serve user add NAME --role admin --run RUN"},
        subcommands = {ServeCommand.UserCommand.class, ServeCommand.SimulateCommand.class})
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--model", description = "Model the run starts from (needed the first time; a run keeps its first model).")
    Path model;

    @Option(names = "--run", defaultValue = "runs/hitl", description = "Run directory: labels.db and the rounds. Default: ${DEFAULT-VALUE}.")
    Path run;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind. Default: ${DEFAULT-VALUE} (this machine only).")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "Port (0 picks a free one). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--labels-per-item", defaultValue = "2", description = "People who may label one item; 2 or more measures agreement. Default: ${DEFAULT-VALUE}.")
    int labelsPerItem;

    @Option(names = "--max-new-tokens", description = "Length limit of generated answers. Default: --model's generation_config.json, else 200.")
    Integer maxNewTokens;

    @Option(names = "--temperature", description = "Sampling temperature of generated answers. Default: --model's generation_config.json, else 1.0.")
    Float temperature;

    @Option(names = "--top-p", description = "Nucleus sampling mass of generated answers. Default: --model's generation_config.json, else 1.0.")
    Float topP;

    @Option(names = "--connections-per-address", defaultValue = "32",
            description = "Open connections one client address may hold (raise it for many people behind one NAT). Default: ${DEFAULT-VALUE}.")
    int connectionsPerAddress;

    @Mixin
    QuantizeOptions quantize;

    @Mixin
    RoundOptions round;

    @Override
    public Integer call() {
        Server.Settings settings = settings();
        try (RunDir dir = RunDir.openWithBase(run, model); Server server = Server.start(dir, settings)) {
            System.out.println("Cria is serving " + dir.dir + " at " + server.url() + "  (Ctrl-C stops it)");
            if (!dir.accounts.any()) {
                System.out.println("No accounts yet: cria serve user add NAME --role admin --run " + run);
            }
            System.out.flush();
            awaitStop();
        }
        return 0;
    }

    /** Every flag checked, before the run directory or its database is touched. */
    Server.Settings settings() {
        if (port < 0 || port > 65535) throw new CriaException("--port must be from 0 to 65535 (0 picks a free one): " + port);
        if (host.isBlank()) throw new CriaException("--host must be an address to bind, such as 127.0.0.1 or 0.0.0.0: '" + host + "'");
        if (labelsPerItem < 1) throw new CriaException("--labels-per-item must be at least 1: " + labelsPerItem);
        Limits defaults = Limits.defaults();
        if (connectionsPerAddress < 1 || connectionsPerAddress > defaults.connections()) {
            throw new CriaException("--connections-per-address must be from 1 to " + defaults.connections() + ": " + connectionsPerAddress);
        }
        var limits = new Limits(defaults.headerDeadline(), defaults.bodyDeadline(), defaults.idle(), connectionsPerAddress, defaults.connections(),
                defaults.sendBufferBytes());
        return new Server.Settings(host, port, labelsPerItem, 16, sampling(), round.config()).withLimits(limits).withQuantize(quantize.kind());
    }

    /**
     * Each flag, else the --model directory's generation_config.json, else the built-in default. subtle:
     * its do_sample is not followed, since labelling needs two different answers to a prompt.
     */
    private Sampling sampling() {
        GenerationConfig shipped = model != null && Files.exists(model.resolve(GenerationConfig.FILE))
                ? GenerationConfig.read(model) : GenerationConfig.NONE;
        return new Sampling(
                maxNewTokens != null ? maxNewTokens : shipped.maxNewTokens() != null ? shipped.maxNewTokens() : 200,
                temperature != null ? temperature : shipped.temperature() != null ? shipped.temperature() : 1.0f,
                topP != null ? topP : shipped.topP() != null ? shipped.topP() : 1.0f, 0);
    }

    /** Blocks until Ctrl-C, or until this thread is interrupted (a test stopping the server it started). */
    private static void awaitStop() {
        var stopped = new CountDownLatch(1);
        Thread hook = new Thread(stopped::countDown);
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Runtime.getRuntime().removeShutdownHook(hook);
            Thread.currentThread().interrupt();
        }
    }

    /** {@code cria serve simulate}: the simulated annotator labels through a running server's API, for demos. */
    @Command(name = "simulate", mixinStandardHelpOptions = true,
            description = "Label items on a running server as the simulated annotator would, through the same HTTP API as people.")
    static final class SimulateCommand implements Callable<Integer> {
        @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "The server. Default: ${DEFAULT-VALUE}.")
        String url;

        @Option(names = "--api-key", required = true, description = "A labeller's API key (cria serve user add).")
        String apiKey;

        @Option(names = "--kind", defaultValue = "pair", description = "pair (compare) or single (rate). Default: ${DEFAULT-VALUE}.")
        String kind;

        @Option(names = "--count", defaultValue = "100", description = "Most items to label. Default: ${DEFAULT-VALUE}.")
        int count;

        @Option(names = "--up-from", defaultValue = "0", description = "Annotator score from which a single answer gets thumbs up. Default: ${DEFAULT-VALUE}.")
        double upFrom;

        @Override
        public Integer call() throws Exception {
            Flags.oneOf("--kind", kind, "pair", "single");
            Flags.positive("--count", count);
            if (!Double.isFinite(upFrom)) throw new CriaException("--up-from must be a number: " + upFrom);
            try {
                int done = new SimulatedLabeller(url, apiKey, upFrom).label(kind, count);
                System.out.println("labelled " + done + " " + kind + (done == 1 ? "" : "s") + " as the simulated annotator");
            } catch (java.io.IOException e) {
                throw new CriaException(url + ": " + e.getMessage());
            }
            return 0;
        }
    }

    /** {@code cria serve user add|list|deactivate|remove}. */
    @Command(name = "user", mixinStandardHelpOptions = true,
            description = {"Manage the accounts of a run: add (prints a password and an API key), list, deactivate or remove.",
                    "deactivate stops the account's sign-in, sessions and API key and keeps their labels;",
                    "remove deletes the account and deletes their labels too."})
    static final class UserCommand implements Callable<Integer> {
        @Parameters(index = "0", description = "add, list, deactivate or remove")
        String action;

        @Parameters(index = "1", arity = "0..1", description = "The user's name (add, deactivate, remove).")
        String name;

        @Option(names = "--role", defaultValue = "labeller", description = "labeller or admin. Default: ${DEFAULT-VALUE}.")
        String role;

        @Option(names = "--run", defaultValue = "runs/hitl", description = "Run directory. Default: ${DEFAULT-VALUE}.")
        Path run;

        @Override
        public Integer call() {
            try (RunDir dir = RunDir.open(run)) {
                switch (action) {
                    case "add" -> {
                        var c = dir.accounts.create(required(name), parseRole(role));
                        System.out.printf("added %s (%s)%npassword: %s%nAPI key:  %s%n(shown once; only their hashes are stored)%n", c.user().name(),
                                c.user().role().dbName(), c.password(), c.apiKey());
                    }
                    case "list" -> {
                        for (Accounts.Account a : dir.accounts.list()) {
                            System.out.printf("%-24s %-9s %s%n", a.user().name(), a.user().role().dbName(), a.active() ? "active" : "deactivated");
                        }
                    }
                    case "deactivate" -> {
                        long kept = dir.accounts.deactivate(required(name));
                        System.out.println("deactivated " + name + " (no sign-in, no API key); kept their " + labels(kept));
                    }
                    case "remove" -> {
                        long deleted = dir.accounts.delete(required(name));
                        System.out.println("removed " + name + " and their " + labels(deleted));
                    }
                    default -> throw new CriaException("unknown action '" + action + "'; use add, list, deactivate or remove");
                }
            } catch (ApiError e) {
                throw new CriaException(e.getMessage());
            }
            return 0;
        }

        private static String labels(long n) {
            return n + (n == 1 ? " label" : " labels");
        }

        private static String required(String name) {
            if (name == null) throw new CriaException("give the user's name, e.g. cria serve user add alice --run DIR");
            return name;
        }

        private static User.Role parseRole(String role) {
            return User.Role.parse("--role", role);
        }
    }
}
