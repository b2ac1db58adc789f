package dev.cria.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cria.autograd.Grad;
import dev.cria.autograd.Tensor;
import dev.cria.train.AdamW;
import dev.cria.util.CriaException;
import dev.cria.util.Rng;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LoraTest {
    private static final LlamaConfig SHAPE = new LlamaConfig(16, 2, 4, 2, 24, 30, 16, 1e-5f, 10000f, false);
    private static final LoraConfig LORA = new LoraConfig(4, 8, 0, LoraConfig.MODULES);
    private static final int[] TOKENS = {1, 5, 9, 2, 7, 3, 3, 11};

    private static float[] logits(Llama model) {
        try (var off = Grad.off()) {
            return model.logits(TOKENS, 1, TOKENS.length).data.clone();
        }
    }

    private static void randomizeB(Llama model, Rng rng) {
        model.adapterParameters().forEach((name, t) -> {
            if (name.endsWith("lora_B.weight")) for (int i = 0; i < t.size(); i++) t.data[i] = (float) rng.nextGaussian() * 0.1f;
        });
    }

    @Test
    void freshAdaptersLeaveTheModelUnchanged() {
        Llama model = Llama.initialize(SHAPE, new Rng(1));
        float[] before = logits(model);
        model.attachLora(LORA, new Rng(2));
        assertThat(logits(model)).containsExactly(before);
        assertThat(model.adapterParameters()).hasSize(2 * 7 * SHAPE.layers())
                .containsKey("model.layers.1.mlp.down_proj.lora_A.weight");
    }

    @Test
    void mergingGivesTheSameLogitsAndDisablingGivesTheBase() {
        Llama model = Llama.initialize(SHAPE, new Rng(1));
        float[] base = logits(model);
        model.attachLora(LORA, new Rng(2));
        randomizeB(model, new Rng(3));
        float[] adapted = logits(model);
        assertThat(adapted).isNotEqualTo(base);
        try (var off = model.adaptersOff()) {
            assertThat(logits(model)).containsExactly(base);
        }
        assertThat(logits(model)).containsExactly(adapted);
        model.mergeLora();
        assertThat(model.hasAdapters()).isFalse();
        float[] merged = logits(model);
        for (int i = 0; i < merged.length; i++) assertThat(merged[i]).isCloseTo(adapted[i], org.assertj.core.data.Offset.offset(1e-5f));
    }

    @Test
    void decoderSeesTheAdapters() {
        Llama model = Llama.initialize(SHAPE, new Rng(1));
        model.attachLora(new LoraConfig(2, 4, 0, Set.of("q_proj", "v_proj", "down_proj")), new Rng(2));
        randomizeB(model, new Rng(5));
        float[] full = logits(model);
        var decoder = new Decoder(model);
        var cache = new KvCache(SHAPE, 1, 16);
        int V = SHAPE.vocab();
        for (int t = 0; t < TOKENS.length; t++) {
            float[] step = decoder.forward(new int[] {TOKENS[t]}, new int[] {0}, cache, new int[] {0});
            for (int v = 0; v < V; v++) assertThat(step[v]).isCloseTo(full[t * V + v], org.assertj.core.data.Offset.offset(2e-5f));
        }
    }

    @Test
    void trainingMovesOnlyTheAdapters() {
        Llama model = Llama.initialize(SHAPE, new Rng(1));
        model.attachLora(new LoraConfig(4, 8, 0.1, LoraConfig.MODULES), new Rng(2));
        var baseBefore = new java.util.HashMap<String, float[]>();
        model.parameters().forEach((n, t) -> baseBefore.put(n, t.data.clone()));
        var adaptersBefore = new java.util.HashMap<String, float[]>();
        model.adapterParameters().forEach((n, t) -> adaptersBefore.put(n, t.data.clone()));
        var optimizer = new AdamW(model.trainableParameters(), 0.9f, 0.95f, 1e-8f, 0f);
        int[] targets = {5, 9, 2, 7, 3, 3, 11, 1};
        try (var training = model.training(new Rng(7))) {
            for (int step = 0; step < 3; step++) {
                optimizer.zeroGrad();
                model.loss(TOKENS, targets, 1, TOKENS.length).backward();
                optimizer.step(1e-2f);
            }
        }
        model.parameters().forEach((n, t) -> assertThat(t.data).as(n).containsExactly(baseBefore.get(n)));
        model.adapterParameters().forEach((n, t) -> assertThat(t.data).as(n).isNotEqualTo(adaptersBefore.get(n)));
    }

    @Test
    void adapterGradientsMatchFiniteDifferences() {
        Llama model = Llama.initialize(SHAPE, new Rng(1));
        model.attachLora(new LoraConfig(2, 4, 0, Set.of("q_proj", "up_proj")), new Rng(2));
        randomizeB(model, new Rng(4));
        int[] targets = {5, 9, 2, 7, 3, 3, 11, 1};
        model.loss(TOKENS, targets, 1, TOKENS.length).backward();
        for (var e : model.adapterParameters().entrySet()) {
            Tensor t = e.getValue();
            for (int i = 0; i < t.size(); i += Math.max(1, t.size() / 5)) {
                float saved = t.data[i], eps = 1e-2f;
                double plus, minus;
                try (var off = Grad.off()) {
                    t.data[i] = saved + eps;
                    plus = model.loss(TOKENS, targets, 1, TOKENS.length).item();
                    t.data[i] = saved - eps;
                    minus = model.loss(TOKENS, targets, 1, TOKENS.length).item();
                }
                t.data[i] = saved;
                double numeric = (plus - minus) / (2 * eps);
                assertThat((double) t.grad()[i]).as("%s[%d]", e.getKey(), i).isCloseTo(numeric, org.assertj.core.data.Offset.offset(2e-3 + 0.03 * Math.abs(numeric)));
            }
        }
    }

    @Test
    void badSettingsNameTheFlag() {
        assertThatThrownBy(() -> new LoraConfig(0, 8, 0, LoraConfig.MODULES)).isInstanceOf(CriaException.class).hasMessageContaining("--lora-rank");
        assertThatThrownBy(() -> new LoraConfig(4, 8, 1.5, LoraConfig.MODULES)).hasMessageContaining("--lora-dropout");
        assertThatThrownBy(() -> new LoraConfig(4, 8, 0, Set.of("qkv"))).hasMessageContaining("'qkv'");
    }
}
