package dev.cria.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cria.io.Safetensors.Dtype;
import dev.cria.io.SafetensorsReader.TensorInfo;
import dev.cria.util.CriaException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SafetensorsTest {
    @TempDir
    Path dir;

    private static Map<String, TensorData> sample() {
        Map<String, TensorData> t = new LinkedHashMap<>();
        t.put("model.layers.0.self_attn.q_proj.weight", TensorData.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        t.put("model.norm.weight", TensorData.of(new float[] {0.5f, -0.25f}, 2));
        t.put("a.scalar", TensorData.of(new float[] {42}));
        t.put("empty", TensorData.of(new float[0], 0, 3));
        return t;
    }

    @Test
    void roundTripsTensorsAndMetadata() {
        Path file = dir.resolve("model.safetensors");
        Safetensors.write(file, sample(), Map.of("step", "1200"));

        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            assertThat(reader.readAll()).isEqualTo(sample());
            assertThat(reader.metadata()).containsEntry("step", "1200").containsEntry("format", "pt");
            TensorInfo q = reader.info("model.layers.0.self_attn.q_proj.weight");
            assertThat(q.dtype()).isEqualTo(Dtype.F32);
            assertThat(q.shape()).containsExactly(2, 3);
            assertThat(q.end() - q.begin()).isEqualTo(24);
            assertThat(reader.info("a.scalar").shape()).isEmpty();
        }
    }

    @Test
    void preservesEveryFloatBitPattern() {
        float[] special = {-0.0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE,
                Float.MAX_VALUE, Float.intBitsToFloat(0x7FC00001), 1e-40f};
        Path file = dir.resolve("special.safetensors");
        Safetensors.write(file, Map.of("x", TensorData.of(special, 8)));

        float[] read = Safetensors.read(file).get("x").data();
        for (int i = 0; i < special.length; i++) {
            assertThat(Float.floatToRawIntBits(read[i])).as("element %d", i).isEqualTo(Float.floatToRawIntBits(special[i]));
        }
    }

    @Test
    void roundTripsATensorLargerThanTheReadAndWriteChunks() {
        float[] big = new float[3_000_001];
        for (int i = 0; i < big.length; i++) big[i] = (float) Math.sin(i) * i;
        Path file = dir.resolve("big.safetensors");
        Safetensors.write(file, Map.of("big", TensorData.of(big, big.length), "small", TensorData.of(new float[] {7}, 1)));

        Map<String, TensorData> read = Safetensors.read(file);
        assertThat(read.get("big").data()).isEqualTo(big);
        assertThat(read.get("small").data()).containsExactly(7f);
    }

    @Test
    void writesTheDocumentedLayoutDeterministically() throws IOException {
        Map<String, TensorData> reversed = new LinkedHashMap<>();
        new TreeMap<>(sample()).descendingMap().forEach(reversed::put);
        Path a = dir.resolve("a.safetensors");
        Path b = dir.resolve("b.safetensors");
        Safetensors.write(a, sample());
        Safetensors.write(b, reversed);
        byte[] bytes = Files.readAllBytes(a);
        assertThat(Files.readAllBytes(b)).isEqualTo(bytes);

        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = buffer.getLong();
        assertThat(n % 8).isZero();
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertThat(header).startsWith("{\"__metadata__\":{\"format\":\"pt\"}");
        JsonNode json = new ObjectMapper().readTree(header);
        // Data laid out in name order, back to back.
        assertThat(json.get("a.scalar").get("data_offsets").toString()).isEqualTo("[0,4]");
        assertThat(json.get("empty").get("data_offsets").toString()).isEqualTo("[4,4]");
        assertThat(json.get("model.layers.0.self_attn.q_proj.weight").toString())
                .isEqualTo("{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[4,28]}");
        assertThat(json.get("model.norm.weight").get("data_offsets").toString()).isEqualTo("[28,36]");
        assertThat(bytes.length).isEqualTo(8 + n + 36);
        assertThat(buffer.getFloat((int) (8 + n))).isEqualTo(42f);
    }

    @Test
    void readsF16Bf16AndIntegersWrittenByThePythonReference() throws IOException, URISyntaxException {
        Path fixtures = Path.of(getClass().getResource("/fixtures").toURI());
        JsonNode expected = new ObjectMapper().readTree(fixtures.resolve("dtypes.json").toFile());

        try (SafetensorsReader reader = SafetensorsReader.open(fixtures.resolve("dtypes.safetensors"))) {
            assertThat(reader.metadata()).containsEntry("made_by", "make_fixtures.py");
            assertThat(reader.info("f16").dtype()).isEqualTo(Dtype.F16);
            assertThat(reader.info("bf16").dtype()).isEqualTo(Dtype.BF16);
            for (String name : new String[] {"f32", "f16", "bf16", "empty"}) {
                TensorData t = reader.read(name);
                assertThat(t.shape()).as(name).containsExactly(ints(expected.get(name).get("shape")));
                float[] want = new float[t.data().length];
                for (int i = 0; i < want.length; i++) want[i] = (float) expected.get(name).get("values").get(i).doubleValue();
                assertThat(t.data()).as(name).containsExactly(want);
            }
            assertThat(reader.readLongs("i64")).containsExactly(0, -1, 1L << 40, 7);
            assertThat(reader.readLongs("i32")).containsExactly(3, -4, Integer.MAX_VALUE);
            assertThatThrownBy(() -> reader.read("i64"))
                    .isInstanceOf(CriaException.class)
                    .hasMessageEndingWith("tensor \"i64\" has dtype I64; read integer tensors with readLongs");
            assertThatThrownBy(() -> reader.readLongs("f32"))
                    .hasMessageEndingWith("tensor \"f32\" has dtype F32, not an integer type; read it with read");
        }
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).intValue();
        return out;
    }

    /** A safetensors file from a header string and a data section of {@code dataBytes} zero bytes. */
    private Path craft(String header, int dataBytes) throws IOException {
        return craft(header.getBytes(StandardCharsets.UTF_8).length, header, dataBytes);
    }

    private Path craft(long declaredLength, String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredLength).put(h);
        Path file = dir.resolve("bad.safetensors");
        Files.write(file, b.array());
        return file;
    }

    private static void assertOpenFails(Path file, String message) {
        assertThatThrownBy(() -> SafetensorsReader.open(file).close())
                .isInstanceOf(CriaException.class)
                .hasMessage(file + ": " + message);
    }

    @Test
    void rejectsAHeaderLengthLargerThanTheFile() throws IOException {
        Path file = craft(1000, "{}", 0);
        assertOpenFails(file, "header length 1000 is larger than the file (10 bytes)");
    }

    @Test
    void rejectsAFileTooShortForTheLength() throws IOException {
        Path file = dir.resolve("bad.safetensors");
        Files.write(file, new byte[] {1, 2, 3});
        assertOpenFails(file, "file has 3 bytes, too short for the 8-byte header length");
    }

    @Test
    void rejectsBadJson() throws IOException {
        Path file = craft("{\"x\": [1, 2", 0);
        assertThatThrownBy(() -> SafetensorsReader.open(file))
                .isInstanceOf(CriaException.class)
                .hasMessageStartingWith(file + ": header is not valid JSON: ");
    }

    @Test
    void rejectsDuplicateTensorNames() throws IOException {
        Path file = craft("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8);
        assertThatThrownBy(() -> SafetensorsReader.open(file))
                .hasMessageStartingWith(file + ": header is not valid JSON: Duplicate field 'w'");
    }

    @Test
    void rejectsAnUnknownDtype() throws IOException {
        Path file = craft("{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[4],\"data_offsets\":[0,4]}}", 4);
        assertOpenFails(file, "tensor \"w\" has dtype \"F8_E4M3\"; Cria reads [F32, F16, BF16, F64, I64, I32]");
    }

    @Test
    void rejectsOffsetsOutOfRange() throws IOException {
        Path file = craft("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 12);
        assertOpenFails(file, "tensor \"w\" data_offsets [0, 16] out of range: the data section has 12 bytes");
    }

    @Test
    void rejectsOverlappingTensors() throws IOException {
        Path file = craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12);
        assertOpenFails(file, "tensor \"b\" data_offsets [4, 12] overlap tensor \"a\" [0, 8]");
    }

    @Test
    void rejectsAShapeThatDisagreesWithTheByteCount() throws IOException {
        Path file = craft("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", 20);
        assertOpenFails(file, "tensor \"w\" shape [2, 3] x F32 (4 bytes) needs 24 bytes but data_offsets [0, 20] span 20");
    }

    @Test
    void rejectsMissingAndMalformedFields() throws IOException {
        assertOpenFails(craft("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4),
                "tensor \"w\" field \"shape\" is missing");
        assertOpenFails(craft("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4),
                "tensor \"w\" field \"data_offsets\" must be [begin, end], got [0]");
        assertOpenFails(craft("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4),
                "tensor \"w\" has a bad dimension in shape [-1]");
        assertOpenFails(craft("{\"__metadata__\":{\"step\":3}}", 0),
                "__metadata__ value of \"step\" must be a string, got 3");
        assertOpenFails(craft("[1,2]", 0), "header is not a JSON object");
    }

    @Test
    void namesAMissingTensorAndAMissingFile() {
        Path file = dir.resolve("model.safetensors");
        Safetensors.write(file, sample());
        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            assertThatThrownBy(() -> reader.read("lm_head.weight"))
                    .isInstanceOf(CriaException.class)
                    .hasMessage(file + ": no tensor \"lm_head.weight\" (the file has 4 tensors, e.g. \"a.scalar\")");
        }
        Path missing = dir.resolve("nope.safetensors");
        assertThatThrownBy(() -> SafetensorsReader.open(missing))
                .isInstanceOf(CriaException.class)
                .hasMessage("cannot read " + missing + ": no such file or directory");
    }

    @Test
    void writerRejectsTheReservedNameAndMismatchedData() {
        Path file = dir.resolve("x.safetensors");
        assertThatThrownBy(() -> Safetensors.write(file, Map.of("__metadata__", TensorData.of(new float[1], 1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("__metadata__ is reserved");
        assertThatThrownBy(() -> TensorData.of(new float[5], 2, 3))
                .isInstanceOf(CriaException.class)
                .hasMessage("shape [2, 3] has 6 elements but data has 5");
        assertThat(Files.exists(file)).isFalse();
    }
}
