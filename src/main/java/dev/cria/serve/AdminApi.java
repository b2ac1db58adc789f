package dev.cria.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What only admins may do, each refused to labellers by the {@link Router}:
 * <pre>
 *   GET  /api/users                         accounts
 *   POST /api/users {"name","role"}         a new account; its password and API key are in the reply, once
 *   POST /api/users/deactivate {"name"}     stops an account's sign-in, sessions and API key; its labels stay
 *   POST /api/users/delete {"name"}         removes an account and its labels
 *   POST /api/prompts                       body: prompt JSONL ({"prompt"} lines)
 *   POST /api/prompts/builtin {"count"}     adds built-in story prompts
 *   POST /api/generate {"kind","count","model_a","model_b"?}   queues answers to label
 *   GET  /api/queue                         generation jobs and their progress
 *   POST /api/train {"method"}              starts a round (202) of ppo, dpo, kto or online-dpo; GET /api/rounds shows it
 *   GET  /api/export?format=preference|sft|kto   labels as TRL JSONL
 *   POST /api/import?format=preference|sft|kto   body: TRL JSONL
 *   GET  /api/stats                         the dashboard's figures
 * </pre>
 */
final class AdminApi {
    static final int UPLOAD_LIMIT = 8 * 1024 * 1024;
    private static final ObjectMapper PLAIN = new ObjectMapper();
    private final RunDir run;
    private final PairQueue queue;
    private final ModelHost host;
    private final RoundConfig roundConfig;

    AdminApi(RunDir run, PairQueue queue, ModelHost host, RoundConfig roundConfig) {
        this.run = run;
        this.queue = queue;
        this.host = host;
        this.roundConfig = roundConfig;
    }

    void register(Router router) {
        router.get("/api/users", Router.Access.ADMIN, c -> c.json(200, Map.of("users", run.accounts.list().stream()
                .map(a -> Map.of("name", a.user().name(), "role", a.user().role().dbName(), "active", a.active())).toList())));
        router.post("/api/users", Router.Access.ADMIN, this::addUser);
        router.post("/api/users/deactivate", Router.Access.ADMIN, this::deactivateUser);
        router.post("/api/users/delete", Router.Access.ADMIN, this::deleteUser);
        router.post("/api/prompts", Router.Access.ADMIN, this::uploadPrompts);
        router.post("/api/prompts/builtin", Router.Access.ADMIN, this::builtInPrompts);
        router.post("/api/generate", Router.Access.ADMIN, this::generate);
        router.get("/api/queue", Router.Access.ADMIN, this::queue);
        router.post("/api/train", Router.Access.ADMIN, this::train);
        router.get("/api/rounds", Router.Access.ADMIN, c -> c.json(200, Map.of("rounds", run.rounds.all(), "policy", run.currentPolicy())));
        router.get("/api/export", Router.Access.ADMIN, this::export);
        router.post("/api/import", Router.Access.ADMIN, this::importLabels);
        router.get("/api/stats", Router.Access.ADMIN, this::stats);
    }

    private void addUser(Call call) {
        Fields f = call.json();
        String role = f.optionalString("role", 16);
        var credentials = run.accounts.create(f.string("name", 32), User.Role.parse("role", role == null ? "labeller" : role));
        call.json(201, Map.of("name", credentials.user().name(), "role", credentials.user().role().dbName(), "password", credentials.password(),
                "api_key", credentials.apiKey()));
    }

    private void deactivateUser(Call call) {
        String name = call.json().string("name", 32);
        if (name.equals(call.user().name())) throw ApiError.badField("name", "you cannot deactivate your own account");
        long kept = run.accounts.deactivate(name);
        call.json(200, Map.of("deactivated", name, "labels_kept", kept));
    }

    private void deleteUser(Call call) {
        String name = call.json().string("name", 32);
        if (name.equals(call.user().name())) throw ApiError.badField("name", "you cannot delete your own account");
        long deleted = run.accounts.delete(name);
        call.json(200, Map.of("deleted", name, "labels_deleted", deleted));
    }

    private void uploadPrompts(Call call) {
        String body = call.bodyText(UPLOAD_LIMIT);
        var texts = new ArrayList<String>();
        int lineNo = 0;
        for (String line : body.split("\n")) {
            lineNo++;
            if (line.isBlank()) continue;
            JsonNode node;
            try {
                node = PLAIN.readTree(line);
            } catch (java.io.IOException e) {
                throw new ApiError(400, "body", "body:" + lineNo + ": not valid JSON");
            }
            JsonNode prompt = node == null ? null : node.get("prompt");
            if (prompt == null || !prompt.isTextual() || prompt.asText().isBlank()) {
                throw new ApiError(400, "body", "body:" + lineNo + ": expected {\"prompt\": \"...\"} with some text");
            }
            if (Fields.characters(prompt.asText()) > Prompts.MAX_CHARS) throw new ApiError(400, "body", "body:" + lineNo + ": prompt longer than " + Prompts.MAX_CHARS + " characters");
            texts.add(prompt.asText());
        }
        if (texts.isEmpty()) throw new ApiError(400, "body", "body: no prompts in it");
        call.json(200, Map.of("lines", texts.size(), "added", run.prompts.add(texts, "upload"), "prompts", run.prompts.count()));
    }

