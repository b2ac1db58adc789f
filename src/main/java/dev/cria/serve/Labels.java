package dev.cria.serve;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Labels, written once each. A submission carries a client-chosen id with a UNIQUE constraint, so a
 * double click or a retry after a lost response returns the first answer instead of a second row (and a
 * "retry" that says something else is refused rather than silently answered with the first); a person
 * labels an item at most once, and an item takes at most the server's labels per item.
 */
public final class Labels {
    public static final int MAX_COMMENT = 2000;
    public static final int MAX_EDIT = 8000;
    public static final int MAX_SUBMISSION_ID = 100;
    private static final String COLUMNS = "l.id, l.submission_id, l.item_id, u.name, l.choice, l.comment, l.edited, l.source, l.created_at";

    /** A stored label, and whether this submission had been stored before. */
    public record Submitted(Label label, boolean duplicate) {
    }

    /** What a person sends: everything but who and when. */
    public record Submission(String submissionId, long itemId, String choice, String comment, String edited, String source) {
    }

    private final Store store;

    public Labels(Store store) {
        this.store = store;
    }

    /**
     * Stores a label, or returns the one stored under the same submission id. Refused with 409 when the
     * retry differs from what was stored, when the person labelled the item already, or when the item has
     * its {@code labelsPerItem} labels: all checked in the transaction that inserts.
     */
    public Submitted submit(User user, Submission s, int labelsPerItem) {
        if (labelsPerItem < 1) throw new IllegalArgumentException("labelsPerItem < 1: " + labelsPerItem);
        return store.tx(db -> {
            Label earlier = db.first("SELECT " + COLUMNS + " FROM labels l JOIN users u ON u.id = l.user_id WHERE l.submission_id = ?",
                    Labels::label, s.submissionId());
            if (earlier != null) {
                if (!earlier.user().equals(user.name())) throw new ApiError(409, "submission_id", "submission_id: already used by another submission");
                String changed = changedField(earlier, s);
                if (changed != null) {
                    throw new ApiError(409, changed, changed + ": differs from the label stored under submission_id '" + s.submissionId()
                            + "'; a retry must repeat it, a new label needs a new submission_id");
                }
                return new Submitted(earlier, true);
            }
            String kind = db.first("SELECT kind FROM items WHERE id = ?", rs -> rs.getString(1), s.itemId());
            if (kind == null) throw new ApiError(404, "item_id", "item_id: no item " + s.itemId());
            if (!Label.validFor(kind, s.choice())) {
                throw ApiError.badField("choice", kind.equals(Item.PAIR) ? "must be a, b, tie or bad for a pair" : "must be up or down for a single answer");
            }
            if (s.edited() != null && !kind.equals(Item.SINGLE)) throw ApiError.badField("edited", "only a single answer can be edited");
            if (db.count("SELECT count(*) FROM labels WHERE item_id = ? AND user_id = ?", s.itemId(), user.id()) > 0) {
                throw new ApiError(409, "item_id", "item_id: you have already labelled item " + s.itemId());
            }
            if (db.count("SELECT count(*) FROM labels WHERE item_id = ?", s.itemId()) >= labelsPerItem) {
                throw new ApiError(409, "item_id", "item_id: item " + s.itemId() + " already has its " + labelsPerItem
                        + (labelsPerItem == 1 ? " label" : " labels") + "; GET /api/next gives one that needs yours");
            }
            long id = db.insert("INSERT INTO labels(submission_id, item_id, user_id, choice, comment, edited, source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    s.submissionId(), s.itemId(), user.id(), s.choice(), s.comment(), s.edited(), s.source(), Instant.now().toString());
            db.update("DELETE FROM claims WHERE item_id = ? AND user_id = ?", s.itemId(), user.id());
            return new Submitted(db.first("SELECT " + COLUMNS + " FROM labels l JOIN users u ON u.id = l.user_id WHERE l.id = ?", Labels::label, id), false);
        });
    }

    /** The first field in which a retry differs from the stored label, or null when it repeats it. */
    private static String changedField(Label stored, Submission retry) {
        if (stored.itemId() != retry.itemId()) return "item_id";
        if (!stored.choice().equals(retry.choice())) return "choice";
        if (!Objects.equals(stored.comment(), retry.comment())) return "comment";
        if (!Objects.equals(stored.edited(), retry.edited())) return "edited";
        return null;
    }

    /** A user's labels, newest first; {@code user} null for everyone's. */
    public List<Label> list(User user, int limit, int offset) {
        if (user == null) {
            return store.tx(db -> db.query("SELECT " + COLUMNS + " FROM labels l JOIN users u ON u.id = l.user_id ORDER BY l.id DESC LIMIT ? OFFSET ?",
                    Labels::label, limit, offset));
        }
        return store.tx(db -> db.query("SELECT " + COLUMNS + " FROM labels l JOIN users u ON u.id = l.user_id WHERE l.user_id = ? ORDER BY l.id DESC LIMIT ? OFFSET ?",
                Labels::label, user.id(), limit, offset));
    }

    public long count() {
        return store.tx(db -> db.count("SELECT count(*) FROM labels"));
    }

    /** Every submission id stored (for tests and audits). */
    public List<String> submissionIds() {
        return store.tx(db -> db.query("SELECT submission_id FROM labels ORDER BY id", rs -> rs.getString(1)));
    }

    static Label label(ResultSet rs) throws SQLException {
        return new Label(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7),
                rs.getString(8), rs.getString(9));
    }
}
