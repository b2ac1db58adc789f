package dev.cria.io;

import dev.cria.util.CriaException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class AtomicFilesTest {
    @TempDir
    Path dir;

    private List<String> listing() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesAndReplacesAFileLeavingNoTemporaryFiles() throws IOException {
        Path target = dir.resolve("notes.txt");
        AtomicFiles.writeString(target, "first");
        AtomicFiles.writeString(target, "second, longer than the first");

        assertThat(Files.readString(target)).isEqualTo("second, longer than the first");
        assertThat(listing()).containsExactly("notes.txt");
    }

    @Test
    void writesBytesAndCreatesParentDirectories() throws IOException {
        Path target = dir.resolve("a/b/c.bin");
        byte[] bytes = {1, 2, 3, (byte) 0xFF};
        AtomicFiles.write(target, bytes);

        assertThat(Files.readAllBytes(target)).isEqualTo(bytes);
    }

    @Test
    void exceptionMidWriteKeepsThePreviousFileAndRemovesTheTemporary() throws IOException {
        Path target = dir.resolve("model.bin");
        AtomicFiles.writeString(target, "previous");
        IllegalStateException crash = new IllegalStateException("simulated crash");

        assertThatThrownBy(() -> AtomicFiles.write(target, out -> {
            out.write("half of the new con".getBytes(StandardCharsets.UTF_8));
            throw crash;
        })).isSameAs(crash);

        assertThat(Files.readString(target)).isEqualTo("previous");
        assertThat(listing()).containsExactly("model.bin");
    }

    @Test
    void ioExceptionInContentNamesTheTarget() throws IOException {
        Path target = dir.resolve("x.bin");

        assertThatThrownBy(() -> AtomicFiles.write(target, out -> {
            throw new IOException("disk on fire");
        })).isInstanceOf(CriaException.class)
                .hasMessage("cannot write " + target + ": disk on fire");
        assertThat(listing()).isEmpty();
    }

    @Test
    void contentMayCloseItsStreamBeforeTheCommit() throws IOException {
        Path target = dir.resolve("data.bin");
        AtomicFiles.write(target, out -> {
            try (DataOutputStream data = new DataOutputStream(out)) {
                data.writeInt(0x01020304);
            }
        });

        assertThat(Files.readAllBytes(target)).containsExactly(1, 2, 3, 4);
    }

    @Test
    void streamsMoreThanTheBufferSize() throws IOException {
        Path target = dir.resolve("big.bin");
        byte[] chunk = new byte[100_003];
        for (int i = 0; i < chunk.length; i++) chunk[i] = (byte) (i * 31);
        AtomicFiles.write(target, out -> {
            for (int i = 0; i < 50; i++) out.write(chunk);
        });

        byte[] read = Files.readAllBytes(target);
        assertThat(read).hasSize(50 * chunk.length);
        assertThat(Arrays.copyOfRange(read, 49 * chunk.length, 50 * chunk.length)).isEqualTo(chunk);
    }

    @Test
    void theFileGetsTheUsualPermissionsNotTemporaryFileOnes() throws IOException {
        assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Path plain = dir.resolve("plain.txt");
        Files.writeString(plain, "x");
        Path atomic = dir.resolve("atomic.txt");
        AtomicFiles.writeString(atomic, "x");

        assertThat(Files.getPosixFilePermissions(atomic)).isEqualTo(Files.getPosixFilePermissions(plain));
    }

    @Test
    void aMissingFileIsNamedOnce() {
        Path missing = dir.resolve("nope.bin");
        assertThat(Io.failure("read", missing, new java.nio.file.NoSuchFileException(missing.toString())))
                .hasMessage("cannot read " + missing + ": no such file or directory");
    }

    @Test
    void unwritableLocationIsReportedWithThePath() throws IOException {
        Path blocker = dir.resolve("file");
        Files.writeString(blocker, "I am a file, not a directory");
        Path target = blocker.resolve("child.txt");

        assertThatThrownBy(() -> AtomicFiles.writeString(target, "x"))
                .isInstanceOf(CriaException.class)
                .hasMessageContaining(blocker.toString());
    }
}
