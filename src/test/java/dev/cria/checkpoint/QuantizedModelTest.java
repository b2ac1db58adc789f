package dev.cria.checkpoint;

import static dev.cria.checkpoint.ModelOutputs.TOKENS;
import static dev.cria.checkpoint.ModelOutputs.assertClose;
import static dev.cria.checkpoint.ModelOutputs.decoded;
import static dev.cria.checkpoint.ModelOutputs.logits;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cria.autograd.Tensor;
import dev.cria.kernels.FrozenMatrix;
import dev.cria.kernels.QuantMatrix;
import dev.cria.model.Decoder;
import dev.cria.model.KvCache;
import dev.cria.model.Llama;
import dev.cria.model.LlamaConfig;
import dev.cria.model.LoraConfig;
import dev.cria.tokenizer.ByteTokenizer;
import dev.cria.train.AdamW;
import dev.cria.util.Rng;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A model loaded with its matrices block-quantized computes what float32 weights equal to the dequantized
 * blocks compute, through the training forward, KV-cache decoding and the packed prefill; and LoRA trains
 * on such a base without touching it.
 */
class QuantizedModelTest {
    private static final ByteTokenizer TOKENIZER = new ByteTokenizer();
    /** Widths that cut into 32-weight blocks, except the vocabulary (rows, not columns: it needs not). */
    private static final LlamaConfig SHAPE = new LlamaConfig(64, 2, 4, 2, 96, TOKENIZER.vocabSize(), 128, 1e-5f, 10000f, false);

    @TempDir
    Path tmp;

    private Path saved() {
        Path dir = tmp.resolve("model");
        ModelDirectory.save(dir, Llama.initialize(SHAPE, new Rng(5)), TOKENIZER);
        return dir;
    }

    /** The same model with every quantized matrix replaced by float32 weights equal to its dequantized blocks. */
    private static Llama dequantized(Path dir, Llama quantized) {
        Map<String, Tensor> params = quantized.parameters();
        Llama wide = ModelDirectory.loadModel(dir);
        wide.parameters().forEach((name, t) -> {
            FrozenMatrix q = params.get(name).frozenMatrix();
            if (q != null) System.arraycopy(q.toFloats(), 0, t.data, 0, t.size());
        });
        return wide;
    }

    @ParameterizedTest
    @EnumSource(QuantMatrix.Kind.class)
    void aQuantizedModelComputesWhatItsDequantizedWeightsCompute(QuantMatrix.Kind kind) {
        Path dir = saved();
        Llama quantized = ModelDirectory.loadFrozen(dir, kind).model();
        var params = quantized.parameters();
        assertThat(params.get("model.layers.1.mlp.down_proj.weight").frozenMatrix())
                .isInstanceOfSatisfying(QuantMatrix.class, q -> assertThat(q.kind()).isEqualTo(kind));
        assertThat(params.get("lm_head.weight").frozenMatrix())
                .as("the LM head stays Q8_0 under Q4_0").isInstanceOfSatisfying(QuantMatrix.class, q -> assertThat(q.kind()).isEqualTo(QuantMatrix.Kind.Q8_0));
        assertThat(params.get("model.norm.weight").frozenMatrix()).as("norms stay float32").isNull();

        Llama wide = dequantized(dir, quantized);
        float[] expected = logits(wide);
        assertClose(logits(quantized), expected, 1e-5f);
        assertClose(decoded(quantized), expected, 1e-5f);

        int slots = 3, T = 24, R = slots * T; // above the few-rows limit: the packed path
        int[] tokens = new int[R], slotOfRow = new int[R], lastRows = new int[slots];
        for (int r = 0; r < R; r++) {
            tokens[r] = (r * 37 + 11) % 250;
            slotOfRow[r] = r / T;
        }
        for (int s = 0; s < slots; s++) lastRows[s] = s * T + T - 1;
        float[] want = new Decoder(wide).forward(tokens, slotOfRow, new KvCache(SHAPE, slots, T), lastRows).clone();
        float[] got = new Decoder(quantized).forward(tokens, slotOfRow, new KvCache(SHAPE, slots, T), lastRows);
        assertClose(Arrays.copyOf(got, want.length), want, 1e-5f);
    }

    @ParameterizedTest
    @EnumSource(QuantMatrix.Kind.class)
    void quantizedLogitsStayNearTheFloatModel(QuantMatrix.Kind kind) {
        Path dir = saved();
        float[] exact = logits(ModelDirectory.loadModel(dir));
        assertClose(logits(ModelDirectory.loadFrozen(dir, kind).model()), exact, kind == QuantMatrix.Kind.Q8_0 ? 0.02f : 0.15f);
    }

    @ParameterizedTest
    @EnumSource(QuantMatrix.Kind.class)
    void loraOnAQuantizedBaseTrainsOnlyTheAdaptersAndTheLossFalls(QuantMatrix.Kind kind) {
        Llama model = ModelDirectory.loadFrozen(saved(), kind).model();
        model.attachLora(new LoraConfig(4, 8, 0, LoraConfig.MODULES), new Rng(2));
        Map<String, byte[]> blocks = new LinkedHashMap<>();
        Map<String, float[]> floats = new HashMap<>();
        model.parameters().forEach((name, t) -> {
            if (t.frozenMatrix() instanceof QuantMatrix q) blocks.put(name, q.blocks().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            else floats.put(name, t.toFloats());
        });
        Map<String, float[]> adaptersBefore = new HashMap<>();
        model.adapterParameters().forEach((name, t) -> adaptersBefore.put(name, t.data.clone()));
        int[] inputs = Arrays.copyOf(TOKENS, TOKENS.length - 1);
        int[] targets = Arrays.copyOfRange(TOKENS, 1, TOKENS.length);

        var optimizer = new AdamW(model.trainableParameters(), 0.9f, 0.999f, 1e-8f, 0f);
        float first = 0, last = 0;
        for (int step = 0; step < 30; step++) {
            model.trainableParameters().values().forEach(Tensor::zeroGrad);
            Tensor loss = model.loss(inputs, targets, 1, inputs.length);
            if (step == 0) first = loss.item();
            last = loss.item();
            loss.backward();
            optimizer.step(1e-2f);
        }
        assertThat(last).as("loss after 30 steps, from %s", first).isLessThan(first * 0.8f);
        assertThat(blocks).isNotEmpty();
        model.parameters().forEach((name, t) -> {
            if (t.frozenMatrix() instanceof QuantMatrix q) {
                assertThat(q.blocks().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).as(name).isEqualTo(blocks.get(name));
            } else if (!name.contains("lora_")) {
                assertThat(t.toFloats()).as(name).containsExactly(floats.get(name));
            }
        });
        model.adapterParameters().forEach((name, t) -> {
            if (name.contains("lora_B")) assertThat(t.data).as(name).isNotEqualTo(adaptersBefore.get(name));
        });
    }
}
