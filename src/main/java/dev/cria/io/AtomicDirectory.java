package dev.cria.io;

import dev.cria.util.CriaException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Replaces a whole directory (a checkpoint: config, weights, optimizer state, RNG state) so that
 * the files inside it always belong together.
 *
 * <p>The new files are written into {@code target.tmp}; then {@code target} is renamed to
 * {@code target.old}, {@code target.tmp} to {@code target}, and {@code target.old} is deleted. Each
 * rename is atomic, so whatever the moment of a crash, one of these holds a complete directory:
 * <ul>
 *   <li>{@code target} exists: it is complete (a {@code .tmp} or {@code .old} beside it is stale);</li>
 *   <li>only {@code target.old} exists: the crash fell between the two renames, and it is the last
 *       complete version.</li>
 * </ul>
 * {@link #resolveComplete} applies these rules when loading, {@link #replace} before writing.
 *
 * <p>Not safe for two writers of the same target at once (the second would delete the first's
 * {@code .tmp}); Cria has one trainer per run directory.
 */
public final class AtomicDirectory {
    private AtomicDirectory() {
    }

    /**
     * Replaces {@code target} with a directory filled by {@code writeInto}, which receives the
     * (empty) directory to write into. If {@code writeInto} throws, the partial directory is deleted,
     * the exception propagates, and {@code target} is left as it was.
     */
    public static void replace(Path target, Consumer<Path> writeInto) {
        if (target == null) throw new IllegalArgumentException("target directory is null");
        if (writeInto == null) throw new IllegalArgumentException("writeInto is null for " + target);
        Path tmp = sibling(target, ".tmp");
        Path old = sibling(target, ".old");
        try {
            Files.createDirectories(Io.parentOf(target));
            if (Files.exists(target) && !Files.isDirectory(target)) {
                throw new CriaException("cannot replace " + target + ": it is a file, not a directory");
            }
            recover(target, tmp, old);
            Files.createDirectory(tmp);
        } catch (IOException e) {
            throw Io.failure("prepare", tmp, e);
        }

        try {
            writeInto.accept(tmp);
        } catch (RuntimeException | Error e) {
            Io.deleteQuietly(tmp, e);
            throw e;
        }

        try {
            // The files must be on disk before the rename makes them the checkpoint of record. (fsync
            // through a read-only handle is enough on Linux and macOS, and works on read-only files.)
            fsyncTree(tmp);
            if (Files.exists(target)) Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            Io.fsyncDirectory(Io.parentOf(target));
            Io.deleteRecursively(old);
        } catch (IOException e) {
            throw Io.failure("replace", target, e);
        }
    }

    /**
     * The directory to load {@code target} from: {@code target} itself when it exists, else
     * {@code target.old} when a crash left only that. A stale {@code target.tmp} is removed, and so is
     * {@code target.old} when {@code target} is complete.
     *
     * @throws CriaException when neither {@code target} nor {@code target.old} exists
     */
    public static Path resolveComplete(Path target) {
        if (target == null) throw new IllegalArgumentException("target directory is null");
        Path tmp = sibling(target, ".tmp");
        Path old = sibling(target, ".old");
        try {
            Io.deleteRecursively(tmp);
            if (Files.isDirectory(target)) {
                Io.deleteRecursively(old);
                return target;
            }
        } catch (IOException e) {
            throw Io.failure("clean up beside", target, e);
        }
        if (Files.isDirectory(old)) return old;
        if (Files.exists(target)) throw new CriaException(target + " is a file, not a directory");
        throw new CriaException("no directory at " + target + " (nor a recoverable " + old.getFileName() + ")");
    }

    /** Brings the three names back to "target or nothing" before a new write. */
    private static void recover(Path target, Path tmp, Path old) throws IOException {
        Io.deleteRecursively(tmp);
        if (Files.exists(old, LinkOption.NOFOLLOW_LINKS)) {
            if (Files.exists(target)) {
                Io.deleteRecursively(old);
            } else {
                // Without this, a failure in the coming write would leave nothing named target at all.
                Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
            }
        }
    }

    private static Path sibling(Path target, String suffix) {
        Path name = target.getFileName();
        if (name == null) throw new IllegalArgumentException("target has no file name: " + target);
        return target.resolveSibling(name + suffix);
    }

    private static void fsyncTree(Path root) throws IOException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(root)) {
            paths = walk.toList();
        }
        for (Path path : paths) {
            if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
                    channel.force(true);
                }
            } else if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                Io.fsyncDirectory(path);
            }
        }
    }
}
