package dev.cria.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/** The rounds table: numbered training rounds, their status and figures. */
public final class RoundLog {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COLUMNS = "id, method, status, policy_before, policy_dir, figures, error, started_at, finished_at";
    private final Store store;

    public RoundLog(Store store) {
        this.store = store;
    }

    /** Opens a round; refused while another is running. */
    public long start(String method, String policyBefore) {
        return store.tx(db -> {
            if (db.count("SELECT count(*) FROM rounds WHERE status = 'running'") > 0) {
                throw new ApiError(409, null, "a training round is already running");
            }
            return db.insert("INSERT INTO rounds(method, status, policy_before, started_at) VALUES (?, 'running', ?, ?)", method, policyBefore,
                    Instant.now().toString());
        });
    }

    public void finish(long id, String policyDir, JsonNode figures) {
        store.tx(db -> db.update("UPDATE rounds SET status = 'done', policy_dir = ?, figures = ?, finished_at = ? WHERE id = ?",
                policyDir, figures.toString(), Instant.now().toString(), id));
    }

    public void fail(long id, String error, JsonNode figures) {
        store.tx(db -> db.update("UPDATE rounds SET status = 'failed', error = ?, figures = ?, finished_at = ? WHERE id = ?",
                error, figures.toString(), Instant.now().toString(), id));
    }

    /** Rounds left running by a process that stopped are failed: their outputs are incomplete. */
    public void failInterrupted() {
        store.tx(db -> db.update("UPDATE rounds SET status = 'failed', error = 'interrupted: the process stopped', finished_at = ? WHERE status = 'running'",
                Instant.now().toString()));
    }

    public List<Round> all() {
        return store.tx(db -> db.query("SELECT " + COLUMNS + " FROM rounds ORDER BY id", RoundLog::round));
    }

    public Round get(long id) {
        return store.tx(db -> db.first("SELECT " + COLUMNS + " FROM rounds WHERE id = ?", RoundLog::round, id));
    }

    /** The last finished round, whose policy generates the next answers; null before the first. */
    public Round latestDone() {
        return store.tx(db -> db.first("SELECT " + COLUMNS + " FROM rounds WHERE status = 'done' ORDER BY id DESC LIMIT 1", RoundLog::round));
    }

    public boolean running() {
        return store.tx(db -> db.count("SELECT count(*) FROM rounds WHERE status = 'running'")) > 0;
    }

    private static Round round(ResultSet rs) throws SQLException {
        JsonNode figures;
        try {
            String raw = rs.getString(6);
            figures = raw == null ? JSON.createObjectNode() : JSON.readTree(raw);
        } catch (java.io.IOException e) {
            figures = JSON.createObjectNode();
        }
        return new Round(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), figures, rs.getString(7),
                rs.getString(8), rs.getString(9));
    }
}
