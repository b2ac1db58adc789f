package dev.cria.serve;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The items waiting to be labelled. An item is offered to a person who has not labelled it yet, until
 * {@code labelsPerItem} people have; items someone has started come first, so labellers overlap on
 * them and their agreement can be measured.
 */
public final class Items {
    private static final String COLUMNS = "i.id, i.kind, i.prompt, i.answer_a, i.answer_b, i.model_a, i.model_b";
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

    /** The next item of this kind for this user, skipping {@code exclude} (items the page already holds); null when none is left. */
    public Item next(User user, String kind, Collection<Long> exclude, int labelsPerItem) {
        String skip = exclude.isEmpty() ? "" : " AND i.id NOT IN (" + exclude.stream().map(String::valueOf).collect(Collectors.joining(",")) + ")";
        return store.tx(db -> db.first("SELECT " + COLUMNS + """
                 FROM items i LEFT JOIN (SELECT item_id, count(*) AS n FROM labels GROUP BY item_id) c ON c.item_id = i.id
                WHERE i.kind = ? AND coalesce(c.n, 0) < ?
                  AND NOT EXISTS (SELECT 1 FROM labels l WHERE l.item_id = i.id AND l.user_id = ?)""" + skip + """
                 ORDER BY coalesce(c.n, 0) > 0 DESC, i.id LIMIT 1""", Items::item, kind, labelsPerItem, user.id()));
    }

    /** How many items of a kind {@code user} could still label. */
    public long remaining(User user, String kind, int labelsPerItem) {
        return store.tx(db -> db.count("""
                SELECT count(*) FROM items i LEFT JOIN (SELECT item_id, count(*) AS n FROM labels GROUP BY item_id) c ON c.item_id = i.id
                WHERE i.kind = ? AND coalesce(c.n, 0) < ? AND NOT EXISTS (SELECT 1 FROM labels l WHERE l.item_id = i.id AND l.user_id = ?)""",
                kind, labelsPerItem, user.id()));
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
