package dev.cria.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP API over a real socket: labelling, generation, export/import, the OpenAI endpoints, and every kind of refusal. */
class ServerApiTest {
    @TempDir
    static Path tmp;
    static ServeFixture f;

    @BeforeAll
    static void start() {
        f = new ServeFixture(tmp, ServeFixture.randomModel(tmp), RoundConfig.defaults());
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    private static long pair(String prompt, String a, String b) {
        return f.run.items.addPair(prompt, a, b, "base", "base");
    }

    @Test
    void generatedPairsAreLabelledOnceEachAndRetriesAreIdempotent() throws Exception {
        Client admin = f.as(f.admin), alice = f.as(f.alice);
        assertThat(admin.post("/api/prompts/builtin", Map.of("count", 3)).json().get("added").asInt()).isEqualTo(3);
        var job = admin.post("/api/generate", Map.of("kind", "pair", "count", 3));
        assertThat(job.status()).isEqualTo(202);
        long deadline = System.currentTimeMillis() + 60_000;
        JsonNode jobs;
        do {
            Thread.sleep(100);
            jobs = admin.get("/api/queue").json().get("jobs");
        } while (!jobs.get(0).get("state").asText().equals("done") && System.currentTimeMillis() < deadline);
        assertThat(jobs.get(0).get("done").asInt()).isEqualTo(3);

        JsonNode item = alice.get("/api/next?kind=pair").json().get("item");
        assertThat(item.get("answer_b").isTextual()).isTrue();
        assertThat(item.has("model_a")).as("items are shown blind").isFalse();
        var label = Map.of("submission_id", "alice-1", "item_id", item.get("id").asLong(), "choice", "a", "comment", "more of a story");
        var first = alice.post("/api/labels", label);
        assertThat(first.status()).isEqualTo(201);
        var again = alice.post("/api/labels", label);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("duplicate").asBoolean()).isTrue();
        assertThat(again.json().get("label").get("id").asLong()).isEqualTo(first.json().get("label").get("id").asLong());
        var second = alice.post("/api/labels", Map.of("submission_id", "alice-2", "item_id", item.get("id").asLong(), "choice", "b"));
        assertThat(second.status()).isEqualTo(409);
        assertThat(second.field()).isEqualTo("item_id");
        assertThat(alice.get("/api/next?kind=pair").json().get("item").get("id").asLong()).isNotEqualTo(item.get("id").asLong());
        var stolen = f.as(f.bob).post("/api/labels", Map.of("submission_id", "alice-1", "item_id", item.get("id").asLong(), "choice", "b"));
        assertThat(stolen.status()).isEqualTo(409);
        assertThat(stolen.field()).isEqualTo("submission_id");

        assertThat(f.as(f.bob).get("/api/labels").json().get("labels").toString()).doesNotContain("alice-1");
        assertThat(alice.get("/api/labels").json().get("labels").get(0).get("user").asText()).isEqualTo("alice");
        String export = admin.get("/api/export?format=preference").body();
        assertThat(export).contains("\"labeller\":\"alice\"").contains("\"chosen_model\":\"base\"");
    }

