package dev.cria.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cria.autograd.Grad;
import dev.cria.io.Safetensors;
import dev.cria.io.Safetensors.Dtype;
import dev.cria.io.SafetensorsReader;
import dev.cria.model.Llama;
import dev.cria.model.LlamaConfig;
import dev.cria.model.LoraConfig;
import dev.cria.tokenizer.ByteTokenizer;
import dev.cria.util.CriaException;
import dev.cria.util.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Sharded checkpoints load and are refused when incomplete; saving keeps the dtype and shards on request. */
class WeightFilesTest {
    private static final ByteTokenizer TOKENIZER = new ByteTokenizer();
    private static final LlamaConfig SHAPE = new LlamaConfig(32, 2, 4, 2, 48, TOKENIZER.vocabSize(), 64, 1e-5f, 10000f, false);
    /** Small enough that this model's ~30k parameters split into several shards. */
    private static final long SMALL_SHARD = 20_000;

    @TempDir
    Path tmp;

    @Test
    void bf16RoundsToNearestEven() {
        assertThat(Safetensors.toBf16(1f)).isEqualTo((short) 0x3F80);
        // 1 + 2^-8 lies halfway between 0x3F80 and 0x3F81: ties go to the even 0x3F80.
        assertThat(Safetensors.toBf16(Float.intBitsToFloat(0x3F808000))).isEqualTo((short) 0x3F80);
        // 1 + 3 * 2^-8 lies halfway between 0x3F81 and 0x3F82: ties go to the even 0x3F82.
        assertThat(Safetensors.toBf16(Float.intBitsToFloat(0x3F818000))).isEqualTo((short) 0x3F82);
        // Just above and below a tie round to the nearer neighbour.
        assertThat(Safetensors.toBf16(Float.intBitsToFloat(0x3F808001))).isEqualTo((short) 0x3F81);
        assertThat(Safetensors.toBf16(Float.intBitsToFloat(0x3F817FFF))).isEqualTo((short) 0x3F81);
        // The largest finite float rounds up to infinity; NaN stays NaN.
        assertThat(Safetensors.toBf16(Float.MAX_VALUE)).isEqualTo((short) 0x7F80);
        assertThat(Float.isNaN(Float.intBitsToFloat(Safetensors.toBf16(Float.NaN) << 16))).isTrue();
    }

    @ParameterizedTest
    @EnumSource(value = Dtype.class, names = {"F32", "BF16", "F16"})
    void shardedCheckpointsLoadInEachDtype(Dtype dtype) {
        Path dir = sharded(dtype);
        assertThat(WeightFiles.storedDtype(dir)).isEqualTo(dtype);
        Llama loaded = ModelDirectory.loadModel(dir);
        assertThat(ModelDirectory.formatOf(loaded).dtype()).isEqualTo(dtype);
        Map<String, dev.cria.autograd.Tensor> before = original().parameters();
        assertThat(loaded.parameters().keySet()).isEqualTo(before.keySet());
        loaded.parameters().forEach((name, t) -> {
            float[] want = before.get(name).data;
            for (int i = 0; i < want.length; i++) {
                float rounded = switch (dtype) {
                    case BF16 -> Float.intBitsToFloat((Safetensors.toBf16(want[i]) & 0xFFFF) << 16);
                    case F16 -> Float.float16ToFloat(Float.floatToFloat16(want[i]));
                    default -> want[i];
                };
                assertThat(t.data[i]).as("%s[%d]", name, i).isEqualTo(rounded);
            }
        });
    }

    @Test
    void bf16InSavesBf16AndGivesIdenticalLogits() throws Exception {
        Path in = sharded(Dtype.BF16);
        Llama first = ModelDirectory.loadModel(in);
        Path out = tmp.resolve("out");
        ModelDirectory.save(out, first, TOKENIZER);
        Llama second = ModelDirectory.loadModel(out);
        assertThat(WeightFiles.storedDtype(out)).isEqualTo(Dtype.BF16);
        assertThat(new ObjectMapper().readTree(out.resolve("config.json").toFile()).get("torch_dtype").asText()).isEqualTo("bfloat16");
        assertThat(logits(second)).isEqualTo(logits(first));
        assertThat(second.parameters().keySet()).isEqualTo(first.parameters().keySet());
    }

    @Test
    void savingKeepsTheConfigFieldsThatCameIn() throws Exception {
        Path in = sharded(Dtype.BF16);
        var mapper = new ObjectMapper();
        var config = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(in.resolve("config.json").toFile());
        config.put("initializer_range", 0.02).put("transformers_version", "4.45.0").putArray("eos_token_id").add(1).add(2);
        Files.writeString(in.resolve("config.json"), mapper.writeValueAsString(config));
        Path out = tmp.resolve("out");
        ModelDirectory.save(out, ModelDirectory.loadModel(in), TOKENIZER);
        JsonNode saved = mapper.readTree(out.resolve("config.json").toFile());
        assertThat(saved.get("initializer_range").asDouble()).isEqualTo(0.02);
        assertThat(saved.get("transformers_version").asText()).isEqualTo("4.45.0");
        assertThat(saved.get("eos_token_id").toString()).isEqualTo("[1,2]");
        assertThat(saved.get("torch_dtype").asText()).isEqualTo("bfloat16");
        assertThat(saved.get("hidden_size").asInt()).isEqualTo(SHAPE.dim());
    }

