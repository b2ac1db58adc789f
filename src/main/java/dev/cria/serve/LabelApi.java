package dev.cria.serve;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The labelling endpoints, for people and scripts alike:
 * <pre>
 *   GET  /api/me                             who am I
 *   GET  /api/next?kind=pair|single&exclude=3,4   the next item to label (null when none is left)
 *   POST /api/labels {"submission_id","item_id","choice","comment"?,"edited"?}   201 stored, 200 already stored,
 *                                            409 a changed retry, an item labelled already or one with all its labels
 *   GET  /api/labels?limit=&offset=&all=1    your labels (everyone's with all=1, admins only)
 * </pre>
 * Items are shown blind: the models that wrote the answers are recorded, not shown.
 */
final class LabelApi {
    private static final Pattern SUBMISSION_ID = Pattern.compile("[A-Za-z0-9._:-]{1," + Labels.MAX_SUBMISSION_ID + "}");
    static final int MAX_EXCLUDE = 50;
    private final RunDir run;
    private final int labelsPerItem;

    LabelApi(RunDir run, int labelsPerItem) {
        this.run = run;
        this.labelsPerItem = labelsPerItem;
    }

    void register(Router router) {
        router.get("/api/me", Router.Access.SIGNED_IN, this::me);
        router.get("/api/next", Router.Access.SIGNED_IN, this::next);
        router.post("/api/labels", Router.Access.SIGNED_IN, this::submit);
        router.get("/api/labels", Router.Access.SIGNED_IN, this::list);
    }

    private void me(Call call) {
        call.json(200, Map.of("name", call.user().name(), "role", call.user().role().dbName()));
    }

    static String kind(Map<String, String> query) {
        String kind = query.getOrDefault("kind", Item.PAIR);
        if (!kind.equals(Item.PAIR) && !kind.equals(Item.SINGLE)) throw ApiError.badField("kind", "must be pair or single");
        return kind;
    }

    private void next(Call call) {
        String kind = kind(call.query());
        List<Long> exclude = new ArrayList<>();
        String raw = call.query().getOrDefault("exclude", "");
        if (!raw.isBlank()) {
            String[] parts = raw.split(",");
            if (parts.length > MAX_EXCLUDE) throw ApiError.badField("exclude", "at most " + MAX_EXCLUDE + " ids");
            for (String p : parts) {
                try {
                    exclude.add(Long.parseLong(p.strip()));
                } catch (NumberFormatException e) {
                    throw ApiError.badField("exclude", "comma-separated item ids, got '" + p + "'");
                }
            }
        }
        Item item = run.items.next(call.user(), kind, exclude, labelsPerItem);
        var out = new LinkedHashMap<String, Object>();
        out.put("item", item == null ? null : blind(item));
        out.put("remaining", run.items.remaining(call.user(), kind, labelsPerItem));
        call.json(200, out);
    }

    static Map<String, Object> blind(Item item) {
        var out = new LinkedHashMap<String, Object>();
        out.put("id", item.id());
        out.put("kind", item.kind());
        out.put("prompt", item.prompt());
        out.put("answer_a", item.answerA());
        if (item.answerB() != null) out.put("answer_b", item.answerB());
        return out;
    }

    private void submit(Call call) {
        Fields f = call.json();
        String submissionId = f.string("submission_id", Labels.MAX_SUBMISSION_ID);
        if (!SUBMISSION_ID.matcher(submissionId).matches()) throw ApiError.badField("submission_id", "use letters, digits, '.', '_', ':' or '-'");
        long itemId = f.longValue("item_id");
        String choice = f.string("choice", 8);
        String comment = f.optionalString("comment", Labels.MAX_COMMENT);
        String edited = f.optionalString("edited", Labels.MAX_EDIT);
        if (comment != null && comment.isBlank()) comment = null;
        if (edited != null && edited.isBlank()) throw ApiError.badField("edited", "is empty; leave it out to keep the answer as it is");
        var result = run.labels.submit(call.user(), new Labels.Submission(submissionId, itemId, choice, comment, edited, "web"), labelsPerItem);
        call.json(result.duplicate() ? 200 : 201, Map.of("label", result.label(), "duplicate", result.duplicate()));
    }

    private void list(Call call) {
        var q = call.query();
        int limit = intParam(q, "limit", 1, 1000, 100), offset = intParam(q, "offset", 0, Integer.MAX_VALUE, 0);
        boolean all = "1".equals(q.get("all")) || "true".equals(q.get("all"));
        if (all && !call.user().isAdmin()) throw new ApiError(403, "all", "all: only admins see everyone's labels");
        call.json(200, Map.of("labels", run.labels.list(all ? null : call.user(), limit, offset)));
    }

    static int intParam(Map<String, String> query, String name, int min, int max, int fallback) {
        String raw = query.get(name);
        if (raw == null || raw.isEmpty()) return fallback;
        try {
            int v = Integer.parseInt(raw);
            if (v >= min && v <= max) return v;
        } catch (NumberFormatException e) {
            // refused below
        }
        throw ApiError.badField(name, "must be an integer from " + min + " to " + max);
    }
}