    @Test
    void answersComeFromTwoCheckpointsOrAloneForRating() throws Exception {
        Client admin = f.as(f.admin);
        admin.post("/api/prompts/builtin", Map.of("count", 4, "seed", 9));
        assertThat(admin.post("/api/generate", Map.of("kind", "pair", "count", 2, "model_a", "policy", "model_b", "base")).status()).isEqualTo(202);
        assertThat(admin.post("/api/generate", Map.of("kind", "single", "count", 2)).status()).isEqualTo(202);
        assertThat(admin.post("/api/generate", Map.of("kind", "single", "count", 2, "model_b", "base")).field()).isEqualTo("model_b");
        assertThat(admin.post("/api/generate", Map.of("kind", "pair", "count", 2, "model_a", "round-9")).field()).isEqualTo("model");
        FullRoundTest.waitFor(() -> {
            JsonNode jobs = admin.get("/api/queue").json().get("jobs");
            for (JsonNode j : jobs) if (!j.get("state").asText().equals("done")) return false;
            return true;
        }, 60);
        List<Item> recent = f.run.items.recent(4);
        assertThat(recent).filteredOn(i -> i.kind().equals(Item.SINGLE)).hasSize(2).allSatisfy(i -> assertThat(i.answerB()).isNull());
        assertThat(recent).filteredOn(i -> i.kind().equals(Item.PAIR)).hasSize(2)
                .allSatisfy(i -> assertThat(i.modelA() + i.modelB()).as("names are concrete, never 'policy'").isEqualTo("basebase"));
        JsonNode single = f.as(f.bob).get("/api/next?kind=single").json().get("item");
        assertThat(single.has("answer_b")).isFalse();
        var pairChoice = f.as(f.bob).post("/api/labels", Map.of("submission_id", "bob-s1", "item_id", single.get("id").asLong(), "choice", "a"));
        assertThat(pairChoice.field()).as("a single answer takes up or down").isEqualTo("choice");
    }

    @Test
    void anItemTakesNoMoreLabelsThanTheServerAllows() {
        long item = pair("Write a story about a fox.", "The fox ran.", "The box sat.");
        var carol = f.run.accounts.create("carol", User.Role.LABELLER);
        var label = Map.of("submission_id", "limit-b", "item_id", item, "choice", "a");
        assertThat(f.as(f.alice).post("/api/labels", Map.of("submission_id", "limit-a", "item_id", item, "choice", "b")).status()).isEqualTo(201);
        assertThat(f.as(f.bob).post("/api/labels", label).status()).isEqualTo(201);
        var third = f.as(carol).post("/api/labels", Map.of("submission_id", "limit-c", "item_id", item, "choice", "tie"));
        assertThat(third.status()).as("the fixture allows 2 labels per item").isEqualTo(409);
        assertThat(third.field()).isEqualTo("item_id");
        assertThat(third.json().get("error").get("message").asText()).contains("item " + item).contains("2 labels");
        assertThat(f.as(f.bob).post("/api/labels", label).status()).as("a retry of a stored label is still answered").isEqualTo(200);
        assertThat(f.run.labels.list(null, 1000, 0)).filteredOn(l -> l.itemId() == item).hasSize(2);
    }

    @Test
    void aRetryThatChangesTheLabelIsRefusedNamingTheField() {
        long item = pair("Write a story about an owl.", "The owl flew.", "The towel fell."), other = pair("Write a story.", "x", "y");
        long single = f.run.items.addSingle("Write a story about a hen.", "The hen sat", "base");
        Client alice = f.as(f.alice);
        var label = Map.of("submission_id", "retry-1", "item_id", item, "choice", "a", "comment", "the owl");
        assertThat(alice.post("/api/labels", label).status()).isEqualTo(201);
        assertThat(alice.post("/api/labels", label).status()).as("the same body again").isEqualTo(200);
        var changes = Map.of("item_id", (Object) other, "choice", "b", "comment", "the towel");
        changes.forEach((field, value) -> {
            var changed = new java.util.HashMap<String, Object>(label);
            changed.put(field, value);
            var r = alice.post("/api/labels", changed);
            assertThat(r.status()).as(field).isEqualTo(409);
            assertThat(r.field()).isEqualTo(field);
        });
        var noComment = new java.util.HashMap<String, Object>(label);
        noComment.remove("comment");
        assertThat(alice.post("/api/labels", noComment).field()).isEqualTo("comment");
        var edit = Map.of("submission_id", "retry-2", "item_id", single, "choice", "down", "edited", "The hen sat on her eggs.");
        assertThat(alice.post("/api/labels", edit).status()).isEqualTo(201);
        var otherEdit = new java.util.HashMap<String, Object>(edit);
        otherEdit.put("edited", "The hen slept.");
        assertThat(alice.post("/api/labels", otherEdit).field()).isEqualTo("edited");
        assertThat(f.run.labels.list(f.alice.user(), 1000, 0)).filteredOn(l -> l.submissionId().startsWith("retry-"))
                .extracting(Label::comment).containsExactlyInAnyOrder("the owl", null);
    }

