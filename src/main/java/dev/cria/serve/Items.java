package dev.cria.serve;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The items waiting to be labelled. An item is offered to a person who has not labelled it yet, until
 * {@code labelsPerItem} people have labelled it or hold it; items someone has started come first, so
 * labellers overlap on them and their agreement can be measured.
 *
 * <p>Handing an item out claims it for that person for {@link #CLAIM_SECONDS}: while the claim lasts it
 * counts towards the item's labels for everyone else. Without claims, people labelling at the same
 * moment are all handed the same item, and all but the first few get a 409 for their work.
 *
 * <p>A retired item is offered to nobody; the labels it has keep counting everywhere else.
 */
public final class Items {
    private static final String COLUMNS = "i.id, i.kind, i.prompt, i.answer_a, i.answer_b, i.model_a, i.model_b";
    static final long CLAIM_SECONDS = 600;
    /** Items open to user ?3: of kind ?1, not retired, fewer than ?2 labels plus other people's live claims (at time ?4), not labelled by ?3. */
    private static final String OPEN = """
             FROM items i
             LEFT JOIN (SELECT item_id, count(*) AS n FROM labels GROUP BY item_id) c ON c.item_id = i.id
             LEFT JOIN (SELECT item_id, count(*) AS n FROM claims WHERE user_id <> ?3 AND expires_at > ?4 GROUP BY item_id) h ON h.item_id = i.id
            WHERE i.kind = ?1 AND i.retired_at IS NULL AND coalesce(c.n, 0) + coalesce(h.n, 0) < ?2
              AND NOT EXISTS (SELECT 1 FROM labels l WHERE l.item_id = i.id AND l.user_id = ?3)""";
    private final Store store;

    public Items(Store store) {
        this.store = store;
    }

    public long addPair(String prompt, String answerA, String answerB, String modelA, String modelB) {
        return store.tx(db -> db.insert("INSERT INTO items(kind, prompt, answer_a, answer_b, model_a, model_b, created_at) VALUES ('pair', ?, ?, ?, ?, ?, ?)",
                prompt, answerA, answerB, modelA, modelB, Instant.now().toString()));
    }

    public long addSingle(String prompt, String answer, String model) {
        return store.tx(db -> db.insert("INSERT INTO items(kind, prompt, answer_a, model_a, created_at) VALUES ('single', ?, ?, ?, ?)",
                prompt, answer, model, Instant.now().toString()));
    }

    public Item get(long id) {
        return store.tx(db -> db.first("SELECT " + COLUMNS + " FROM items i WHERE i.id = ?", Items::item, id));
    }

    /**
     * The next item of this kind for this user, skipping {@code exclude} (items the page already holds),
     * and claims it for them; null when none is left.
     */
    public Item next(User user, String kind, Collection<Long> exclude, int labelsPerItem) {
        String skip = exclude.isEmpty() ? "" : " AND i.id NOT IN (" + exclude.stream().map(String::valueOf).collect(Collectors.joining(",")) + ")";
        long now = Instant.now().getEpochSecond();
        return store.tx(db -> {
            db.update("DELETE FROM claims WHERE expires_at <= ?", now);
            Item item = db.first("SELECT " + COLUMNS + OPEN + skip + " ORDER BY coalesce(c.n, 0) + coalesce(h.n, 0) > 0 DESC, i.id LIMIT 1",
                    Items::item, kind, labelsPerItem, user.id(), now);
            if (item != null) {
                db.update("INSERT INTO claims(item_id, user_id, expires_at) VALUES (?, ?, ?) ON CONFLICT(item_id, user_id) DO UPDATE SET expires_at = excluded.expires_at",
                        item.id(), user.id(), now + CLAIM_SECONDS);
            }
            return item;
        });
    }

    /** How many items of a kind {@code user} could still label. */
    public long remaining(User user, String kind, int labelsPerItem) {
        return store.tx(db -> db.count("SELECT count(*)" + OPEN, kind, labelsPerItem, user.id(), Instant.now().getEpochSecond()));
    }

    /** What {@link #retireSelfPairs} did: the model's pairs it retired, and how many of them nobody had labelled. */
    public record Retired(long pairs, long unlabelled) {
    }

    /**
     * Stops offering the pairs {@code model} wrote as two samples of itself (labelled or not: the labels
     * they have stay), so that people judge the policy that replaced it.
     */
    public Retired retireSelfPairs(String model) {
        return store.tx(db -> {
            String where = " FROM items i WHERE i.kind = 'pair' AND i.model_a = ?1 AND i.model_b = ?1 AND i.retired_at IS NULL";
            long unlabelled = db.count("SELECT count(*)" + where + " AND NOT EXISTS (SELECT 1 FROM labels l WHERE l.item_id = i.id)", model);
            long pairs = db.update("UPDATE items SET retired_at = ?2 WHERE id IN (SELECT i.id" + where + ")", model, Instant.now().toString());
            db.update("DELETE FROM claims WHERE item_id IN (SELECT id FROM items WHERE retired_at IS NOT NULL)");
            return new Retired(pairs, unlabelled);
        });
    }

    public long count(String kind) {
        return store.tx(db -> db.count("SELECT count(*) FROM items WHERE kind = ?", kind));
    }

    public List<Item> recent(int limit) {
        return store.tx(db -> db.query("SELECT " + COLUMNS + " FROM items i ORDER BY i.id DESC LIMIT ?", Items::item, limit));
    }

    static Item item(ResultSet rs) throws SQLException {
        return new Item(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7));
    }
}
