package dev.cria.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cria.autograd.Grad;
import dev.cria.autograd.Tensor;
import dev.cria.kernels.Rope;
import dev.cria.train.AdamW;
import dev.cria.util.Rng;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import org.assertj.core.data.Offset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Llama cousins run by the same decoder: biases on projections (Qwen2), per-head q/k norms with a
 * head_dim apart from dim / heads (Qwen3), and scaled RoPE frequencies (Llama 3.1, linear). Each must
 * agree between the full forward and KV-cache decoding, survive a save and load under the Hugging Face
 * names, and train, fully and with LoRA.
 */
class VariantTest {
    private static final int[] TOKENS = {1, 5, 9, 2, 7, 3, 3, 11};
    private static final int[] TARGETS = {5, 9, 2, 7, 3, 3, 11, 1};

    static List<LlamaConfig> variants() {
        var qkv = Set.of(Projection.Q, Projection.K, Projection.V);
        return List.of(
                config(12, new Variant(Variant.Family.QWEN2, qkv, false, Rope.Scaling.NONE)),
                config(12, new Variant(Variant.Family.QWEN3, Set.of(), true, Rope.Scaling.NONE)),
                config(6, new Variant(Variant.Family.QWEN3, Set.of(Projection.Q, Projection.K, Projection.V, Projection.O), true, Rope.Scaling.NONE)),
                config(4, Variant.LLAMA.withRopeScaling(new Rope.Scaling.Llama3(8f, 1f, 4f, 4))),
                config(4, new Variant(Variant.Family.LLAMA, Set.of(Projection.GATE, Projection.UP, Projection.DOWN), false,
                        new Rope.Scaling.Linear(2f))));
    }

    /** dim 16, 4 query heads and 2 kv heads of {@code headSize} (4 is dim / heads). */
    private static LlamaConfig config(int headSize, Variant variant) {
        return new LlamaConfig(16, 2, 4, 2, 24, 30, 16, 1e-5f, 10000f, false, headSize, variant);
    }

    /** Fresh weights, with the biases and q/k norms drawn at random too (they start at 0 and 1). */
    private static Llama model(LlamaConfig c, long seed) {
        Rng rng = new Rng(seed);
        Llama model = Llama.initialize(c, rng);
        model.parameters().forEach((name, t) -> {
            if (name.endsWith(".bias") || name.contains("_norm.")) {
                for (int i = 0; i < t.size(); i++) t.data[i] += (float) (rng.nextGaussian() * 0.3);
            }
        });
        return model;
    }

    private static float[] logits(Llama model) {
        try (var off = Grad.off()) {
            return model.logits(TOKENS, 1, TOKENS.length).data.clone();
        }
    }

    @ParameterizedTest
    @MethodSource("variants")
    void kvCacheDecodingMatchesTheFullForward(LlamaConfig c) {
        Llama model = model(c, 1);
        float[] full = logits(model);
        var decoder = new Decoder(model);
        var cache = new KvCache(c, 1, TOKENS.length);
        int V = c.vocab();
        for (int t = 0; t < TOKENS.length; t++) {
            float[] step = decoder.forward(new int[] {TOKENS[t]}, new int[] {0}, cache, new int[] {0});
            for (int v = 0; v < V; v++) assertThat(step[v]).as("t=%d v=%d", t, v).isCloseTo(full[t * V + v], Offset.offset(2e-5f));
        }
        float[] prefill = new Decoder(model).forward(TOKENS, new int[TOKENS.length], new KvCache(c, 1, TOKENS.length), new int[] {TOKENS.length - 1});
        for (int v = 0; v < V; v++) assertThat(prefill[v]).isCloseTo(full[(TOKENS.length - 1) * V + v], Offset.offset(2e-5f));
    }

