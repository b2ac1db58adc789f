package dev.cria.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cria.util.CriaException;
import dev.cria.util.Rng;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packed token file: byte layout, round trips at both widths, and every corruption it must name. */
class PackedTokensTest {
    @TempDir
    Path dir;

    @Test
    void twoByteTokensRoundTripWithTheDocumentedHeader() throws IOException {
        int[] tokens = randomTokens(1000, 263, 1);
        Path file = dir.resolve("train.bin");
        PackedTokens.write(file, tokens, 263);

        byte[] bytes = Files.readAllBytes(file);
        assertThat(bytes).hasSize(32 + 2 * 1000);
        ByteBuffer header = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[8];
        header.get(magic);
        assertThat(new String(magic, StandardCharsets.US_ASCII)).isEqualTo("CRIATOKS");
        assertThat(header.getInt()).as("version").isEqualTo(1);
        assertThat(header.getInt()).as("bytes per token").isEqualTo(2);
        assertThat(header.getLong()).as("token count").isEqualTo(1000);
        assertThat(header.getInt()).as("vocab size").isEqualTo(263);
        assertThat(header.getInt()).as("reserved").isZero();
        assertThat(Short.toUnsignedInt(header.getShort())).as("first token, little-endian").isEqualTo(tokens[0]);

        PackedTokens read = PackedTokens.read(file);
        assertThat(read.tokens()).isEqualTo(tokens);
        assertThat(read.vocabSize()).isEqualTo(263);
        assertThat(read.size()).isEqualTo(1000);
    }

    @Test
    void fourByteTokensRoundTrip() throws IOException {
        int[] tokens = randomTokens(200_000, 70_000, 2);
        tokens[0] = 69_999;
        Path file = dir.resolve("big.bin");
        PackedTokens.write(file, tokens, 70_000);
        assertThat(Files.size(file)).isEqualTo(32 + 4L * 200_000);
        assertThat(PackedTokens.readHeader(file)).isEqualTo(new PackedTokens.Header(1, 4, 200_000, 70_000));
        assertThat(PackedTokens.read(file).tokens()).isEqualTo(tokens);
    }

    @Test
    void idsAbove32767SurviveTwoByteStorage() {
        // uint16, not int16: a vocab of exactly 65536 still fits 2 bytes.
        int[] tokens = {0, 32_767, 32_768, 65_535};
        Path file = dir.resolve("edge.bin");
        PackedTokens.write(file, tokens, 65_536);
        assertThat(PackedTokens.readHeader(file).bytesPerToken()).isEqualTo(2);
        assertThat(PackedTokens.read(file).tokens()).isEqualTo(tokens);
        assertThat(PackedTokens.bytesPerToken(65_537)).isEqualTo(4);
    }

    @Test
    void anEmptyStreamRoundTrips() {
        Path file = dir.resolve("empty.bin");
        PackedTokens.write(file, new int[0], 10);
        assertThat(PackedTokens.read(file).tokens()).isEmpty();
    }

    @Test
    void writingReplacesTheFileAndLeavesNoTemporaryFiles() throws IOException {
        Path file = dir.resolve("train.bin");
        PackedTokens.write(file, new int[] {1, 2, 3}, 10);
        PackedTokens.write(file, new int[] {4, 5}, 10);
        assertThat(PackedTokens.read(file).tokens()).containsExactly(4, 5);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("train.bin");
        }
    }

    @Test
    void aTokenOutsideTheVocabIsRefusedOnWrite() {
        assertThatThrownBy(() -> PackedTokens.write(dir.resolve("x.bin"), new int[] {1, 10, 2}, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token 10 at index 1");
        assertThatThrownBy(() -> PackedTokens.write(dir.resolve("x.bin"), new int[] {-1}, 10))
                .hasMessageContaining("token -1 at index 0");
    }

    @Test
    void aTruncatedFileSaysHowManyTokensItHolds() throws IOException {
        Path file = dir.resolve("train.bin");
        PackedTokens.write(file, randomTokens(1000, 263, 3), 263);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(Files.size(file) - 4);
        }
        assertThatThrownBy(() -> PackedTokens.read(file))
                .isInstanceOf(CriaException.class)
                .hasMessage(file + ": truncated: header says 1000 tokens but file holds 998");
    }

    @Test
    void extraBytesAreReported() throws IOException {
        Path file = dir.resolve("val.bin");
        PackedTokens.write(file, new int[] {1, 2}, 10);
        Files.write(file, new byte[] {0, 0, 0}, StandardOpenOption.APPEND);
        assertThatThrownBy(() -> PackedTokens.read(file)).isInstanceOf(CriaException.class)
                .hasMessage(file + ": 3 unexpected bytes after the 2 tokens the header declares");
    }

    @Test
    void aFileThatIsNotATokenFileIsNamed() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.bin"), "hello, this is not a token file at all!");
        assertThatThrownBy(() -> PackedTokens.read(text)).isInstanceOf(CriaException.class)
                .hasMessage(text + ": not a Cria token file (starts with \"hello, t\", expected \"CRIATOKS\")");
        Path tiny = Files.writeString(dir.resolve("tiny.bin"), "CRIA");
        assertThatThrownBy(() -> PackedTokens.read(tiny)).hasMessageContaining("too short").hasMessageContaining("4 bytes");
        Path missing = dir.resolve("missing.bin");
        assertThatThrownBy(() -> PackedTokens.read(missing)).hasMessage(missing + ": no such file");
    }

    @Test
    void anUnknownVersionOrWidthIsNamed() throws IOException {
        Path file = dir.resolve("train.bin");
        PackedTokens.write(file, new int[] {1, 2}, 10);
        patchInt(file, 8, 2);
        assertThatThrownBy(() -> PackedTokens.read(file)).hasMessage(file + ": unsupported version 2; this build reads version 1");
        patchInt(file, 8, 1);
        patchInt(file, 12, 3);
        assertThatThrownBy(() -> PackedTokens.read(file)).hasMessage(file + ": bytes per token is 3, expected 2 or 4");
    }

    @Test
    void aTokenOutsideTheDeclaredVocabIsNamedOnRead() throws IOException {
        Path file = dir.resolve("train.bin");
        PackedTokens.write(file, new int[] {1, 9, 2}, 10);
        patchInt(file, 24, 5);
        assertThatThrownBy(() -> PackedTokens.read(file)).hasMessage(file + ": token 9 at index 1 is outside the vocab [0, 5)");
    }

    private static void patchInt(Path file, int offset, int value) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).flip(), offset);
        }
    }

    private static int[] randomTokens(int count, int vocabSize, long seed) {
        Rng rng = new Rng(seed);
        int[] tokens = new int[count];
        Arrays.setAll(tokens, i -> rng.nextInt(vocabSize));
        return tokens;
    }
}
