package dev.cria.io;

import dev.cria.util.CriaException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AtomicDirectoryTest {
    @TempDir
    Path root;

    private List<String> listing(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static Map<String, TensorData> weights(float value) {
        Map<String, TensorData> w = new LinkedHashMap<>();
        w.put("model.norm.weight", TensorData.of(new float[] {value, value + 1, value + 2}, 3));
        w.put("lm_head.weight", TensorData.of(new float[] {value, -value, 0, 1}, 2, 2));
        return w;
    }

    /** Writes a small checkpoint as a trainer would: a config and the weights. */
    private static void checkpoint(Path dir, float value) {
        AtomicFiles.writeString(dir.resolve("step.txt"), Float.toString(value));
        Safetensors.write(dir.resolve("model.safetensors"), weights(value));
    }

    @Test
    void createsTheDirectoryWhenAbsent() throws IOException {
        Path target = root.resolve("runs/ckpt");
        AtomicDirectory.replace(target, dir -> checkpoint(dir, 1));

        assertThat(listing(target)).containsExactly("model.safetensors", "step.txt");
        assertThat(listing(root.resolve("runs"))).containsExactly("ckpt");
    }

    @Test
    void replacesTheWholeDirectory() throws IOException {
        Path target = root.resolve("ckpt");
        AtomicDirectory.replace(target, dir -> {
            checkpoint(dir, 1);
            AtomicFiles.writeString(dir.resolve("only-in-old.txt"), "stale");
        });
        AtomicDirectory.replace(target, dir -> checkpoint(dir, 2));

        assertThat(listing(target)).containsExactly("model.safetensors", "step.txt");
        assertThat(Files.readString(target.resolve("step.txt"))).isEqualTo("2.0");
        assertThat(Safetensors.read(target.resolve("model.safetensors"))).isEqualTo(weights(2));
        assertThat(listing(root)).containsExactly("ckpt");
    }

    @Test
    void crashMidWriteLeavesThePreviousDirectoryIntactAndReadable() throws IOException {
        Path target = root.resolve("ckpt");
        AtomicDirectory.replace(target, dir -> checkpoint(dir, 1));
        RuntimeException crash = new RuntimeException("simulated crash after the first file");

        assertThatThrownBy(() -> AtomicDirectory.replace(target, dir -> {
            AtomicFiles.writeString(dir.resolve("step.txt"), "2.0");
            throw crash;
        })).isSameAs(crash);

        assertThat(Files.readString(target.resolve("step.txt"))).isEqualTo("1.0");
        assertThat(Safetensors.read(target.resolve("model.safetensors"))).isEqualTo(weights(1));
        assertThat(listing(root)).containsExactly("ckpt");
        assertThat(AtomicDirectory.resolveComplete(target)).isEqualTo(target);

        AtomicDirectory.replace(target, dir -> checkpoint(dir, 3));
        assertThat(Safetensors.read(target.resolve("model.safetensors"))).isEqualTo(weights(3));
    }

    @Test
    void crashBetweenTheTwoRenamesIsRecoveredFromTheOldDirectory() throws IOException {
        Path target = root.resolve("ckpt");
        Path old = root.resolve("ckpt.old");
        Path tmp = root.resolve("ckpt.tmp");
        // The state after "target -> target.old" and before "target.tmp -> target".
        Files.createDirectories(old);
        checkpoint(old, 1);
        Files.createDirectories(tmp);
        AtomicFiles.writeString(tmp.resolve("step.txt"), "2.0");

        Path complete = AtomicDirectory.resolveComplete(target);

        assertThat(complete).isEqualTo(old);
        assertThat(Safetensors.read(complete.resolve("model.safetensors"))).isEqualTo(weights(1));
        assertThat(listing(root)).containsExactly("ckpt.old");

        AtomicDirectory.replace(target, dir -> checkpoint(dir, 2));
        assertThat(listing(root)).containsExactly("ckpt");
        assertThat(Files.readString(target.resolve("step.txt"))).isEqualTo("2.0");
    }

    @Test
    void failedWriteAfterACrashBetweenRenamesStillLeavesTheOldVersion() throws IOException {
        Path target = root.resolve("ckpt");
        Path old = root.resolve("ckpt.old");
        Files.createDirectories(old);
        checkpoint(old, 1);

        assertThatThrownBy(() -> AtomicDirectory.replace(target, dir -> {
            throw new IllegalStateException("out of memory, say");
        })).isInstanceOf(IllegalStateException.class);

        Path complete = AtomicDirectory.resolveComplete(target);
        assertThat(Safetensors.read(complete.resolve("model.safetensors"))).isEqualTo(weights(1));
    }

    @Test
    void resolveCompleteRemovesLeftoversBesideACompleteTarget() throws IOException {
        Path target = root.resolve("ckpt");
        AtomicDirectory.replace(target, dir -> checkpoint(dir, 1));
        // The state after a crash that came after the second rename, before deleting target.old,
        // plus a stale target.tmp from an even earlier crash.
        Files.createDirectories(root.resolve("ckpt.old/nested"));
        Files.writeString(root.resolve("ckpt.old/nested/file"), "x");
        Files.createDirectories(root.resolve("ckpt.tmp"));

        assertThat(AtomicDirectory.resolveComplete(target)).isEqualTo(target);
        assertThat(listing(root)).containsExactly("ckpt");
    }

    @Test
    void resolveCompleteNamesAMissingDirectory() {
        Path target = root.resolve("nothing-here");

        assertThatThrownBy(() -> AtomicDirectory.resolveComplete(target))
                .isInstanceOf(CriaException.class)
                .hasMessage("no directory at " + target + " (nor a recoverable nothing-here.old)");
    }

    @Test
    void refusesToReplaceAFile() throws IOException {
        Path target = root.resolve("ckpt");
        Files.writeString(target, "not a directory");

        assertThatThrownBy(() -> AtomicDirectory.replace(target, dir -> checkpoint(dir, 1)))
                .isInstanceOf(CriaException.class)
                .hasMessage("cannot replace " + target + ": it is a file, not a directory");
        assertThat(Files.readString(target)).isEqualTo("not a directory");
    }
}