    @Test
    void aBf16RunCheckpointResumesFromTheFloat32Weights() {
        Llama model = original();
        ModelDirectory.saveAs(model, Dtype.BF16, WeightFiles.DEFAULT_MAX_SHARD_BYTES);
        var state = new TrainingState("sft", 1, 1, new long[] {1, 2, 3, 4, 5, 6}, 0, 0,
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode());
        Path run = tmp.resolve("run");
        ModelDirectory.saveCheckpoint(run, model, TOKENIZER, Map.of(), Map.of(), state);
        assertThat(WeightFiles.storedDtype(run.resolve(ModelDirectory.RUN_CHECKPOINT))).isEqualTo(Dtype.BF16);
        Llama resumed = ModelDirectory.load(run).model();
        model.parameters().forEach((name, t) -> assertThat(resumed.parameters().get(name).data).as(name).isEqualTo(t.data));
        assertThat(ModelDirectory.formatOf(resumed).dtype()).isEqualTo(Dtype.BF16);
    }

    @Test
    void aFullyTrainedBf16RunCheckpointLoadsItsFloat32WeightsEvenWhenAskedFrozen() {
        Llama model = original();
        ModelDirectory.saveAs(model, Dtype.BF16, WeightFiles.DEFAULT_MAX_SHARD_BYTES);
        Path run = tmp.resolve("run");
        ModelDirectory.saveCheckpoint(run, model, TOKENIZER, Map.of(), Map.of(), state());
        Llama resumed = ModelDirectory.loadFrozen(run).model();
        model.parameters().forEach((name, t) -> {
            assertThat(resumed.parameters().get(name).frozenMatrix()).as(name).isNull();
            assertThat(resumed.parameters().get(name).data).as(name).isEqualTo(t.data);
        });
    }

    @Test
    void aLoraRunCheckpointOfAFrozenBaseKeepsTheBase16BitAndOnlyFloatMasterWeights() {
        Llama saved = original();
        ModelDirectory.saveAs(saved, Dtype.BF16, WeightFiles.DEFAULT_MAX_SHARD_BYTES);
        Path base = tmp.resolve("base");
        ModelDirectory.save(base, saved, TOKENIZER);
        Llama model = ModelDirectory.loadFrozen(base).model();
        model.attachLora(new LoraConfig(2, 4, 0, LoraConfig.MODULES), new Rng(2));
        model.adapterParameters().forEach((name, t) -> java.util.Arrays.fill(t.data, 0.01f));
        Path run = tmp.resolve("run");
        ModelDirectory.saveCheckpoint(run, model, TOKENIZER, Map.of(), Map.of(), state());
        try (var master = SafetensorsReader.open(run.resolve(ModelDirectory.RUN_CHECKPOINT).resolve(ModelDirectory.MASTER_WEIGHTS))) {
            for (String name : master.names()) assertThat(master.info(name).shape()).as(name).hasSize(1);
        }
        Llama resumed = ModelDirectory.loadFrozen(run).model();
        assertThat(resumed.parameters().get("model.layers.0.mlp.up_proj.weight").frozenMatrix()).isNotNull();
        assertThat(resumed.hasAdapters()).isTrue();
        int[] tokens = {1, 7, 42, 9};
        try (var off = Grad.off()) {
            assertThat(resumed.logits(tokens, 1, tokens.length).data).containsExactly(model.logits(tokens, 1, tokens.length).data);
        }
    }

    @Test
    void shardedBf16WeightsLoadFrozenFromTheirShards() {
        Path dir = sharded(Dtype.BF16);
        Llama wide = ModelDirectory.loadModel(dir), frozen = ModelDirectory.loadModel(dir, true);
        frozen.parameters().forEach((name, t) -> {
            assertThat(t.frozenMatrix() != null).as(name).isEqualTo(t.rank() == 2);
            assertThat(t.toFloats()).as(name).containsExactly(wide.parameters().get(name).data);
        });
    }

    private static TrainingState state() {
        return new TrainingState("sft", 1, 1, new long[] {1, 2, 3, 4, 5, 6}, 0, 0,
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode());
    }