    @Test
    void commentLimitsCountCharactersNotUtf16Units() {
        long item = pair("Write a story about a smile.", "smile", "frown"), other = pair("Write a story about a grin.", "grin", "scowl");
        String emoji = "\uD83D\uDE00";   // one character, two UTF-16 units
        Client bob = f.as(f.bob);
        assertThat(bob.post("/api/labels", Map.of("submission_id", "emoji-1", "item_id", item, "choice", "a", "comment", emoji.repeat(1001))).status())
                .isEqualTo(201);
        var tooLong = bob.post("/api/labels", Map.of("submission_id", "emoji-2", "item_id", other, "choice", "a", "comment", emoji.repeat(2001)));
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(tooLong.field()).isEqualTo("comment");
    }

    @Test
    void theQueueAndTheRoundsAreForAdmins() {
        Client alice = f.as(f.alice), admin = f.as(f.admin);
        assertThat(alice.get("/api/queue").status()).isEqualTo(403);
        assertThat(alice.get("/api/rounds").status()).isEqualTo(403);
        JsonNode queue = admin.get("/api/queue").json();
        assertThat(queue.get("training").isNull()).as("no round is training: JSON null, not the string \"null\"").isTrue();
        assertThat(admin.get("/api/rounds").json().get("policy").asText()).isEqualTo("base");
    }

    @Test
    void aDeactivatedAccountKeepsItsLabelsButCannotSignInOrUseItsKey() {
        Client admin = f.as(f.admin);
        JsonNode made = admin.post("/api/users", Map.of("name", "dora")).json();
        String password = made.get("password").asText();
        Client key = new Client(f::url, made.get("api_key").asText()), browser = new Client(f::url, null).signIn("dora", password);
        long item = pair("Write a story about a duck named Dot.", "Dot the duck swam.", "A truck.");
        assertThat(key.post("/api/labels", Map.of("submission_id", "dora-1", "item_id", item, "choice", "a")).status()).isEqualTo(201);

        var deactivated = admin.post("/api/users/deactivate", Map.of("name", "dora"));
        assertThat(deactivated.status()).isEqualTo(200);
        assertThat(deactivated.json().get("deactivated").asText()).isEqualTo("dora");
        assertThat(key.get("/api/me").status()).as("the API key stops working").isEqualTo(401);
        assertThat(browser.get("/api/me").status()).as("the open session ends").isEqualTo(401);
        assertThat(new Client(f::url, null).postLogin("dora", password).status()).as("the right password no longer signs in").isEqualTo(401);
        assertThat(admin.get("/api/export?format=preference").body()).as("the labels stay").contains("\"labeller\":\"dora\"");
        JsonNode users = admin.get("/api/users").json().get("users");
        assertThat(users.findValues("name").stream().map(JsonNode::asText)).contains("dora");
        for (JsonNode u : users) assertThat(u.get("active").asBoolean()).as(u.toString()).isEqualTo(!u.get("name").asText().equals("dora"));

        assertThat(admin.post("/api/users/deactivate", Map.of("name", "admin")).field()).as("not yourself").isEqualTo("name");
        assertThat(admin.post("/api/users/deactivate", Map.of("name", "nobody")).status()).isEqualTo(404);
        assertThat(f.as(f.alice).post("/api/users/deactivate", Map.of("name", "bob")).status()).isEqualTo(403);
    }

