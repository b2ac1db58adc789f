package dev.cria.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.DriverManager;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The label database on disk: who may read it, and opening one made by an earlier version. */
class StoreTest {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    @TempDir
    Path tmp;

    @Test
    void theDatabaseAndItsWalFilesAreReadableByTheOwnerOnly() throws Exception {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
        Path dir = tmp.resolve("run");
        try (RunDir run = RunDir.open(dir)) {
            run.accounts.create("ana", User.Role.LABELLER);   // a write, so the WAL and shared-memory files exist
            for (String name : List.of(Store.FILE, Store.FILE + "-wal", Store.FILE + "-shm")) {
                assertThat(dir.resolve(name)).exists();
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(name)))).as(name).isEqualTo("rw-------");
            }
        }
    }

    @Test
    void aWorldReadableDatabaseIsRestrictedWhenOpened() throws Exception {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
        Path dir = Files.createDirectories(tmp.resolve("old"));
        Files.createFile(dir.resolve(Store.FILE), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
        try (RunDir run = RunDir.open(dir)) {
            assertThat(Files.getPosixFilePermissions(dir.resolve(Store.FILE))).isEqualTo(OWNER_ONLY);
        }
    }

    @Test
    void aDatabaseFromBeforeDeactivationGainsTheColumnAndKeepsItsUsers() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("before"));
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(Store.FILE)); var s = c.createStatement()) {
            s.execute("""
                    CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
                      role TEXT NOT NULL CHECK (role IN ('labeller', 'admin')), password_salt BLOB NOT NULL, password_hash BLOB NOT NULL,
                      api_key_hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL)""");
            s.execute("INSERT INTO users(name, role, password_salt, password_hash, api_key_hash, created_at) VALUES ('old', 'labeller', x'00', x'00', 'k', 'then')");
        }
        try (RunDir run = RunDir.open(dir)) {
            assertThat(run.accounts.list()).extracting(a -> a.user().name() + " " + a.active()).containsExactly("old true");
            run.accounts.deactivate("old");
            assertThat(run.accounts.list()).extracting(Accounts.Account::active).containsExactly(false);
        }
        try (RunDir again = RunDir.open(dir)) {
            assertThat(again.accounts.list()).extracting(Accounts.Account::active).as("opening twice adds the column once").containsExactly(false);
        }
    }
}