    @ParameterizedTest
    @MethodSource("variants")
    void savesAndLoadsUnderTheHuggingFaceNames(LlamaConfig c) {
        Llama model = model(c, 2);
        var data = new LinkedHashMap<String, float[]>();
        var shapes = new LinkedHashMap<String, int[]>();
        model.parameters().forEach((n, t) -> {
            data.put(n, t.data);
            shapes.put(n, t.shape());
        });
        for (Projection p : c.variant().biases()) {
            String module = (p.inAttention() ? "self_attn." : "mlp.") + p.module();
            assertThat(shapes.get("model.layers.1." + module + ".bias")).containsExactly(p.out(c));
        }
        if (c.variant().qkNorm()) {
            assertThat(shapes.get("model.layers.0.self_attn.q_norm.weight")).containsExactly(c.headSize());
            assertThat(shapes.get("model.layers.0.self_attn.k_norm.weight")).containsExactly(c.headSize());
        }
        assertThat(shapes.get("model.layers.0.self_attn.q_proj.weight")).containsExactly(c.heads() * c.headSize(), c.dim());
        assertThat(shapes.get("model.layers.0.self_attn.o_proj.weight")).containsExactly(c.dim(), c.heads() * c.headSize());
        assertThat(model.parameters().values().stream().mapToLong(Tensor::size).sum()).isEqualTo(c.parameterCount());

        Llama loaded = HfNames.load(c, data, shapes, "test");
        assertThat(logits(loaded)).containsExactly(logits(model));
    }

    @ParameterizedTest
    @MethodSource("variants")
    void fullFineTuningMovesEveryParameter(LlamaConfig c) {
        Llama model = model(c, 3);
        var before = new HashMap<String, float[]>();
        model.parameters().forEach((n, t) -> before.put(n, t.data.clone()));
        var optimizer = new AdamW(model.trainableParameters(), 0.9f, 0.95f, 1e-8f, 0f);
        for (int step = 0; step < 2; step++) {
            optimizer.zeroGrad();
            model.loss(TOKENS, TARGETS, 1, TOKENS.length).backward();
            optimizer.step(1e-2f);
        }
        model.parameters().forEach((n, t) -> assertThat(t.data).as(n).isNotEqualTo(before.get(n)));
    }

    @ParameterizedTest
    @MethodSource("variants")
    void biasAndNormGradientsMatchFiniteDifferences(LlamaConfig c) {
        Llama model = model(c, 4);
        model.loss(TOKENS, TARGETS, 1, TOKENS.length).backward();
        for (var e : model.parameters().entrySet()) {
            if (!e.getKey().endsWith(".bias") && !e.getKey().contains("self_attn.q_norm") && !e.getKey().contains("self_attn.k_norm")) continue;
            Tensor t = e.getValue();
            for (int i = 0; i < t.size(); i += Math.max(1, t.size() / 4)) {
                float saved = t.data[i], eps = 1e-2f;
                double plus, minus;
                try (var off = Grad.off()) {
                    t.data[i] = saved + eps;
                    plus = model.loss(TOKENS, TARGETS, 1, TOKENS.length).item();
                    t.data[i] = saved - eps;
                    minus = model.loss(TOKENS, TARGETS, 1, TOKENS.length).item();
                }
                t.data[i] = saved;
                double numeric = (plus - minus) / (2 * eps);
                assertThat((double) t.grad()[i]).as("%s[%d]", e.getKey(), i).isCloseTo(numeric, Offset.offset(2e-3 + 0.03 * Math.abs(numeric)));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("variants")
    void loraTrainsTheProjectionsAndTheDecoderSeesThem(LlamaConfig c) {
        Llama model = model(c, 5);
        model.attachLora(new LoraConfig(2, 4, 0, LoraConfig.MODULES), new Rng(6));
        var baseBefore = new HashMap<String, float[]>();
        model.parameters().forEach((n, t) -> baseBefore.put(n, t.data.clone()));
        var optimizer = new AdamW(model.trainableParameters(), 0.9f, 0.95f, 1e-8f, 0f);
        for (int step = 0; step < 2; step++) {
            optimizer.zeroGrad();
            model.loss(TOKENS, TARGETS, 1, TOKENS.length).backward();
            optimizer.step(1e-2f);
        }
        model.parameters().forEach((n, t) -> assertThat(t.data).as(n).containsExactly(baseBefore.get(n)));
        float[] full = logits(model);
        float[] last = new Decoder(model).forward(TOKENS, new int[TOKENS.length], new KvCache(c, 1, TOKENS.length), new int[] {TOKENS.length - 1});
        int V = c.vocab();
        for (int v = 0; v < V; v++) assertThat(last[v]).isCloseTo(full[(TOKENS.length - 1) * V + v], Offset.offset(2e-5f));
    }
}