    @Test
    void agreementCountsEveryPairOfLabelsOnSharedItems() {
        try (RunDir run = RunDir.open(tmp.resolve("agreement"))) {
            User x = run.accounts.create("x", User.Role.LABELLER).user(), y = run.accounts.create("y", User.Role.LABELLER).user();
            User z = run.accounts.create("z", User.Role.LABELLER).user();
            long i1 = run.items.addPair("p", "a", "b", "base", "base"), i2 = run.items.addPair("q", "a", "b", "base", "base");
            long i3 = run.items.addPair("r", "a", "b", "base", "base");
            String[][] votes = {{"x", "a"}, {"y", "a"}, {"z", "b"}};   // item 1: x and y agree, z differs
            for (String[] v : votes) run.labels.submit(v[0].equals("x") ? x : v[0].equals("y") ? y : z, new Labels.Submission("1" + v[0], i1, v[1], null, null, "t"), 3);
            run.labels.submit(x, new Labels.Submission("2x", i2, "tie", null, null, "t"), 3);
            run.labels.submit(y, new Labels.Submission("2y", i2, "bad", null, null, "t"), 3);
            run.labels.submit(x, new Labels.Submission("3x", i3, "b", null, null, "t"), 3);   // labelled once: not shared
            var all = run.stats.agreement();
            assertThat(all.getFirst()).isEqualTo(new LabelStats.Agreement("all", "all", 2, 4, 1));
            assertThat(all).contains(new LabelStats.Agreement("x", "y", 2, 2, 1), new LabelStats.Agreement("x", "z", 1, 1, 0));
            assertThat(run.stats.perPerson()).contains(new LabelStats.PersonCount("x", 3, 0, 0));
        }
    }

