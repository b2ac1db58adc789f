package dev.cria.serve;

import dev.cria.util.CriaException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The run directory's SQLite database ({@code labels.db}): users, sessions, prompts, items to label,
 * labels and training rounds. WAL mode with {@code synchronous=FULL}, so a transaction that returned is
 * on disk before the server acknowledges it, and readers never block the writer. The file holds password
 * and key hashes, so only its owner may read it (mode 0600; SQLite gives its {@code -wal} and {@code -shm}
 * files the database's mode).
 *
 * <p>One connection, used under this object's lock: SQLite takes one writer at a time anyway, and a
 * single connection makes every write a plain serial transaction. Not an ORM: the tables' own classes
 * ({@link Accounts}, {@link Items}, {@link Labels}, {@link RoundLog}) hold their SQL.
 */
public final class Store implements AutoCloseable {
    public static final String FILE = "labels.db";

    /** Reads one row into a value. */
    @FunctionalInterface
    public interface Row<T> {
        T read(ResultSet rs) throws SQLException;
    }

    /** Work done inside one transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Store db) throws SQLException;
    }

    private static final String[] SCHEMA = {
        """
        CREATE TABLE IF NOT EXISTS settings(key TEXT PRIMARY KEY, value TEXT NOT NULL)""",
        """
        CREATE TABLE IF NOT EXISTS users(
          id INTEGER PRIMARY KEY,
          name TEXT NOT NULL UNIQUE,
          role TEXT NOT NULL CHECK (role IN ('labeller', 'admin')),
          password_salt BLOB NOT NULL,
          password_hash BLOB NOT NULL,
          api_key_hash TEXT NOT NULL UNIQUE,
          created_at TEXT NOT NULL,
          deactivated_at TEXT)""",
        """
        CREATE TABLE IF NOT EXISTS sessions(
          token_hash TEXT PRIMARY KEY,
          user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
          csrf TEXT NOT NULL,
          expires_at INTEGER NOT NULL)""",
        """
        CREATE TABLE IF NOT EXISTS prompts(
          id INTEGER PRIMARY KEY,
          text TEXT NOT NULL UNIQUE,
          source TEXT NOT NULL,
          created_at TEXT NOT NULL)""",
        """
        CREATE TABLE IF NOT EXISTS items(
          id INTEGER PRIMARY KEY,
          kind TEXT NOT NULL CHECK (kind IN ('pair', 'single')),
          prompt TEXT NOT NULL,
          answer_a TEXT NOT NULL,
          answer_b TEXT,
          model_a TEXT NOT NULL,
          model_b TEXT,
          created_at TEXT NOT NULL)""",
        """
        CREATE TABLE IF NOT EXISTS labels(
          id INTEGER PRIMARY KEY,
          submission_id TEXT NOT NULL UNIQUE,
          item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
          user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
          choice TEXT NOT NULL CHECK (choice IN ('a', 'b', 'tie', 'bad', 'up', 'down')),
          comment TEXT,
          edited TEXT,
          source TEXT NOT NULL,
          created_at TEXT NOT NULL,
          UNIQUE (item_id, user_id))""",
        "CREATE INDEX IF NOT EXISTS labels_by_user ON labels(user_id)",
        "CREATE INDEX IF NOT EXISTS items_by_prompt ON items(prompt)",
        """
        CREATE TABLE IF NOT EXISTS claims(
          item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
          user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
          expires_at INTEGER NOT NULL,
          PRIMARY KEY (item_id, user_id))""",
        """
        CREATE TABLE IF NOT EXISTS rounds(
          id INTEGER PRIMARY KEY,
          method TEXT NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
          policy_before TEXT NOT NULL,
          policy_dir TEXT,
          figures TEXT,
          error TEXT,
          started_at TEXT NOT NULL,
          finished_at TEXT)""",
    };

    /** Columns added since the first release, added to an older database when it is opened: table, column, type. */
    private static final String[][] ADDED_COLUMNS = {
        {"users", "deactivated_at", "TEXT"},
        // an item no longer offered to label (an online-DPO round retires the pairs its old policy wrote); its labels stay
        {"items", "retired_at", "TEXT"},
    };

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final Path file;
    private final Connection connection;

    private Store(Path file, Connection connection) {
        this.file = file;
        this.connection = connection;
    }

    /** Opens (creating if needed) {@code runDir/labels.db}. */
    public static Store open(Path runDir) {
        try {
            Files.createDirectories(runDir);
        } catch (java.io.IOException e) {
            throw new CriaException("cannot create run directory " + runDir + ": " + e.getMessage(), e);
        }
        Path file = runDir.resolve(FILE);
        ownerOnly(file);
        try {
            Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("PRAGMA foreign_keys=ON");
                s.execute("PRAGMA busy_timeout=10000");
                for (String sql : SCHEMA) s.execute(sql);
                for (String[] added : ADDED_COLUMNS) addColumnIfMissing(c, added[0], added[1], added[2]);
            }
            c.setAutoCommit(false);
            c.commit();
            return new Store(file, c);
        } catch (SQLException e) {
            throw new CriaException(file + ": cannot open the label database: " + e.getMessage(), e);
        }
    }

    /**
     * Creates the database file readable by its owner only before SQLite opens it, or restricts one made
     * before this rule (with any WAL files beside it). A file system without POSIX modes is left as it is.
     */
    private static void ownerOnly(Path file) {
        if (!file.getFileSystem().supportedFileAttributeViews().contains("posix")) return;
        try {
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } catch (FileAlreadyExistsException e) {
                for (String suffix : new String[] {"", "-wal", "-shm"}) {
                    Path f = file.resolveSibling(file.getFileName() + suffix);
                    if (Files.exists(f) && !Files.getPosixFilePermissions(f).equals(OWNER_ONLY)) Files.setPosixFilePermissions(f, OWNER_ONLY);
                }
            }
        } catch (java.io.IOException e) {
            throw new CriaException(file + ": cannot make it readable by its owner only: " + e.getMessage(), e);
        }
    }

    private static void addColumnIfMissing(Connection c, String table, String column, String type) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet columns = s.executeQuery("PRAGMA table_info(" + table + ")")) {
            while (columns.next()) if (columns.getString("name").equals(column)) return;
        }
        try (Statement s = c.createStatement()) {
            s.execute("ALTER TABLE " + table + " ADD COLUMN " + column + " " + type);
        }
    }

    public Path file() {
        return file;
    }

    /** Runs {@code work} as one transaction: all of it is committed, or none of it. */
    public synchronized <T> T tx(Work<T> work) {
        try {
            T result = work.run(this);
            connection.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            try {
                connection.rollback();
            } catch (SQLException rollback) {
                e.addSuppressed(rollback);
            }
            if (e instanceof RuntimeException r) throw r;
            throw new CriaException(file + ": " + e.getMessage(), e);
        }
    }

    /** Rows changed; call inside {@link #tx}. */
    public int update(String sql, Object... args) throws SQLException {
        try (PreparedStatement st = prepare(sql, args)) {
            return st.executeUpdate();
        }
    }

    /** Inserts and returns the new row id; call inside {@link #tx}. */
    public long insert(String sql, Object... args) throws SQLException {
        try (PreparedStatement st = prepare(sql, args)) {
            st.executeUpdate();
            try (ResultSet keys = st.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    public <T> List<T> query(String sql, Row<T> row, Object... args) throws SQLException {
        try (PreparedStatement st = prepare(sql, args); ResultSet rs = st.executeQuery()) {
            var out = new ArrayList<T>();
            while (rs.next()) out.add(row.read(rs));
            return out;
        }
    }

    /** The first row, or null. */
    public <T> T first(String sql, Row<T> row, Object... args) throws SQLException {
        List<T> rows = query(sql, row, args);
        return rows.isEmpty() ? null : rows.getFirst();
    }

    public long count(String sql, Object... args) throws SQLException {
        Long n = first(sql, rs -> rs.getLong(1), args);
        return n == null ? 0 : n;
    }

    /** A value of the settings table, or null. */
    public String setting(String key) {
        return tx(db -> db.first("SELECT value FROM settings WHERE key = ?", rs -> rs.getString(1), key));
    }

    public void setSetting(String key, String value) {
        tx(db -> db.update("INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", key, value));
    }

    private PreparedStatement prepare(String sql, Object... args) throws SQLException {
        PreparedStatement st = connection.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS);
        for (int i = 0; i < args.length; i++) st.setObject(i + 1, args[i]);
        return st;
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            throw new CriaException(file + ": " + e.getMessage(), e);
        }
    }
}
