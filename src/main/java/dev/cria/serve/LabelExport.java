package dev.cria.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cria.chat.AlignmentJsonl;
import dev.cria.chat.PreferenceExample;
import dev.cria.chat.SftExample;
import dev.cria.chat.UnpairedExample;
import dev.cria.util.CriaException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Labels out and in as TRL JSONL:
 * <ul>
 *   <li>preferences {@code {"prompt","chosen","rejected"}}: one line per A or B choice (ties and "both
 *       bad" say nothing about order), and one per edited answer (the edit over the original);</li>
 *   <li>SFT {@code {"prompt","response"}}: edited answers and thumbs-up answers;</li>
 *   <li>KTO {@code {"prompt","completion","label"}}: every thumbs up ({@code true}) or down ({@code false})
 *       on a single answer, as it was written (an edit is a preference, not a rating).</li>
 * </ul>
 * Each line also says who labelled it, when, and which models wrote the answers ({@code labeller},
 * {@code labelled_at}, {@code chosen_model}, {@code rejected_model}, {@code label_id}); TRL and Cria's
 * readers ignore those fields. Importing a file adds items labelled by the importing admin; a line
 * imported twice by the same person is stored once.
 */
public final class LabelExport {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One preference for training: which item it came from (for held-out splits), and the texts. */
    public record Preference(long itemId, String prompt, String chosen, String rejected) {
    }

    /** One thumbs up ({@code desirable}) or down on a single answer: KTO's unit of data. */
    public record Rating(long itemId, String prompt, String completion, boolean desirable) {
    }

    /** Lines read, lines stored, and lines skipped as already imported. */
    public record Imported(int lines, int added, int duplicates) {
    }

    private final Store store;

    public LabelExport(Store store) {
        this.store = store;
    }

    private record Row(long labelId, long itemId, String kind, String prompt, String a, String b, String modelA, String modelB,
                       String choice, String edited, String user, String at) {
    }

    private List<Row> rows() {
        return store.tx(db -> db.query("""
                SELECT l.id, i.id, i.kind, i.prompt, i.answer_a, i.answer_b, i.model_a, i.model_b, l.choice, l.edited, u.name, l.created_at
                FROM labels l JOIN items i ON i.id = l.item_id JOIN users u ON u.id = l.user_id ORDER BY l.id""",
                rs -> new Row(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7),
                        rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11), rs.getString(12))));
    }

    public List<Preference> preferences() {
        return rows().stream().filter(LabelExport::isPreference).map(LabelExport::preference).toList();
    }

    /**
     * The A/B choices between two samples of {@code model} (a concrete name such as {@code round-2}): the
     * on-policy pairs an online-DPO round trains on. Edits and pairs of two different models are left out.
     */
    public List<Preference> selfPreferences(String model) {
        return rows().stream().filter(r -> r.kind().equals(Item.PAIR) && isPreference(r) && model.equals(r.modelA()) && model.equals(r.modelB()))
                .map(LabelExport::preference).toList();
    }

    private static Preference preference(Row r) {
        return switch (r.choice()) {
            case "a" -> new Preference(r.itemId(), r.prompt(), r.a(), r.b());
            case "b" -> new Preference(r.itemId(), r.prompt(), r.b(), r.a());
            default -> new Preference(r.itemId(), r.prompt(), r.edited(), r.a());
        };
    }

    /** Every thumbs up or down on a single answer, oldest first. */
    public List<Rating> ratings() {
        return rows().stream().filter(r -> r.kind().equals(Item.SINGLE)).map(r -> new Rating(r.itemId(), r.prompt(), r.a(), r.choice().equals("up")))
                .toList();
    }

    private static boolean isPreference(Row r) {
        return r.kind().equals(Item.PAIR) ? r.choice().equals("a") || r.choice().equals("b") : r.edited() != null;
    }

    public String preferenceJsonl() {
        var out = new StringBuilder();
        for (Row r : rows()) {
            if (!isPreference(r)) continue;
            boolean edit = r.kind().equals(Item.SINGLE);
            boolean a = r.choice().equals("a");
            ObjectNode line = JSON.createObjectNode();
            line.put("prompt", r.prompt());
            line.put("chosen", edit ? r.edited() : a ? r.a() : r.b());
            line.put("rejected", edit ? r.a() : a ? r.b() : r.a());
            line.put("chosen_model", edit ? "edit:" + r.user() : a ? r.modelA() : r.modelB());
            line.put("rejected_model", edit ? r.modelA() : a ? r.modelB() : r.modelA());
            meta(line, r);
            out.append(line).append('\n');
        }
        return out.toString();
    }

    public String sftJsonl() {
        var out = new StringBuilder();
        for (Row r : rows()) {
            if (!r.kind().equals(Item.SINGLE) || !(r.edited() != null || r.choice().equals("up"))) continue;
            ObjectNode line = JSON.createObjectNode();
            line.put("prompt", r.prompt());
            line.put("response", r.edited() != null ? r.edited() : r.a());
            line.put("model", r.edited() != null ? "edit:" + r.user() : r.modelA());
            meta(line, r);
            out.append(line).append('\n');
        }
        return out.toString();
    }

    public String ktoJsonl() {
        var out = new StringBuilder();
        for (Row r : rows()) {
            if (!r.kind().equals(Item.SINGLE)) continue;
            ObjectNode line = JSON.createObjectNode();
            line.put("prompt", r.prompt());
            line.put("completion", r.a());
            line.put("label", r.choice().equals("up"));
            line.put("model", r.modelA());
            meta(line, r);
            out.append(line).append('\n');
        }
        return out.toString();
    }

    private static void meta(ObjectNode line, Row r) {
        line.put("labeller", r.user());
        line.put("labelled_at", r.at());
        line.put("label_id", r.labelId());
    }

    /** Imports preference lines as pairs the importer chose A in. */
    public Imported importPreferences(User user, String body) {
        List<PreferenceExample> lines = parse(body, AlignmentJsonl::readPreferences);
        int added = 0;
        for (PreferenceExample p : lines) {
            String id = "import:" + Passwords.sha256(user.id() + "\u0000" + p.prompt() + "\u0000" + p.chosen() + "\u0000" + p.rejected());
            added += store.tx(db -> {
                if (db.count("SELECT count(*) FROM labels WHERE submission_id = ?", id) > 0) return 0;
                String now = Instant.now().toString();
                long item = db.insert("INSERT INTO items(kind, prompt, answer_a, answer_b, model_a, model_b, created_at) VALUES ('pair', ?, ?, ?, 'import', 'import', ?)",
                        p.prompt(), p.chosen(), p.rejected(), now);
                db.insert("INSERT INTO labels(submission_id, item_id, user_id, choice, source, created_at) VALUES (?, ?, ?, 'a', 'import', ?)", id, item, user.id(), now);
                return 1;
            });
        }
        return new Imported(lines.size(), added, lines.size() - added);
    }

    /** Imports SFT lines as single answers the importer rated up. */
    public Imported importSft(User user, String body) {
        List<SftExample> lines = parse(body, AlignmentJsonl::readSft);
        int added = 0;
        for (SftExample e : lines) {
            String id = "import:" + Passwords.sha256(user.id() + "\u0000" + e.prompt() + "\u0000" + e.response());
            added += store.tx(db -> {
                if (db.count("SELECT count(*) FROM labels WHERE submission_id = ?", id) > 0) return 0;
                String now = Instant.now().toString();
                long item = db.insert("INSERT INTO items(kind, prompt, answer_a, model_a, created_at) VALUES ('single', ?, ?, 'import', ?)", e.prompt(), e.response(), now);
                db.insert("INSERT INTO labels(submission_id, item_id, user_id, choice, source, created_at) VALUES (?, ?, ?, 'up', 'import', ?)", id, item, user.id(), now);
                return 1;
            });
        }
        return new Imported(lines.size(), added, lines.size() - added);
    }

    /** Imports KTO lines as single answers the importer rated up ({@code "label": true}) or down. */
    public Imported importKto(User user, String body) {
        List<UnpairedExample> lines = parse(body, AlignmentJsonl::readUnpaired);
        int added = 0;
        for (UnpairedExample e : lines) {
            String choice = e.label() ? "up" : "down";
            String id = "import:" + Passwords.sha256(user.id() + "\u0000" + e.prompt() + "\u0000" + e.completion() + "\u0000" + choice);
            added += store.tx(db -> {
                if (db.count("SELECT count(*) FROM labels WHERE submission_id = ?", id) > 0) return 0;
                String now = Instant.now().toString();
                long item = db.insert("INSERT INTO items(kind, prompt, answer_a, model_a, created_at) VALUES ('single', ?, ?, 'import', ?)", e.prompt(), e.completion(), now);
                db.insert("INSERT INTO labels(submission_id, item_id, user_id, choice, source, created_at) VALUES (?, ?, ?, ?, 'import', ?)", id, item, user.id(), choice, now);
                return 1;
            });
        }
        return new Imported(lines.size(), added, lines.size() - added);
    }

    /** Runs Cria's own TRL reader over the body, so the formats and their error messages are the CLI's ("body:3: missing ..."). */
    private static <T> List<T> parse(String body, java.util.function.Function<Path, List<T>> reader) {
        Path tmp = null;
        try {
            tmp = Files.createTempFile("cria-import", ".jsonl");
            Files.writeString(tmp, body, StandardCharsets.UTF_8);
            return reader.apply(tmp);
        } catch (CriaException e) {
            String where = tmp.toString();
            String message = e.getMessage().replace(where, "body");
            throw new ApiError(400, "body", message);
        } catch (IOException e) {
            throw new CriaException("cannot stage the import: " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a leftover temp file is harmless
                }
            }
        }
    }
}