    @Test
    void exportThenImportGivesTheSamePreferencesAndNoDuplicates() throws Exception {
        long a = pair("Write a story about a dog named Max.", "Max the dog ran.", "A cat sat.");
        long single = f.run.items.addSingle("Write a story about a cow.", "The cow mooed", "base");
        Client bob = f.as(f.bob), admin = f.as(f.admin);
        assertThat(bob.post("/api/labels", Map.of("submission_id", "bob-x1", "item_id", a, "choice", "b")).status()).isEqualTo(201);
        assertThat(bob.post("/api/labels", Map.of("submission_id", "bob-x2", "item_id", single, "choice", "down",
                "edited", "The cow mooed at the moon.")).status()).isEqualTo(201);
        String prefs = admin.get("/api/export?format=preference").body();
        assertThat(prefs).contains("{\"prompt\":\"Write a story about a dog named Max.\",\"chosen\":\"A cat sat.\",\"rejected\":\"Max the dog ran.\"");
        assertThat(prefs).contains("\"chosen\":\"The cow mooed at the moon.\",\"rejected\":\"The cow mooed\"");
        String sft = admin.get("/api/export?format=sft").body();
        assertThat(sft).contains("{\"prompt\":\"Write a story about a cow.\",\"response\":\"The cow mooed at the moon.\"");

        try (var other = new ServeFixture(tmp.resolve("other"), ServeFixture.randomModel(tmp.resolve("other")), RoundConfig.defaults())) {
            Client otherAdmin = other.as(other.admin);
            var imported = otherAdmin.postRaw("/api/import?format=preference", prefs, false).json();
            int lines = prefs.strip().split("\n").length;
            assertThat(imported.get("added").asInt()).isEqualTo(lines);
            assertThat(otherAdmin.postRaw("/api/import?format=preference", prefs, false).json().get("duplicates").asInt()).isEqualTo(lines);
            assertThat(otherAdmin.postRaw("/api/import?format=sft", sft, false).json().get("added").asInt()).isEqualTo(sft.strip().split("\n").length);
            assertThat(triples(otherAdmin.get("/api/export?format=preference").body())).isEqualTo(triples(prefs));
            var bad = otherAdmin.postRaw("/api/import?format=preference", "{\"prompt\": \"p\", \"chosen\": \"c\"}\n", false);
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.json().get("error").get("message").asText()).contains("body:1").contains("rejected");
        }
    }

    private static List<String> triples(String jsonl) throws Exception {
        var out = new ArrayList<String>();
        for (String line : jsonl.strip().split("\n")) {
            JsonNode n = Client.JSON.readTree(line);
            out.add(n.get("prompt").asText() + "|" + n.get("chosen").asText() + "|" + n.get("rejected").asText());
        }
        return out;
    }

    @Test
    void refusalsAreJsonErrorsNamingTheField() {
        long item = pair("Write a story.", "one", "two");
        Client nobody = new Client(f::url, null), wrongKey = new Client(f::url, "cria-nope"), alice = f.as(f.alice);
        assertThat(nobody.get("/api/next").status()).isEqualTo(401);
        assertThat(nobody.get("/v1/models").status()).isEqualTo(401);
        assertThat(wrongKey.get("/api/next").field()).isEqualTo("Authorization");
        assertThat(nobody.get("/compare").status()).as("pages send strangers to the login form").isEqualTo(303);
        for (String path : List.of("/api/train", "/api/generate", "/api/users", "/api/import")) {
            assertThat(alice.post(path, Map.of()).status()).as(path).isEqualTo(403);
        }
        assertThat(alice.get("/api/export").status()).isEqualTo(403);
        assertThat(alice.get("/api/labels?all=1").status()).isEqualTo(403);

        Client session = f.signedIn(f.alice);
        var noCsrf = session.postRaw("/api/labels", "{\"submission_id\":\"s1\",\"item_id\":" + item + ",\"choice\":\"a\"}", false);
        assertThat(noCsrf.status()).isEqualTo(403);
        assertThat(noCsrf.field()).isEqualTo("X-CSRF-Token");
        assertThat(session.post("/api/labels", Map.of("submission_id", "s1", "item_id", item, "choice", "a")).status()).isEqualTo(201);
        assertThat(session.get("/dashboard").status()).isEqualTo(403);

        assertThat(alice.postRaw("/api/labels", "x".repeat(70_000), false).status()).isEqualTo(413);
        assertThat(alice.post("/api/labels", Map.of("submission_id", "c1", "item_id", item, "choice", "a", "comment", "y".repeat(2001))).field()).isEqualTo("comment");
        assertThat(alice.post("/api/labels", Map.of("submission_id", "c2", "item_id", item, "choice", "maybe")).field()).isEqualTo("choice");
        assertThat(alice.post("/api/labels", Map.of("submission_id", "c3", "choice", "a")).field()).isEqualTo("item_id");
        assertThat(alice.post("/api/labels", Map.of("submission_id", "c4", "item_id", "seven", "choice", "a")).field()).isEqualTo("item_id");
        assertThat(alice.post("/api/labels", Map.of("submission_id", "bad id!", "item_id", item, "choice", "a")).field()).isEqualTo("submission_id");
        assertThat(alice.post("/api/labels", Map.of("submission_id", "c5", "item_id", 999_999, "choice", "a")).status()).isEqualTo(404);
        assertThat(alice.postRaw("/api/labels", "{not json", false).field()).isEqualTo("body");
        var trailing = alice.postRaw("/api/labels", "{\"submission_id\":\"t1\",\"item_id\":" + item + ",\"choice\":\"a\"} xyz", false);
        assertThat(trailing.status()).as("one JSON value and nothing after it").isEqualTo(400);
        assertThat(trailing.field()).isEqualTo("body");
        var form = alice.send(alice.auth(HttpRequest.newBuilder(alice.uri("/api/labels"))).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("{\"submission_id\":\"t2\",\"item_id\":" + item + ",\"choice\":\"a\"}")));
        assertThat(form.status()).isEqualTo(415);
        assertThat(form.json().get("error").get("code").asText()).isEqualTo("unsupported_media_type");
        assertThat(alice.get("/api/labels").body()).doesNotContain("\"t1\"").doesNotContain("\"t2\"");
        assertThat(alice.get("/api/next?kind=triple").field()).isEqualTo("kind");
        assertThat(alice.get("/api/next?exclude=1,x").field()).isEqualTo("exclude");
        assertThat(alice.get("/api/nowhere").status()).isEqualTo(404);
        assertThat(alice.get("/api/labels?limit=-3").field()).isEqualTo("limit");
        assertThat(alice.post("/api/me", Map.of()).status()).isEqualTo(405);

        assertThat(alice.post("/v1/chat/completions", Map.of("messages", List.of(Map.of("role", "user", "content", "hi")), "temperature", 5)).field())
                .isEqualTo("temperature");
        assertThat(alice.post("/v1/chat/completions", Map.of("model", "policy")).field()).isEqualTo("messages");
        assertThat(alice.post("/v1/chat/completions", Map.of("messages", List.of(Map.of("role", "robot", "content", "hi")))).field())
                .isEqualTo("messages[0].role");
        var unknown = alice.post("/v1/completions", Map.of("model", "gpt-9", "prompt", "hi"));
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().get("error").get("param").asText()).isEqualTo("model");
        assertThat(alice.post("/v1/completions", Map.of("prompt", "hi", "n", 2)).field()).isEqualTo("n");
        assertThat(alice.post("/v1/completions", Map.of("prompt", "x".repeat(300))).field()).as("longer than the context").isEqualTo("prompt");
        var admin = f.as(f.admin);
        assertThat(admin.post("/api/users", Map.of("name", "Bad Name!")).field()).isEqualTo("name");
        var made = admin.post("/api/users", Map.of("name", "temp", "role", "labeller"));
        assertThat(made.status()).isEqualTo(201);
        Client temp = new Client(f::url, made.json().get("api_key").asText());
        assertThat(temp.get("/api/me").json().get("name").asText()).isEqualTo("temp");
        assertThat(admin.post("/api/users/delete", Map.of("name", "temp")).status()).isEqualTo(200);
        assertThat(temp.get("/api/me").status()).as("a removed account's key stops working").isEqualTo(401);
        assertThat(admin.post("/api/users/delete", Map.of("name", "admin")).field()).isEqualTo("name");
        assertThat(admin.post("/api/generate", Map.of("kind", "pair", "count", 0)).field()).isEqualTo("count");
        assertThat(admin.post("/api/train", Map.of("method", "sft")).field()).isEqualTo("method");
        assertThat(admin.get("/api/export?format=csv").field()).isEqualTo("format");
    }

    @Test
    void errorsNeverCarryAStackTrace() {
        Client alice = f.as(f.alice);
        for (var r : List.of(alice.postRaw("/api/labels", "[]", false), alice.postRaw("/v1/chat/completions", "{\"messages\": 3}", false),
                alice.postRaw("/v1/completions", "{\"prompt\": {\"a\": 1}}", false))) {
            assertThat(r.status()).isBetween(400, 499);
            assertThat(r.body()).doesNotContain("Exception").doesNotContain("at dev.cria");
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        }
    }

    @Test
    void openAiEndpointsAnswerAndStream() {
        Client alice = f.as(f.alice);
        JsonNode models = alice.get("/v1/models").json();
        assertThat(models.get("object").asText()).isEqualTo("list");
        assertThat(models.get("data").findValuesAsText("id")).contains("policy", "base");

        var chat = Map.of("model", "policy", "messages", List.of(Map.of("role", "system", "content", "Be kind."), Map.of("role", "user", "content", "Tell a story.")),
                "max_tokens", 12, "temperature", 0.9, "seed", 42);
        JsonNode answer = alice.post("/v1/chat/completions", chat).json();
        assertThat(answer.get("object").asText()).isEqualTo("chat.completion");
        assertThat(answer.get("model").asText()).isEqualTo("policy");
        assertThat(answer.get("system_fingerprint").asText()).isEqualTo("base");
        String text = answer.get("choices").get(0).get("message").get("content").asText();
        assertThat(answer.get("usage").get("completion_tokens").asInt()).isBetween(1, 12);

        var streamed = new java.util.HashMap<String, Object>(chat);
        streamed.put("stream", true);
        var sse = alice.post("/v1/chat/completions", streamed);
        assertThat(sse.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        assertThat(sse.body()).endsWith("data: [DONE]\n\n");
        var pieces = new StringBuilder();
        String finish = null;
        for (String event : sse.body().split("\n\n")) {
            assertThat(event).startsWith("data: ");
            String data = event.substring(6);
            if (data.equals("[DONE]")) continue;
            JsonNode chunk = new Client.Response(200, data, null).json();
            assertThat(chunk.get("object").asText()).isEqualTo("chat.completion.chunk");
            JsonNode choice = chunk.get("choices").get(0);
            pieces.append(choice.get("delta").path("content").asText(""));
            if (!choice.get("finish_reason").isNull()) finish = choice.get("finish_reason").asText();
        }
        assertThat(pieces.toString()).as("the same seed streams the same answer").isEqualTo(text);
        assertThat(finish).isIn("stop", "length");

        JsonNode completion = alice.post("/v1/completions", Map.of("prompt", "Once upon a time", "max_tokens", 5, "seed", 1)).json();
        assertThat(completion.get("object").asText()).isEqualTo("text_completion");
        assertThat(completion.get("choices").get(0).has("text")).isTrue();
        var completionStream = alice.post("/v1/completions", Map.of("prompt", "Once upon a time", "max_tokens", 5, "seed", 1, "stream", true));
        assertThat(completionStream.body()).startsWith("data: {").contains("\"object\":\"text_completion\"").endsWith("data: [DONE]\n\n");
    }

    @Test
    void modelTextIsShownAsTextNeverAsMarkup() {
        String evil = "<script>alert('x')</script><img src=x onerror=alert(1)> & \"quotes\"";
        long item = pair(evil, evil, "<b>bold</b>");
        Client bob = f.signedIn(f.bob);
        // bob may still have unlabelled items from other tests; skip them until the evil one is first
        var page = bob.get("/compare");
        while (!page.body().contains("data-item=\"" + item + "\"")) {
            long shown = Long.parseLong(page.body().replaceAll("(?s).*data-item=\"(\\d+)\".*", "$1"));
            bob.post("/api/labels", Map.of("submission_id", "skip-" + shown, "item_id", shown, "choice", "tie"));
            page = bob.get("/compare");
        }
        assertThat(page.body()).doesNotContain("<script>alert").doesNotContain("<img src=x").doesNotContain("<b>bold</b>");
        assertThat(page.body()).contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;");
        assertThat(page.headers().firstValue("Content-Security-Policy").orElse("")).contains("script-src 'self'");
        assertThat(page.headers().firstValue("X-Content-Type-Options").orElse("")).isEqualTo("nosniff");
        var next = bob.get("/api/next?kind=pair");
        assertThat(next.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
    }

    @Test
    void signInNeedsTheFormTokenAndTheRightPassword() {
        Client browser = new Client(f::url, null);
        var form = browser.get("/login");
        String token = Client.cookie(form.headers(), "cria_login_csrf");
        var forged = browser.send(HttpRequest.newBuilder(browser.uri("/login")).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("csrf=" + token + "&name=alice&password=" + f.alice.password())));
        assertThat(forged.status()).as("no cookie: a cross-site form").isEqualTo(403);
        var wrong = browser.send(HttpRequest.newBuilder(browser.uri("/login")).header("Content-Type", "application/x-www-form-urlencoded")
                .header("Cookie", "cria_login_csrf=" + token).POST(HttpRequest.BodyPublishers.ofString("csrf=" + token + "&name=alice&password=nope")));
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.body()).contains("Wrong name or password");
        Client session = f.signedIn(f.alice);
        assertThat(session.get("/compare").body()).contains("alice").contains("/static/app.js");
        assertThat(session.post("/api/logout", Map.of()).status()).isEqualTo(200);
        assertThat(session.get("/api/me").status()).isEqualTo(401);
    }
}
