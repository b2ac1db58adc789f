package dev.cria.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cria.autograd.Grad;
import dev.cria.autograd.Tensor;
import dev.cria.util.CriaException;
import dev.cria.util.Rng;
import org.junit.jupiter.api.Test;

class LlamaTest {
    private static final LlamaConfig GQA = new LlamaConfig(32, 2, 4, 2, 48, 50, 32, 1e-5f, 10000f, false);

    private static int[] randomTokens(Rng rng, int n, int vocab) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = rng.nextInt(vocab);
        return t;
    }

    private static float[] fullLogits(Llama model, int[] tokens) {
        try (var off = Grad.off()) {
            return model.logits(tokens, 1, tokens.length).data;
        }
    }

    private static void assertClose(float[] actual, int actualOff, float[] expected, int expectedOff, int n) {
        for (int i = 0; i < n; i++) {
            assertThat(actual[actualOff + i]).as("logit %d", i).isCloseTo(expected[expectedOff + i], org.assertj.core.data.Offset.offset(2e-5f));
        }
    }

    @Test
    void kvCacheDecodingMatchesFullForwardWithGqa() {
        Rng rng = new Rng(1);
        Llama model = Llama.initialize(GQA, rng);
        int[] tokens = randomTokens(rng, 12, GQA.vocab());
        float[] full = fullLogits(model, tokens);
        var decoder = new Decoder(model);
        var cache = new KvCache(GQA, 1, 16);
        int V = GQA.vocab();
        for (int t = 0; t < tokens.length; t++) {
            float[] step = decoder.forward(new int[] {tokens[t]}, new int[] {0}, cache, new int[] {0});
            assertClose(step, 0, full, t * V, V);
        }
        assertThat(cache.length(0)).isEqualTo(12);
    }

    @Test
    void batchedPrefillOfUnequalPromptsMatchesSeparateForwards() {
        Rng rng = new Rng(2);
        Llama model = Llama.initialize(GQA, rng);
        int V = GQA.vocab();
        int[] a = randomTokens(rng, 7, V), b = randomTokens(rng, 3, V);
        var decoder = new Decoder(model);
        var cache = new KvCache(GQA, 2, 16);
        int[] tokens = new int[10], slots = new int[10];
        System.arraycopy(a, 0, tokens, 0, 7);
        System.arraycopy(b, 0, tokens, 7, 3);
        for (int i = 7; i < 10; i++) slots[i] = 1;
        float[] logits = decoder.forward(tokens, slots, cache, new int[] {6, 9});
        assertClose(logits, 0, fullLogits(model, a), 6 * V, V);
        assertClose(logits, V, fullLogits(model, b), 2 * V, V);
        // one more token each, decoded together
        float[] step = decoder.forward(new int[] {5, 9}, new int[] {0, 1}, cache, new int[] {0, 1});
        int[] a2 = java.util.Arrays.copyOf(a, 8), b2 = java.util.Arrays.copyOf(b, 4);
        a2[7] = 5;
        b2[3] = 9;
        assertClose(step, 0, fullLogits(model, a2), 7 * V, V);
        assertClose(step, V, fullLogits(model, b2), 3 * V, V);
    }

    @Test
    void batchRowsAreIndependent() {
        Rng rng = new Rng(3);
        Llama model = Llama.initialize(GQA, rng);
        int T = 9, V = GQA.vocab();
        int[] a = randomTokens(rng, T, V), b = randomTokens(rng, T, V);
        int[] both = new int[2 * T];
        System.arraycopy(a, 0, both, 0, T);
        System.arraycopy(b, 0, both, T, T);
        float[] batched;
        try (var off = Grad.off()) {
            batched = model.logits(both, 2, T).data;
        }
        assertClose(batched, 0, fullLogits(model, a), 0, T * V);
        assertClose(batched, T * V, fullLogits(model, b), 0, T * V);
    }

    @Test
    void tinyPresetHasAboutAQuarterMillionParameters() {
        LlamaConfig tiny = LlamaConfig.tiny();
        Llama model = Llama.initialize(tiny, new Rng(0));
        long counted = model.parameters().values().stream().mapToLong(Tensor::size).sum();
        assertThat(counted).isEqualTo(tiny.parameterCount());
        assertThat(counted).isBetween(200_000L, 350_000L);
        assertThat(model.parameters()).doesNotContainKey("lm_head.weight");
    }

    @Test
    void initialisationFollowsLlama2c() {
        LlamaConfig c = LlamaConfig.small().withVocab(1000);
        Llama model = Llama.initialize(c, new Rng(0));
        assertThat(std(model.parameters().get("model.layers.0.self_attn.q_proj.weight"))).isCloseTo(0.02, org.assertj.core.data.Offset.offset(0.001));
        double residual = 0.02 / Math.sqrt(2 * c.layers());
        assertThat(std(model.parameters().get("model.layers.0.mlp.down_proj.weight"))).isCloseTo(residual, org.assertj.core.data.Offset.offset(0.0005));
        assertThat(model.parameters().get("model.norm.weight").data).containsOnly(1f);
    }

    private static double std(Tensor t) {
        double sum = 0, sq = 0;
        for (float x : t.data) {
            sum += x;
            sq += x * x;
        }
        double mean = sum / t.size();
        return Math.sqrt(sq / t.size() - mean * mean);
    }

    @Test
    void configNamesTheBadFieldAndValue() {
        assertThatThrownBy(() -> new LlamaConfig(64, 5, 8, 3, 172, 512, 512, 1e-5f, 1e4f, true))
                .isInstanceOf(CriaException.class).hasMessageContaining("kvHeads=3");
        assertThatThrownBy(() -> new LlamaConfig(64, 0, 8, 4, 172, 512, 512, 1e-5f, 1e4f, true))
                .hasMessageContaining("layers must be positive: 0");
        assertThatThrownBy(() -> new LlamaConfig(60, 5, 8, 4, 172, 512, 512, 1e-5f, 1e4f, true))
                .hasMessageContaining("dim=60");
        assertThatThrownBy(() -> LlamaConfig.preset("huge")).hasMessageContaining("'huge'");
    }

    @Test
    void sequenceLongerThanMaxSeqLenIsRefused() {
        Llama model = Llama.initialize(GQA, new Rng(0));
        assertThatThrownBy(() -> model.logits(new int[40], 1, 40)).isInstanceOf(CriaException.class)
                .hasMessageContaining("length 40").hasMessageContaining("32");
    }
}