    private void builtInPrompts(Call call) {
        Fields f = call.json();
        int count = f.intValue("count", 1, 10_000, 100);
        int added = run.prompts.addBuiltIn(count, f.intValue("seed", 0, Integer.MAX_VALUE, 1));
        call.json(200, Map.of("added", added, "prompts", run.prompts.count()));
    }

    private void generate(Call call) {
        Fields f = call.json();
        String kind = f.optionalString("kind", 8);
        String modelA = f.optionalString("model_a", 32);
        String modelB = f.optionalString("model_b", 32);
        var job = queue.submit(kind == null ? Item.PAIR : kind, f.intValue("count", 1, PairQueue.MAX_JOB, 10), modelA == null ? RunDir.POLICY : modelA,
                modelB == null || modelB.isEmpty() ? null : modelB);
        call.json(202, job(job));
    }

    /** The generation jobs, and the round being trained or null. */
    private void queue(Call call) {
        var out = new LinkedHashMap<String, Object>();
        out.put("jobs", jobs());
        out.put("training", host.training());
        call.json(200, out);
    }

    private List<Map<String, Object>> jobs() {
        return queue.jobs().stream().map(AdminApi::job).toList();
    }

    private static Map<String, Object> job(PairQueue.Job j) {
        var out = new LinkedHashMap<String, Object>();
        out.put("id", j.id);
        out.put("kind", j.kind);
        out.put("model_a", j.modelA);
        out.put("model_b", j.modelB);
        out.put("total", j.total);
        out.put("done", j.done.get());
        out.put("state", j.state);
        out.put("error", j.error);
        return out;
    }

    private void train(Call call) {
        Fields f = call.json();
        String name = f.optionalString("method", 16);
        RoundMethod method = name == null ? roundConfig.method() : RoundMethod.byId(name);
        if (method == null) throw ApiError.badField("method", "must be " + RoundMethod.choices());
        RoundConfig config = roundConfig.withMethod(method);
        if (host.training() != null || run.rounds.running()) throw new ApiError(409, null, "a training round is already running");
        var rounds = new Rounds(run);
        int examples = rounds.examples(method);
        host.train("round " + (run.rounds.all().size() + 1), () -> {
            try {
                Round done = rounds.run(config);
                if (method == RoundMethod.ONLINE_DPO) queueNextPairs(done);
                return done;
            } catch (RuntimeException e) {
                System.err.println("cria serve: the training round failed: " + Rounds.describe(e));
                throw e;
            }
        });
        call.json(202, Map.of("status", "started", "method", method.id(), "examples", examples));
    }

    /**
     * After an online-DPO round the new policy writes as many pairs as the old one had written (two
     * samples per prompt), so each turn of the online loop offers the same number of choices, all between
     * the new policy's answers. The job waits behind this round on the model thread; with no prompts to
     * use it is skipped and the admin queues pairs by hand.
     */
    private void queueNextPairs(Round done) {
        int count = (int) Math.clamp(done.figures().path("policy_pairs").asLong(), 1, PairQueue.MAX_JOB);
        try {
            queue.submit(Item.PAIR, count, done.modelName(), null);
        } catch (ApiError e) {
            System.err.println("cria serve: round " + done.id() + " queued no new pairs: " + e.getMessage());
        }
    }

    private void export(Call call) {
        String format = call.query().getOrDefault("format", "preference");
        switch (format) {
            case "preference" -> call.attachment("preferences.jsonl", run.export.preferenceJsonl());
            case "sft" -> call.attachment("sft.jsonl", run.export.sftJsonl());
            case "kto" -> call.attachment("kto.jsonl", run.export.ktoJsonl());
            default -> throw ApiError.badField("format", "must be preference, sft or kto");
        }
    }

    private void importLabels(Call call) {
        String format = call.query().getOrDefault("format", "preference");
        if (!format.equals("preference") && !format.equals("sft") && !format.equals("kto")) {
            throw ApiError.badField("format", "must be preference, sft or kto");
        }
        String body = call.bodyText(UPLOAD_LIMIT);
        var result = switch (format) {
            case "sft" -> run.export.importSft(call.user(), body);
            case "kto" -> run.export.importKto(call.user(), body);
            default -> run.export.importPreferences(call.user(), body);
        };
        call.json(200, result);
    }

    private void stats(Call call) {
        var out = new LinkedHashMap<String, Object>();
        out.put("per_person", run.stats.perPerson());
        out.put("agreement", run.stats.agreement());
        out.put("pairs", run.items.count(Item.PAIR));
        out.put("singles", run.items.count(Item.SINGLE));
        out.put("labels", run.labels.count());
        out.put("preferences", run.export.preferences().size());
        out.put("ratings", run.export.ratings().size());
        out.put("rounds", run.rounds.all());
        out.put("policy", run.currentPolicy());
        call.json(200, out);
    }
}
