package dev.cria.checkpoint.gguf;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cria.util.CriaException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A broken file fails in one line naming the file and what is wrong there: an offset, a key, a tensor, a type. */
class GgufReaderErrorsTest {
    @TempDir
    Path dir;
    private Path good;
    private byte[] bytes;

    @BeforeEach
    void smallFile() throws Exception {
        good = dir.resolve("good.gguf");
        new GgufWriter().putString("general.architecture", "llama").putU32("llama.block_count", 1)
                .addTensor("blk.0.ffn_up.weight", new int[] {2, 32}, GgufType.F32, TensorEncoding.of(new float[64], 2, 32, GgufType.F32))
                .write(good);
        bytes = Files.readAllBytes(good);
        GgufReader.open(good); // the intact file reads
    }

    @Test
    void badMagic() throws Exception {
        byte[] b = bytes.clone();
        b[0] = 'X';
        assertFails(b, "bad magic 0x58475546", "at byte offset 0");
    }

    @Test
    void unsupportedVersion() throws Exception {
        byte[] b = bytes.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 7);
        assertFails(b, "unsupported GGUF version 7");
    }

    @Test
    void truncatedHeader() throws Exception {
        assertFails(Arrays.copyOf(bytes, 60), "truncated", "at byte offset");
    }

    @Test
    void tensorDataPastTheEnd() throws Exception {
        assertFails(Arrays.copyOf(bytes, bytes.length - 10), "tensor 'blk.0.ffn_up.weight' data runs past the end of the file");
    }

    @Test
    void unknownTensorType() throws Exception {
        byte[] b = bytes.clone();
        int type = typeOffset(b);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(type, 12);
        assertFails(b, "tensor 'blk.0.ffn_up.weight' has ggml type 12", "at byte offset " + type);
    }

    @Test
    void unknownArchitectureAndMissingKeyAreNamed() throws Exception {
        Path file = dir.resolve("gpt.gguf");
        new GgufWriter().putString("general.architecture", "gptneox").write(file);
        assertThatThrownBy(() -> GgufConfig.read(GgufReader.open(file))).isInstanceOf(CriaException.class)
                .hasMessageContaining("general.architecture is 'gptneox'").hasMessageNotContaining("\n");
        Path noSize = dir.resolve("nosize.gguf");
        new GgufWriter().putString("general.architecture", "llama").write(noSize);
        assertThatThrownBy(() -> GgufConfig.read(GgufReader.open(noSize))).isInstanceOf(CriaException.class)
                .hasMessageContaining("required metadata key 'llama.embedding_length' is missing");
    }

    /** Where the tensor info's type field is: after its name and its two dims. */
    private static int typeOffset(byte[] b) {
        byte[] name = "blk.0.ffn_up.weight".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i + name.length <= b.length; i++) {
            if (Arrays.equals(Arrays.copyOfRange(b, i, i + name.length), name)) return i + name.length + 4 + 2 * 8;
        }
        throw new AssertionError("no tensor info");
    }

    private void assertFails(byte[] content, String... parts) throws Exception {
        Path file = dir.resolve("broken.gguf");
        Files.write(file, content);
        var thrown = assertThatThrownBy(() -> GgufReader.open(file)).isInstanceOf(CriaException.class)
                .hasMessageStartingWith(file.toString()).hasMessageNotContaining("\n");
        for (String part : parts) thrown.hasMessageContaining(part);
    }
}
