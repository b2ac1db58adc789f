package dev.cria.checkpoint;

import static dev.cria.checkpoint.ModelOutputs.TOKENS;
import static dev.cria.checkpoint.ModelOutputs.assertClose;
import static dev.cria.checkpoint.ModelOutputs.decoded;
import static dev.cria.checkpoint.ModelOutputs.logits;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cria.autograd.Tensor;
import dev.cria.io.Safetensors.Dtype;
import dev.cria.model.Decoder;
import dev.cria.model.KvCache;
import dev.cria.model.Llama;
import dev.cria.model.LoraConfig;
import dev.cria.tokenizer.ByteTokenizer;
import dev.cria.train.AdamW;
import dev.cria.util.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A BF16 checkpoint loaded with its weights frozen in 16 bits computes what the same checkpoint widened
 * to float32 computes: the products are of the same numbers, only summed in another order. Checked for
 * the full forward, KV-cache decoding, a LoRA step's adapter gradients, and a save that keeps the bytes.
 */
class FrozenWeightsTest {
    private static final Path FIXTURES = Path.of("src/test/resources/fixtures");

    @TempDir
    Path tmp;

    /** The fixture rounded to BF16 and saved as a model directory. */
    private Path bf16Copy(String fixture) {
        return copy(fixture, Dtype.BF16);
    }

    /** The fixture rounded to {@code dtype} and saved as a model directory. */
    private Path copy(String fixture, Dtype dtype) {
        Llama model = ModelDirectory.loadModel(FIXTURES.resolve(fixture));
        ModelDirectory.saveAs(model, dtype, WeightFiles.DEFAULT_MAX_SHARD_BYTES);
        Path dir = tmp.resolve(fixture + "-" + dtype);
        ModelDirectory.save(dir, model, new ByteTokenizer());
        return dir;
    }

    @ParameterizedTest
    @ValueSource(strings = {"hf-untied", "hf-tied", "qwen2"})
    void frozenModelGivesTheLogitsOfTheWidenedOne(String fixture) {
        Path dir = bf16Copy(fixture);
        Llama wide = ModelDirectory.loadModel(dir);
        Llama half = ModelDirectory.loadModel(dir, true);
        assertThat(half.parameters().get("model.layers.0.self_attn.q_proj.weight").frozenMatrix()).isNotNull();
        assertThat(half.parameters().get("model.embed_tokens.weight").frozenMatrix()).isNotNull();
        assertThat(half.parameters().get("model.norm.weight").frozenMatrix()).as("norms stay float32").isNull();
        assertThat(wide.parameters().get("model.layers.0.self_attn.q_proj.weight").frozenMatrix()).isNull();
        float[] expected = logits(wide);
        assertClose(logits(half), expected, 1e-6f);
        assertClose(decoded(half), expected, 1e-5f);
    }

    @Test
    void aBatchedPrefillOnFrozenWeightsTakesThePackedPathToTheSameLogits() {
        Path dir = bf16Copy("hf-untied");
        Llama wide = ModelDirectory.loadModel(dir), half = ModelDirectory.loadModel(dir, true);
        int slots = 3, T = 24, R = slots * T; // R above the few-rows limit of 64
        int[] tokens = new int[R], slotOfRow = new int[R], lastRows = new int[slots];
        for (int r = 0; r < R; r++) {
            tokens[r] = (r * 37 + 11) % 190;
            slotOfRow[r] = r / T;
        }
        for (int s = 0; s < slots; s++) lastRows[s] = s * T + T - 1;
        float[] expected = new Decoder(wide).forward(tokens, slotOfRow, new KvCache(wide.config(), slots, T), lastRows).clone();
        float[] actual = new Decoder(half).forward(tokens, slotOfRow, new KvCache(half.config(), slots, T), lastRows);
        assertClose(java.util.Arrays.copyOf(actual, expected.length), expected, 1e-5f);
    }

