package dev.cria.checkpoint.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cria.autograd.Tensor;
import dev.cria.checkpoint.ModelDirectory;
import dev.cria.io.Safetensors;
import dev.cria.kernels.HalfMatrix;
import dev.cria.kernels.QuantMatrix;
import dev.cria.model.Llama;
import dev.cria.model.LlamaConfig;
import dev.cria.tokenizer.BpeTokenizer;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Cria → GGUF → Cria: weights, logits and tokenizer come back as they were (or as the chosen type rounds them). */
class GgufRoundTripTest {
    @TempDir
    Path dir;

    static Stream<Arguments> families() {
        return Stream.of(Arguments.of("llama-untied", TinyModels.llama(false)), Arguments.of("llama-tied", TinyModels.llama(true)),
                Arguments.of("qwen2", TinyModels.qwen2()), Arguments.of("qwen3", TinyModels.qwen3()),
                Arguments.of("llama3-rope", TinyModels.llama3Rope()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    void f32RoundTripIsBitIdenticalWithTheSameLogitsAndTokenizer(String name, LlamaConfig config) {
        Path original = TinyModels.save(dir.resolve(name), config, 7);
        Path file = dir.resolve(name + ".gguf");
        GgufExport.export(original, file, GgufFileType.F32);
        Path back = dir.resolve(name + "-back");
        GgufImport.importTo(file, back, Safetensors.Dtype.F32);

        var a = ModelDirectory.load(original);
        var b = ModelDirectory.load(back);
        assertThat(b.model().config()).isEqualTo(a.model().config());
        Map<String, Tensor> pa = a.model().parameters(), pb = b.model().parameters();
        assertThat(pb.keySet()).containsExactlyElementsOf(pa.keySet());
        pa.forEach((n, t) -> assertThat(pb.get(n).data).as(n).isEqualTo(t.data));

        int[] tokens = a.tokenizer().startingWithBos(a.tokenizer().encode(TinyModels.TEXTS.get(1)));
        assertThat(logits(b.model(), tokens)).isEqualTo(logits(a.model(), tokens));
        assertThat(b.tokenizer()).isInstanceOf(BpeTokenizer.class);
        for (String text : TinyModels.TEXTS) assertThat(b.tokenizer().encode(text)).as(text).isEqualTo(a.tokenizer().encode(text));
        assertThat(b.tokenizer().specials()).isEqualTo(a.tokenizer().specials());
    }

    @Test
    void runningTheGgufDirectlyGivesTheImportedModelsLogits() {
        Path original = TinyModels.save(dir.resolve("m"), TinyModels.llama(false), 3);
        for (GgufFileType type : GgufFileType.values()) {
            Path file = dir.resolve("m-" + type + ".gguf");
            GgufExport.export(original, file, type);
            var direct = ModelDirectory.loadFrozen(file);
            var imported = ModelDirectory.load(importTo(file, "m-" + type));
            int[] tokens = direct.tokenizer().startingWithBos(direct.tokenizer().encode("Once upon a time"));
            float[] expected = logits(imported.model(), tokens), actual = logits(direct.model(), tokens);
            for (int i = 0; i < expected.length; i++) assertThat(actual[i]).as("%s logit %d", type, i).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(2e-5f));
            assertThat(direct.chat().promptTokens(java.util.List.of(new dev.cria.chat.ChatTurn("user", "Hi"))))
                    .as("the chat format comes along").isNotEmpty();
        }
    }

    @Test
    void quantizedBlocksReadBackAsWrittenIntoTheProcesssOwnMemory() {
        Path original = TinyModels.save(dir.resolve("q"), TinyModels.llama(false), 4);
        float[] up = ModelDirectory.load(original).model().parameters().get("model.layers.1.mlp.up_proj.weight").data;
        for (QuantMatrix.Kind kind : QuantMatrix.Kind.values()) {
            Path file = dir.resolve("q-" + kind + ".gguf");
            GgufExport.export(original, file, kind == QuantMatrix.Kind.Q8_0 ? GgufFileType.Q8_0 : GgufFileType.Q4_0);
            GgufReader r = GgufReader.open(file);
            var info = r.tensor("blk.1.ffn_up.weight");
            assertThat(info.type().quantKind()).isEqualTo(kind);
            byte[] written = r.bytes(info).toArray(ValueLayout.JAVA_BYTE);
            byte[] expected = QuantMatrix.quantize(up, 96, 64, kind).blocks().toArray(ValueLayout.JAVA_BYTE);
            assertThat(written).isEqualTo(expected);
            assertThat(r.tensor("blk.1.ffn_norm.weight").type()).isEqualTo(GgufType.F32);
            assertThat(r.tensor("token_embd.weight").type()).as("embedding under " + kind).isEqualTo(GgufType.Q8_0);

            Llama running = ModelDirectory.loadFrozen(file).model();
            var matrix = running.parameters().get("model.layers.1.mlp.up_proj.weight").frozenMatrix();
            assertThat(matrix).isInstanceOf(QuantMatrix.class);
            assertThat(((QuantMatrix) matrix).blocks().isMapped()).as("read off the file, not a view of its mapping (decodes faster)").isFalse();
            assertThat(((QuantMatrix) matrix).blocks().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(expected);
        }
    }

    @Test
    void f16AndBf16RoundTripEqualsRounding() {
        Path original = TinyModels.save(dir.resolve("h"), TinyModels.qwen2(), 5);
        Map<String, Tensor> weights = ModelDirectory.load(original).model().parameters();
        for (GgufFileType type : new GgufFileType[] {GgufFileType.F16, GgufFileType.BF16}) {
            Path file = dir.resolve("h-" + type + ".gguf");
            GgufExport.export(original, file, type);
            Map<String, Tensor> back = ModelDirectory.load(importTo(file, "h-" + type)).model().parameters();
            weights.forEach((n, t) -> {
                float[] expected = t.data.clone();
                if (t.shape().length == 2) {
                    for (int i = 0; i < expected.length; i++) {
                        expected[i] = type == GgufFileType.F16 ? Float.float16ToFloat(Float.floatToFloat16(expected[i]))
                                : Float.intBitsToFloat(Safetensors.toBf16(expected[i]) << 16);
                    }
                }
                assertThat(back.get(n).data).as("%s %s", type, n).isEqualTo(expected);
            });
            var running = ModelDirectory.loadFrozen(file).model().parameters().get("model.layers.0.self_attn.q_proj.weight").frozenMatrix();
            assertThat(running).isInstanceOf(HalfMatrix.class);
        }
    }

    /** llama.cpp's converter writes Llama 3.1's RoPE only as rope_freqs.weight; without Cria's keys the parameters are recovered from it. */
    @Test
    void llama3RopeComesBackFromTheTableAlone() {
        Path original = TinyModels.save(dir.resolve("rope"), TinyModels.llama3Rope(), 6);
        Path file = dir.resolve("rope.gguf");
        GgufExport.export(original, file, GgufFileType.F32);
        Path withoutKeys = dir.resolve("rope-llamacpp.gguf");
        copyWithout(GgufReader.open(file), "cria.", withoutKeys);
        assertThat(GgufReader.open(withoutKeys).has(Llama3RopeFactors.FACTOR)).isFalse();

        var back = ModelDirectory.load(importTo(withoutKeys, "rope-llamacpp"));
        assertThat(back.model().config()).isEqualTo(TinyModels.llama3Rope());
    }

    /** Rewrites a file's metadata and tensors, leaving out the keys that start with {@code prefix}. */
    private static void copyWithout(GgufReader r, String prefix, Path out) {
        GgufWriter w = new GgufWriter();
        for (String key : r.keys()) {
            if (key.startsWith(prefix)) continue;
            switch (r.value(key)) {
                case String s -> w.putString(key, s);
                case Long l -> w.putU32(key, l);
                case Double d -> w.putF32(key, d.floatValue());
                case Boolean b -> w.putBool(key, b);
                case GgufArray a when a.strings() != null -> w.putStrings(key, a.strings());
                case GgufArray a when a.integers() != null -> w.putI32s(key, Arrays.stream(a.integers()).mapToInt(Math::toIntExact).toArray());
                case GgufArray a -> {
                    float[] f = new float[a.floats().length];
                    for (int i = 0; i < f.length; i++) f[i] = (float) a.floats()[i];
                    w.putF32s(key, f);
                }
                default -> throw new AssertionError(key);
            }
        }
        for (GgufReader.TensorInfo t : r.tensors()) {
            w.addTensor(t.name(), t.shape(), t.type(), stream -> TensorEncoding.copy(r.bytes(t), stream));
        }
        w.write(out);
    }

    private Path importTo(Path file, String name) {
        Path out = dir.resolve(name + "-imported");
        GgufImport.importTo(file, out, Safetensors.Dtype.F32);
        return out;
    }

    static float[] logits(Llama model, int[] tokens) {
        return Arrays.copyOf(model.logits(tokens, 1, tokens.length).data, tokens.length * model.config().vocab());
    }
}
