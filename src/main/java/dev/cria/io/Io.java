package dev.cria.io;

import dev.cria.util.CriaException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Small file-system helpers shared by this package: turning an {@link IOException} into a
 * {@link CriaException} that names the path, recursive delete, and fsync of a directory.
 *
 * <p>Only {@link #failure} is public, for the checkpoint code's own reads; the rest serves this package.
 */
public final class Io {
    private Io() {
    }

    /** "cannot write runs/a/model.safetensors: no such file or directory" rather than a bare class name. */
    public static CriaException failure(String verb, Path path, IOException e) {
        return new CriaException("cannot " + verb + " " + path + ": " + reason(path, e), e);
    }

    private static String reason(Path path, IOException e) {
        // subtle: these subclasses carry only the path as their message; say what went wrong instead,
        // and name the path only when it is not the one the message already shows.
        if (e instanceof FileSystemException x && x.getReason() == null) {
            String what = switch (x) {
                case NoSuchFileException _ -> "no such file or directory";
                case AccessDeniedException _ -> "permission denied";
                case FileAlreadyExistsException _ -> "already exists";
                case DirectoryNotEmptyException _ -> "directory not empty";
                case NotDirectoryException _ -> "not a directory";
                default -> x.getClass().getSimpleName();
            };
            boolean samePath = x.getFile() != null && Path.of(x.getFile()).toAbsolutePath().equals(path.toAbsolutePath());
            if (x.getOtherFile() != null) return what + " (" + x.getFile() + " -> " + x.getOtherFile() + ")";
            return samePath || x.getFile() == null ? what : what + " (" + x.getFile() + ")";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Deletes a file or a directory tree; a missing path is not an error. */
    static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) return;
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) throw e;
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Best-effort {@link #deleteRecursively} used while another exception is already on its way out. */
    static void deleteQuietly(Path path, Throwable pending) {
        try {
            deleteRecursively(path);
        } catch (IOException | RuntimeException e) {
            pending.addSuppressed(e);
        }
    }

    /**
     * Makes a rename inside {@code dir} durable. A rename is atomic without this, but after a power
     * loss the directory entry may still point at the old file unless the directory itself is synced.
     * Best effort: some platforms (Windows) cannot open a directory for reading, and there the rename
     * is as durable as the OS makes it.
     */
    static void fsyncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Not supported here; see the method comment.
        }
    }

    /** The directory that holds {@code path}, as an absolute path (a bare file name lives in the working directory). */
    static Path parentOf(Path path) {
        return path.toAbsolutePath().getParent();
    }
}