    @Test
    void anF16ModelRunsFrozenToo() {
        Path dir = copy("hf-untied", Dtype.F16);
        Llama half = ModelDirectory.loadModel(dir, true);
        assertThat(half.parameters().get("lm_head.weight").frozenMatrix()).isInstanceOfSatisfying(dev.cria.kernels.HalfMatrix.class, h -> assertThat(h.kind()).isEqualTo(dev.cria.kernels.HalfMatrix.Kind.F16));
        float[] expected = logits(ModelDirectory.loadModel(dir));
        assertClose(logits(half), expected, 1e-6f);
        assertClose(decoded(half), expected, 1e-5f);
    }

    @Test
    void aLoraStepOnAFrozenBaseHasTheGradientsOfAFloatBase() {
        Path dir = bf16Copy("hf-untied");
        Llama wide = ModelDirectory.loadModel(dir), half = ModelDirectory.loadModel(dir, true);
        var lora = new LoraConfig(4, 8, 0, LoraConfig.MODULES);
        for (Llama m : new Llama[] {wide, half}) {
            m.attachLora(lora, new Rng(2));
            Rng rng = new Rng(3);
            m.adapterParameters().forEach((name, t) -> {
                if (name.endsWith("lora_B.weight")) for (int i = 0; i < t.size(); i++) t.data[i] = (float) rng.nextGaussian() * 0.1f;
            });
        }
        int[] inputs = java.util.Arrays.copyOf(TOKENS, TOKENS.length - 1);
        int[] targets = java.util.Arrays.copyOfRange(TOKENS, 1, TOKENS.length);
        Map<String, float[]> baseBefore = new HashMap<>();
        half.parameters().forEach((name, t) -> baseBefore.put(name, t.toFloats()));
        for (Llama m : new Llama[] {wide, half}) m.loss(inputs, targets, 1, inputs.length).backward();
        var wideAdapters = wide.adapterParameters();
        half.adapterParameters().forEach((name, t) -> {
            float[] g = t.grad(), want = wideAdapters.get(name).grad();
            for (int i = 0; i < g.length; i++) {
                assertThat(Math.abs(g[i] - want[i])).as("%s [%d]: %s vs %s", name, i, g[i], want[i])
                        .isLessThanOrEqualTo(1e-5f * Math.max(Math.abs(want[i]), 1e-3f));
            }
        });
        var optimizer = new AdamW(half.trainableParameters(), 0.9f, 0.999f, 1e-8f, 0f);
        optimizer.step(1e-2f);
        half.parameters().forEach((name, t) -> assertThat(t.toFloats()).as(name).containsExactly(baseBefore.get(name)));
        assertThat(logits(half)).isNotEqualTo(logits(wide));
        assertClose(decoded(half), logits(half), 1e-5f);
    }

    @Test
    void mergingIntoAFrozenBaseGivesFloatWeights() {
        Path dir = bf16Copy("hf-untied");
        Llama half = ModelDirectory.loadModel(dir, true);
        half.attachLora(new LoraConfig(2, 4, 0, java.util.Set.of("q_proj")), new Rng(2));
        half.adapterParameters().forEach((name, t) -> java.util.Arrays.fill(t.data, 0.05f));
        float[] adapted = logits(half);
        half.mergeLora();
        Tensor q = half.parameters().get("model.layers.0.self_attn.q_proj.weight");
        assertThat(q.frozenMatrix()).isNull();
        assertThat(half.parameters().get("model.layers.0.self_attn.k_proj.weight").frozenMatrix()).isNotNull();
        assertClose(logits(half), adapted, 1e-5f);
    }

    @Test
    void savingAFrozenModelKeepsItsBytes() throws Exception {
        Path dir = bf16Copy("hf-untied");
        Llama half = ModelDirectory.loadModel(dir, true);
        Path again = tmp.resolve("again");
        ModelDirectory.save(again, half, new ByteTokenizer());
        assertThat(Files.readAllBytes(again.resolve(WeightFiles.SINGLE))).isEqualTo(Files.readAllBytes(dir.resolve(WeightFiles.SINGLE)));
        assertThat(logits(ModelDirectory.loadModel(again, true))).containsExactly(logits(half));
    }

    @Test
    void aFloat32CheckpointLoadsAsToday() {
        Llama model = ModelDirectory.loadModel(FIXTURES.resolve("hf-untied"), true);
        model.parameters().forEach((name, t) -> assertThat(t.frozenMatrix()).as(name).isNull());
    }
}