    @Test
    void aSmallMaxShardSizeWritesSeveralShardsAndACorrectIndex() throws Exception {
        Path dir = sharded(Dtype.F32);
        JsonNode index = new ObjectMapper().readTree(dir.resolve(WeightFiles.INDEX).toFile());
        Set<String> shards = new HashSet<>();
        index.get("weight_map").properties().forEach(e -> shards.add(e.getValue().asText()));
        assertThat(shards).hasSizeGreaterThan(2);
        long total = 0;
        Set<String> named = new HashSet<>();
        for (String shard : shards) {
            try (var reader = SafetensorsReader.open(dir.resolve(shard))) {
                long bytes = 0;
                for (String name : reader.names()) bytes += reader.info(name).end() - reader.info(name).begin();
                // A tensor larger than the limit gets a shard of its own.
                if (reader.names().size() > 1) assertThat(bytes).as(shard).isLessThanOrEqualTo(SMALL_SHARD);
                for (String name : reader.names()) {
                    assertThat(index.get("weight_map").get(name).asText()).isEqualTo(shard);
                    total += reader.info(name).end() - reader.info(name).begin();
                    named.add(name);
                }
            }
        }
        assertThat(index.get("metadata").get("total_size").asLong()).isEqualTo(total);
        assertThat(named).isEqualTo(original().parameters().keySet());
        assertThat(Files.exists(dir.resolve(WeightFiles.SINGLE))).isFalse();
    }

    @Test
    void aMostlyBf16CheckpointWithFloat32NormsIsBf16() throws Exception {
        Path dir = sharded(Dtype.BF16);
        Path shard = firstShard(dir);
        try (var reader = SafetensorsReader.open(shard)) {
            var tensors = new java.util.LinkedHashMap<String, dev.cria.io.TensorData>();
            for (String name : reader.names()) tensors.put(name, reader.read(name));
            Files.delete(shard);
            Safetensors.write(shard, tensors, Map.of(), Dtype.F32);
        }
        assertThat(WeightFiles.storedDtype(dir)).isEqualTo(Dtype.BF16);
        assertThat(ModelDirectory.formatOf(ModelDirectory.loadModel(dir)).dtype()).isEqualTo(Dtype.BF16);
    }

    @Test
    void aMissingShardIsRefusedByName() throws Exception {
        Path dir = sharded(Dtype.F32);
        Path shard = firstShard(dir);
        Files.delete(shard);
        assertThatThrownBy(() -> ModelDirectory.loadModel(dir))
                .isInstanceOf(CriaException.class)
                .hasMessageStartingWith(shard + ": missing; " + WeightFiles.INDEX);
    }

    @Test
    void aTensorMissingFromItsShardIsRefusedByName() throws Exception {
        Path dir = sharded(Dtype.F32);
        var mapper = new ObjectMapper();
        var index = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(dir.resolve(WeightFiles.INDEX).toFile());
        String shard = firstShard(dir).getFileName().toString();
        ((com.fasterxml.jackson.databind.node.ObjectNode) index.get("weight_map")).put("model.layers.9.ghost.weight", shard);
        Files.writeString(dir.resolve(WeightFiles.INDEX), mapper.writeValueAsString(index));
        assertThatThrownBy(() -> ModelDirectory.loadModel(dir))
                .isInstanceOf(CriaException.class)
                .hasMessage(dir.resolve(shard) + ": no tensor \"model.layers.9.ghost.weight\", which " + WeightFiles.INDEX + " places there");
    }

    @Test
    void aShardTheIndexDoesNotNameIsRefused() throws Exception {
        Path dir = sharded(Dtype.F32);
        Path stray = dir.resolve("model-00009-of-00009.safetensors");
        Files.copy(firstShard(dir), stray);
        assertThatThrownBy(() -> ModelDirectory.loadModel(dir))
                .isInstanceOf(CriaException.class)
                .hasMessageStartingWith(stray + ": a shard that " + WeightFiles.INDEX + " does not name");
    }

    @Test
    void aDirectoryWithoutWeightsNamesBothLayouts() throws Exception {
        Path dir = sharded(Dtype.F32);
        Files.delete(dir.resolve(WeightFiles.INDEX));
        assertThatThrownBy(() -> ModelDirectory.loadModel(dir))
                .hasMessageContaining(WeightFiles.SINGLE + " or " + WeightFiles.INDEX);
    }

    private static Llama original() {
        return Llama.initialize(SHAPE, new Rng(7));
    }

    /** The test model saved in {@code dtype}, in shards of at most {@link #SMALL_SHARD} bytes. */
    private Path sharded(Dtype dtype) {
        Llama model = original();
        ModelDirectory.saveAs(model, dtype, SMALL_SHARD);
        Path dir = tmp.resolve("sharded-" + dtype);
        ModelDirectory.save(dir, model, TOKENIZER);
        return dir;
    }

    private static Path firstShard(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith("model-")).sorted().findFirst().orElseThrow();
        }
    }

    private static float[] logits(Llama model) {
        int[] ids = {1, 5, 9, 42, 7};
        try (var off = Grad.off()) {
            return model.logits(ids, 1, ids.length).data;
        }
    }
}
