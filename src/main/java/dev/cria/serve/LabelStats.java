package dev.cria.serve;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Figures for the dashboard: labels per person, and how often two people who labelled the same item
 * agree (percent agreement over every pair of labels on a shared item, overall and per pair of people).
 */
public final class LabelStats {
    /** Labels by one person, split by kind and choice. */
    public record PersonCount(String user, long pairs, long singles, long edits) {
        public long total() {
            return pairs + singles;
        }
    }

    /** Agreement of two labellers (or everyone, with {@code a} and {@code b} "all") over shared items. */
    public record Agreement(String a, String b, int sharedItems, int comparisons, int agreed) {
        public double rate() {
            return comparisons == 0 ? Double.NaN : agreed / (double) comparisons;
        }
    }

    private final Store store;

    public LabelStats(Store store) {
        this.store = store;
    }

    public List<PersonCount> perPerson() {
        return store.tx(db -> db.query("""
                SELECT u.name, coalesce(sum(i.kind = 'pair'), 0), coalesce(sum(i.kind = 'single'), 0), coalesce(sum(l.edited IS NOT NULL), 0)
                FROM users u LEFT JOIN labels l ON l.user_id = u.id LEFT JOIN items i ON i.id = l.item_id
                GROUP BY u.id ORDER BY u.name""",
                rs -> new PersonCount(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4))));
    }

    /** First the overall figure, then one per pair of people who share items. */
    public List<Agreement> agreement() {
        record Vote(long item, String user, String choice) {
        }
        List<Vote> votes = store.tx(db -> db.query("""
                SELECT l.item_id, u.name, l.choice FROM labels l JOIN users u ON u.id = l.user_id
                WHERE l.item_id IN (SELECT item_id FROM labels GROUP BY item_id HAVING count(*) >= 2) ORDER BY l.item_id, u.name""",
                rs -> new Vote(rs.getLong(1), rs.getString(2), rs.getString(3))));
        Map<Long, List<Vote>> byItem = new TreeMap<>();
        for (Vote v : votes) byItem.computeIfAbsent(v.item(), k -> new ArrayList<>()).add(v);
        Map<String, int[]> pairs = new TreeMap<>();   // "a|b" -> shared items, comparisons, agreed
        int[] all = new int[3];
        for (List<Vote> item : byItem.values()) {
            all[0]++;
            var seen = new HashMap<String, Boolean>();
            for (int i = 0; i < item.size(); i++) {
                for (int j = i + 1; j < item.size(); j++) {
                    boolean same = item.get(i).choice().equals(item.get(j).choice());
                    String key = item.get(i).user() + "|" + item.get(j).user();
                    int[] c = pairs.computeIfAbsent(key, k -> new int[3]);
                    if (seen.put(key, true) == null) c[0]++;
                    c[1]++;
                    all[1]++;
                    if (same) {
                        c[2]++;
                        all[2]++;
                    }
                }
            }
        }
        var out = new ArrayList<Agreement>();
        out.add(new Agreement("all", "all", all[0], all[1], all[2]));
        pairs.forEach((key, c) -> {
            String[] ab = key.split("\\|");
            out.add(new Agreement(ab[0], ab[1], c[0], c[1], c[2]));
        });
        return out;
    }
}
