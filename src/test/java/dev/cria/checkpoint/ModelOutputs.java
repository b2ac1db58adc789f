package dev.cria.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cria.autograd.Grad;
import dev.cria.model.Decoder;
import dev.cria.model.KvCache;
import dev.cria.model.Llama;

/** A model's outputs on a fixed token sequence, by the training forward and by KV-cache decoding, and their comparison. */
final class ModelOutputs {
    static final int[] TOKENS = {1, 17, 190, 5, 5, 99, 3, 150, 42, 7, 0, 128};

    private ModelOutputs() {
    }

    /** Logits (T, V) of {@link #TOKENS} by the full forward. */
    static float[] logits(Llama model) {
        try (var off = Grad.off()) {
            return model.logits(TOKENS, 1, TOKENS.length).data.clone();
        }
    }

    /** The same logits, one token at a time through the decoder and its KV cache. */
    static float[] decoded(Llama model) {
        int V = model.config().vocab();
        var decoder = new Decoder(model);
        var cache = new KvCache(model.config(), 1, TOKENS.length);
        float[] out = new float[TOKENS.length * V];
        for (int t = 0; t < TOKENS.length; t++) {
            float[] step = decoder.forward(new int[] {TOKENS[t]}, new int[] {0}, cache, new int[] {0});
            System.arraycopy(step, 0, out, t * V, V);
        }
        return out;
    }

    /** Every element within {@code relative} of the largest expected magnitude. */
    static void assertClose(float[] actual, float[] expected, float relative) {
        float scale = 0;
        for (float e : expected) scale = Math.max(scale, Math.abs(e));
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            assertThat(Math.abs(actual[i] - expected[i])).as("index %d: %s vs %s", i, actual[i], expected[i]).isLessThanOrEqualTo(relative * scale);
        }
    }
}
