package dev.cria.serve;

import dev.cria.checkpoint.ModelDirectory;
import dev.cria.util.CriaException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A human-in-the-loop run directory: {@code labels.db} (see {@link Store}) and {@code rounds/N/} (each
 * round's reward model, PPO or DPO run). The model a run starts from is recorded as its {@code base};
 * the policy is the newest finished round's model, or the base before the first round.
 *
 * <p>Model names: {@code base}, {@code round-N}, and {@code policy} for whichever is current. Answers
 * are always stored under a concrete name, never under {@code policy}.
 */
public final class RunDir implements AutoCloseable {
    public static final String BASE = "base";
    public static final String POLICY = "policy";
    private static final String BASE_SETTING = "base_model";

    public final Path dir;
    public final Store store;
    public final Accounts accounts;
    public final Items items;
    public final Labels labels;
    public final Prompts prompts;
    public final RoundLog rounds;
    public final LabelExport export;
    public final LabelStats stats;

    private RunDir(Path dir, Store store) {
        this.dir = dir;
        this.store = store;
        this.accounts = new Accounts(store);
        this.items = new Items(store);
        this.labels = new Labels(store);
        this.prompts = new Prompts(store);
        this.rounds = new RoundLog(store);
        this.export = new LabelExport(store);
        this.stats = new LabelStats(store);
    }

    public static RunDir open(Path dir) {
        return new RunDir(dir, Store.open(dir));
    }

    /**
     * Opens a run to serve or train from: {@code model} (null: the base already recorded) is loaded first,
     * so a model that does not load fails with the file at fault before {@code labels.db} is created or a
     * base is recorded.
     */
    public static RunDir openWithBase(Path dir, Path model) {
        Path checked = model == null ? null : loadable(model);
        if (checked == null && !Files.exists(dir.resolve(Store.FILE))) {
            throw new CriaException(dir + ": a new run needs --model, the model to start from");
        }
        RunDir run = open(dir);
        try {
            if (checked == null) loadable(run.baseModel());
            run.recordBase(checked);
            return run;
        } catch (RuntimeException e) {
            run.close();
            throw e;
        }
    }

    /**
     * Records the model the run starts from; a run keeps its first base, so {@code model} may be null
     * once one is recorded, and another one is refused. The model is loaded before it is recorded.
     */
    void useBase(Path model) {
        recordBase(model == null ? null : loadable(model));
    }

    /** The model directory {@code model} names, once its weights and tokenizer have loaded. */
    private static Path loadable(Path model) {
        return ModelDirectory.load(model).dir().toAbsolutePath().normalize();
    }

    private void recordBase(Path resolved) {
        String recorded = store.setting(BASE_SETTING);
        if (resolved == null) {
            if (recorded == null) throw new CriaException(dir + ": a new run needs --model, the model to start from");
            return;
        }
        if (recorded == null) store.setSetting(BASE_SETTING, resolved.toString());
        else if (!Path.of(recorded).equals(resolved)) {
            throw new CriaException(dir + " started from " + recorded + "; it cannot switch to " + resolved + " (use another --run)");
        }
    }

    public Path baseModel() {
        String recorded = store.setting(BASE_SETTING);
        if (recorded == null) throw new CriaException(dir + ": no base model recorded; start the server once with --model");
        return Path.of(recorded);
    }

    public Path roundDir(long id) {
        return dir.resolve("rounds").resolve(Long.toString(id));
    }

    /** {@code round-N} of the newest finished round, or {@code base}. */
    public String currentPolicy() {
        Round latest = rounds.latestDone();
        return latest == null ? BASE : latest.modelName();
    }

    /** A concrete model name for any accepted name ({@code policy} becomes the current one). */
    public String concrete(String name) {
        String n = name == null || name.isEmpty() ? POLICY : name;
        if (n.equals(POLICY)) return currentPolicy();
        modelDir(n);
        return n;
    }

    /** The model directory a name stands for; 404 naming the field {@code model} when there is none. */
    public Path modelDir(String name) {
        if (name.equals(POLICY)) return modelDir(currentPolicy());
        if (name.equals(BASE)) return baseModel();
        if (name.startsWith("round-")) {
            try {
                Round r = rounds.get(Long.parseLong(name.substring("round-".length())));
                if (r != null && r.status().equals(Round.DONE) && r.policyDir() != null && Files.exists(Path.of(r.policyDir()))) {
                    return Path.of(r.policyDir());
                }
            } catch (NumberFormatException e) {
                // falls through to the refusal
            }
        }
        throw new ApiError(404, "model", "model: no model '" + name + "'; choose one of " + String.join(", ", modelNames()), "model_not_found");
    }

    /** {@code policy}, {@code base}, then every finished round. */
    public List<String> modelNames() {
        var names = new ArrayList<>(List.of(POLICY, BASE));
        for (Round r : rounds.all()) if (r.status().equals(Round.DONE)) names.add(r.modelName());
        return names;
    }

    @Override
    public void close() {
        store.close();
    }
}
