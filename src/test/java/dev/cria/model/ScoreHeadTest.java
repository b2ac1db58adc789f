package dev.cria.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cria.autograd.Grad;
import dev.cria.autograd.Ops;
import dev.cria.util.CriaException;
import dev.cria.util.Rng;
import java.util.LinkedHashMap;
import org.junit.jupiter.api.Test;

class ScoreHeadTest {
    private static final LlamaConfig SHAPE = new LlamaConfig(16, 2, 4, 2, 24, 30, 16, 1e-5f, 10000f, true);

    @Test
    void sequenceScoreIsThePerPositionValueAtItsLastToken() {
        Llama model = Llama.initialize(SHAPE, new Rng(1));
        model.addScoreHead(new Rng(2), 0.5f);
        int[] tokens = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        try (var off = Grad.off()) {
            float[] values = model.values(tokens, 2, 5).data;
            float[] scores = model.scores(tokens, 2, 5, new int[] {3, 1}).data;
            assertThat(scores[0]).isCloseTo(values[3], org.assertj.core.data.Offset.offset(1e-6f));
            assertThat(scores[1]).isCloseTo(values[5 + 1], org.assertj.core.data.Offset.offset(1e-6f));
        }
    }

    @Test
    void scoreGradientsMatchFiniteDifferences() {
        Llama model = Llama.initialize(SHAPE, new Rng(1));
        model.addScoreHead(new Rng(2), 0.5f);
        int[] tokens = {1, 2, 3, 4, 5, 6, 7, 8};
        int[] last = {2, 3};
        Ops.sum(Ops.mul(model.scores(tokens, 2, 4, last), dev.cria.autograd.Tensor.of(new float[] {1f, -2f}, 2))).backward();
        for (String name : new String[] {HfNames.SCORE, "model.layers.1.mlp.up_proj.weight", "model.embed_tokens.weight"}) {
            var t = model.parameters().get(name);
            for (int i = 0; i < t.size(); i += Math.max(1, t.size() / 6)) {
                float saved = t.data[i], eps = 1e-2f;
                double plus, minus;
                try (var off = Grad.off()) {
                    t.data[i] = saved + eps;
                    float[] s = model.scores(tokens, 2, 4, last).data;
                    plus = s[0] - 2 * s[1];
                    t.data[i] = saved - eps;
                    s = model.scores(tokens, 2, 4, last).data;
                    minus = s[0] - 2 * s[1];
                }
                t.data[i] = saved;
                double numeric = (plus - minus) / (2 * eps);
                assertThat((double) t.grad()[i]).as("%s[%d]", name, i).isCloseTo(numeric, org.assertj.core.data.Offset.offset(2e-3 + 0.03 * Math.abs(numeric)));
            }
        }
    }

    @Test
    void scoreHeadTravelsWithTheWeights() {
        Llama model = Llama.initialize(SHAPE, new Rng(1));
        model.addScoreHead(new Rng(2), 0.5f);
        var data = new LinkedHashMap<String, float[]>();
        var shapes = new LinkedHashMap<String, int[]>();
        model.parameters().forEach((n, t) -> {
            data.put(n, t.data);
            shapes.put(n, t.shape());
        });
        Llama loaded = HfNames.load(SHAPE, data, shapes, "test");
        assertThat(loaded.hasScoreHead()).isTrue();
        int[] tokens = {3, 4, 5};
        try (var off = Grad.off()) {
            assertThat(loaded.scores(tokens, 1, 3, new int[] {2}).data).containsExactly(model.scores(tokens, 1, 3, new int[] {2}).data);
        }
    }

    @Test
    void noHeadIsAClearError() {
        Llama model = Llama.initialize(SHAPE, new Rng(1));
        assertThatThrownBy(() -> model.values(new int[] {1}, 1, 1)).isInstanceOf(CriaException.class).hasMessageContaining("score.weight");
    }
}
