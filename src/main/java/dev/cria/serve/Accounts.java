package dev.cria.serve;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Users, their passwords and API keys, and browser sessions. Only hashes are stored: a password or key
 * is shown once, when the account is made. A session carries its own CSRF token, which every
 * state-changing request made with the session cookie must echo.
 *
 * <p>An account is deactivated (it can no longer sign in or use its key, its labels stay) or deleted
 * (its labels go with it).
 */
public final class Accounts {
    /** Lowercase letters, digits, dot, dash and underscore; starts with a letter. */
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9._-]{0,31}");
    static final long SESSION_SECONDS = 12 * 3600;
    /** What an unknown name's password is checked against, so that it costs as much as a wrong password. */
    private static final byte[] NO_SALT = new byte[16], NO_HASH = new byte[32];

    /** What a new account's holder needs: shown once. */
    public record Credentials(User user, String password, String apiKey) {
    }

    /** An account as the admin sees it. */
    public record Account(User user, boolean active) {
    }

    /** A signed-in browser: the cookie value and the CSRF token pages embed. */
    public record Session(User user, String token, String csrf) {
    }

    private final Store store;

    public Accounts(Store store) {
        this.store = store;
    }

    public Credentials create(String name, User.Role role) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw ApiError.badField("name", "use 1-32 lowercase letters, digits, '.', '-' or '_', starting with a letter");
        }
        String password = Passwords.randomToken(12);
        String apiKey = "cria-" + Passwords.randomToken(32);
        byte[] salt = Passwords.salt();
        byte[] hash = Passwords.hashPassword(password, salt);
        long id = store.tx(db -> {
            if (db.count("SELECT count(*) FROM users WHERE name = ?", name) > 0) {
                throw new ApiError(409, "name", "name: a user called '" + name + "' already exists");
            }
            return db.insert("INSERT INTO users(name, role, password_salt, password_hash, api_key_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                    name, role.dbName(), salt, hash, Passwords.sha256(apiKey), Instant.now().toString());
        });
        return new Credentials(new User(id, name, role), password, apiKey);
    }

    public List<Account> list() {
        return store.tx(db -> db.query("SELECT id, name, role, deactivated_at IS NULL FROM users ORDER BY id",
                rs -> new Account(user(rs), rs.getBoolean(4))));
    }

    public boolean any() {
        return store.tx(db -> db.count("SELECT count(*) FROM users")) > 0;
    }

    /** Removes a user with their sessions and labels (the items stay); returns how many labels went. */
    public long delete(String name) {
        return store.tx(db -> {
            long labels = labelCount(db, name);
            if (db.update("DELETE FROM users WHERE name = ?", name) == 0) throw noUser(name);
            return labels;
        });
    }

    /**
     * Stops an account without losing its work: it can no longer sign in or use its API key, its open
     * sessions end, and its labels stay (and still export). Returns how many labels it keeps.
     */
    public long deactivate(String name) {
        return store.tx(db -> {
            if (db.update("UPDATE users SET deactivated_at = coalesce(deactivated_at, ?) WHERE name = ?", Instant.now().toString(), name) == 0) {
                throw noUser(name);
            }
            db.update("DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE name = ?)", name);
            return labelCount(db, name);
        });
    }

    private static long labelCount(Store db, String name) throws SQLException {
        return db.count("SELECT count(*) FROM labels l JOIN users u ON u.id = l.user_id WHERE u.name = ?", name);
    }

    private static ApiError noUser(String name) {
        return new ApiError(404, "name", "name: no user called '" + name + "'");
    }

    /** The active user an API key belongs to, or null. */
    public User byApiKey(String key) {
        return store.tx(db -> db.first("SELECT id, name, role FROM users WHERE api_key_hash = ? AND deactivated_at IS NULL", Accounts::user,
                Passwords.sha256(key)));
    }

    /** Checks a password and opens a session; null when the name or password is wrong, or the account is deactivated. */
    public Session login(String name, String password) {
        record Secret(User user, byte[] salt, byte[] hash, boolean active) {
        }
        Secret s = store.tx(db -> db.first("SELECT id, name, role, password_salt, password_hash, deactivated_at IS NULL FROM users WHERE name = ?",
                rs -> new Secret(user(rs), rs.getBytes(4), rs.getBytes(5), rs.getBoolean(6)), name));
        if (s == null) {
            // subtle: the same PBKDF2 work as for a known name, or the answer's timing tells which names exist
            Passwords.matches(password, NO_SALT, NO_HASH);
            return null;
        }
        if (!Passwords.matches(password, s.salt(), s.hash()) || !s.active()) return null;
        String token = Passwords.randomToken(32), csrf = Passwords.randomToken(24);
        long expires = Instant.now().getEpochSecond() + SESSION_SECONDS;
        store.tx(db -> {
            db.update("DELETE FROM sessions WHERE expires_at < ?", Instant.now().getEpochSecond());
            return db.update("INSERT INTO sessions(token_hash, user_id, csrf, expires_at) VALUES (?, ?, ?, ?)",
                    Passwords.sha256(token), s.user().id(), csrf, expires);
        });
        return new Session(s.user(), token, csrf);
    }

    /** The live session a cookie names, or null. */
    public Session session(String token) {
        return store.tx(db -> db.first("""
                SELECT u.id, u.name, u.role, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id
                WHERE s.token_hash = ? AND s.expires_at >= ? AND u.deactivated_at IS NULL""",
                rs -> new Session(user(rs), token, rs.getString(4)), Passwords.sha256(token), Instant.now().getEpochSecond()));
    }

    public void logout(String token) {
        store.tx(db -> db.update("DELETE FROM sessions WHERE token_hash = ?", Passwords.sha256(token)));
    }

    private static User user(ResultSet rs) throws SQLException {
        return new User(rs.getLong(1), rs.getString(2), User.Role.parse("role", rs.getString(3)));
    }
}
