package dev.cria.serve;

import dev.cria.checkpoint.ModelDirectory;
import dev.cria.model.Llama;
import dev.cria.model.LlamaConfig;
import dev.cria.tokenizer.ByteTokenizer;
import dev.cria.util.Rng;
import java.nio.file.Path;

/**
 * A server on an ephemeral loopback port over a fresh run directory, with an admin and two labellers.
 * The model is a tiny random byte-level Llama: enough to generate (gibberish) answers quickly.
 */
final class ServeFixture implements AutoCloseable {
    final Path dir;
    final Server.Settings settings;
    RunDir run;
    Server server;
    final Accounts.Credentials admin, alice, bob;

    /**
     * Tests make many short-lived clients from 127.0.0.1, each of which keeps its connections alive, so
     * the per-address cap is lifted to the server's total here (SlowClientTest checks the cap itself).
     */
    private static final Limits ONE_ADDRESS_MANY_CLIENTS = new Limits(Limits.defaults().headerDeadline(), Limits.defaults().bodyDeadline(),
            Limits.defaults().idle(), Limits.defaults().connections(), Limits.defaults().connections(), 0);

    ServeFixture(Path dir, Path model, RoundConfig round) {
        this(dir, model, round, new Sampling(24, 1f, 1f, 3));
    }

    ServeFixture(Path dir, Path model, RoundConfig round, Sampling sampling) {
        this(dir, model, round, sampling, 2);
    }

    ServeFixture(Path dir, Path model, RoundConfig round, Sampling sampling, int labelsPerItem) {
        this(dir, model, new Server.Settings("127.0.0.1", 0, labelsPerItem, 16, sampling, round).withLimits(ONE_ADDRESS_MANY_CLIENTS));
    }

    ServeFixture(Path dir, Path model, Server.Settings settings) {
        this.dir = dir;
        this.settings = settings;
        run = RunDir.open(dir.resolve("run"));
        run.useBase(model);
        admin = run.accounts.create("admin", User.Role.ADMIN);
        alice = run.accounts.create("alice", User.Role.LABELLER);
        bob = run.accounts.create("bob", User.Role.LABELLER);
        server = Server.start(run, settings);
    }

    static Path randomModel(Path dir) {
        var tokenizer = new ByteTokenizer();
        var model = Llama.initialize(new LlamaConfig(16, 1, 2, 1, 32, tokenizer.vocabSize(), 256, 1e-5f, 10000f, true), new Rng(7));
        Path out = dir.resolve("model");
        ModelDirectory.save(out, model, tokenizer);
        return out;
    }

    String url() {
        return server.url();
    }

    Client as(Accounts.Credentials who) {
        return new Client(this::url, who.apiKey());
    }

    Client signedIn(Accounts.Credentials who) {
        return new Client(this::url, null).signIn(who.user().name(), who.password());
    }

    /** Stops the server and closes the database, as a killed process would leave them, then starts both again. */
    void restart() {
        server.close();
        run.close();
        run = RunDir.open(dir.resolve("run"));
        server = Server.start(run, settings);
    }

    @Override
    public void close() {
        server.close();
        run.close();
    }
}
