package dev.cria.io;

import dev.cria.util.CriaException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NpyTest {
    @TempDir
    Path dir;

    private List<String> listing() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void streamsRowsAndReadsThemBack() {
        Path file = dir.resolve("logits.npy");
        try (NpyWriter writer = NpyWriter.open(file, 3, 4)) {
            for (int r = 0; r < 3; r++) writer.writeRow(new float[] {r, r + 0.5f, -r, Float.NaN});
        }

        TensorData read = Npy.read(file);
        assertThat(read.shape()).containsExactly(3, 4);
        assertThat(read.data()).containsExactly(0, 0.5f, 0, Float.NaN, 1, 1.5f, -1, Float.NaN, 2, 2.5f, -2, Float.NaN);
    }

    @Test
    void writesTheNumpyV1HeaderAlignedTo64Bytes() throws IOException {
        Path file = dir.resolve("m.npy");
        try (NpyWriter writer = NpyWriter.open(file, 2, 3)) {
            writer.writeRow(new float[] {1, 2, 3});
            writer.writeRow(new float[] {4, 5, 6});
        }

        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(Arrays.copyOf(bytes, 6)).isEqualTo(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'});
        assertThat(bytes[6]).isEqualTo((byte) 1);
        assertThat(bytes[7]).isEqualTo((byte) 0);
        int headerLength = Short.toUnsignedInt(b.getShort(8));
        assertThat((10 + headerLength) % 64).isZero();
        String header = new String(bytes, 10, headerLength, StandardCharsets.US_ASCII);
        assertThat(header).startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }").endsWith(" \n");
        assertThat(bytes.length).isEqualTo(10 + headerLength + 6 * 4);
        assertThat(b.getFloat(10 + headerLength + 5 * 4)).isEqualTo(6f);
    }

    @Test
    void writesOneDimensionalAndScalarShapesInPythonTupleSyntax() throws IOException {
        Path vector = dir.resolve("v.npy");
        Npy.write(vector, TensorData.of(new float[] {1, 2, 3}, 3));
        assertThat(Files.readString(vector, StandardCharsets.ISO_8859_1)).contains("'shape': (3,), }");
        assertThat(Npy.read(vector)).isEqualTo(TensorData.of(new float[] {1, 2, 3}, 3));

        Path scalar = dir.resolve("s.npy");
        Npy.write(scalar, TensorData.of(new float[] {7}));
        assertThat(Files.readString(scalar, StandardCharsets.ISO_8859_1)).contains("'shape': (), }");
        assertThat(Npy.read(scalar)).isEqualTo(TensorData.of(new float[] {7}));
    }

    @Test
    void closingWithRowsMissingLeavesNoFile() throws IOException {
        Path file = dir.resolve("partial.npy");
        NpyWriter writer = NpyWriter.open(file, 3, 2);
        writer.writeRow(new float[] {1, 2});
        writer.writeRow(new float[] {3, 4});

        assertThatThrownBy(writer::close)
                .isInstanceOf(CriaException.class)
                .hasMessage(file + ": wrote 2 of 3 rows; the file was not saved");
        assertThat(listing()).isEmpty();
    }

    @Test
    void anExceptionWhileWritingKeepsThePreviousFile() throws IOException {
        Path file = dir.resolve("logits.npy");
        Npy.write(file, TensorData.of(new float[] {9, 9}, 1, 2));
        IllegalStateException crash = new IllegalStateException("model blew up");

        assertThatThrownBy(() -> {
            try (NpyWriter writer = NpyWriter.open(file, 2, 2)) {
                writer.writeRow(new float[] {1, 2});
                throw crash;
            }
        }).isSameAs(crash);

        assertThat(crash.getSuppressed()).hasSize(1);
        assertThat(Npy.read(file)).isEqualTo(TensorData.of(new float[] {9, 9}, 1, 2));
        assertThat(listing()).containsExactly("logits.npy");
    }

    @Test
    void rejectsRowsOfTheWrongLengthAndTooManyRows() {
        try (NpyWriter writer = NpyWriter.open(dir.resolve("x.npy"), 1, 3)) {
            assertThatThrownBy(() -> writer.writeRow(new float[] {1, 2}))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("row 0 has 2 values, expected 3");
            writer.writeRow(new float[] {1, 2, 3});
            assertThatThrownBy(() -> writer.writeRow(new float[] {1, 2, 3}))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("all 1 rows already written");
        }
    }

    /** A .npy file with the given header dict and {@code dataBytes} zero bytes of data. */
    private Path craft(String dict, int dataBytes) throws IOException {
        byte[] h = (dict + "\n").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(10 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(Npy.MAGIC).put((byte) 1).put((byte) 0).putShort((short) h.length).put(h);
        Path file = dir.resolve("bad.npy");
        Files.write(file, b.array());
        return file;
    }

    @Test
    void readerNamesTheFileAndTheProblem() throws IOException {
        Path f8 = craft("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", 16);
        assertThatThrownBy(() -> Npy.read(f8))
                .isInstanceOf(CriaException.class)
                .hasMessage(f8 + ": dtype is '<f8'; Cria reads float32 '<f4' only (use arr.astype(np.float32))");

        Path fortran = craft("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16);
        assertThatThrownBy(() -> Npy.read(fortran))
                .hasMessage(fortran + ": array is in Fortran order; save a C-order array (np.ascontiguousarray)");

        Path truncated = craft("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 20);
        assertThatThrownBy(() -> Npy.read(truncated))
                .hasMessage(truncated + ": shape [2, 3] needs 24 data bytes but the file has 20");

        Path notNpy = dir.resolve("plain.txt");
        Files.writeString(notNpy, "hello, world");
        assertThatThrownBy(() -> Npy.read(notNpy)).hasMessage(notNpy + ": not a .npy file (no \\x93NUMPY magic)");
    }
}
