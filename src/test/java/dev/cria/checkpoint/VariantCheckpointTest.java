package dev.cria.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cria.autograd.Grad;
import dev.cria.kernels.Rope;
import dev.cria.model.Llama;
import dev.cria.model.LlamaConfig;
import dev.cria.model.Projection;
import dev.cria.model.Variant;
import dev.cria.tokenizer.ByteTokenizer;
import dev.cria.util.Rng;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** A model of each Llama cousin saved as a model directory loads back with the same config and logits. */
class VariantCheckpointTest {
    private static final ByteTokenizer TOKENIZER = new ByteTokenizer();
    private static final int[] TOKENS = {1, 5, 9, 2, 7, 3};

    @TempDir
    Path dir;

    static List<Variant> variants() {
        return List.of(
                new Variant(Variant.Family.QWEN2, Set.of(Projection.Q, Projection.K, Projection.V), false, Rope.Scaling.NONE),
                new Variant(Variant.Family.QWEN3, Set.of(), true, Rope.Scaling.NONE),
                Variant.LLAMA.withRopeScaling(new Rope.Scaling.Llama3(8f, 1f, 4f, 8)),
                new Variant(Variant.Family.MISTRAL, Set.of(), false, new Rope.Scaling.Linear(2f)));
    }

    @ParameterizedTest
    @MethodSource("variants")
    void savesAndLoadsAsAModelDirectory(Variant variant) {
        var config = new LlamaConfig(16, 1, 4, 2, 24, TOKENIZER.vocabSize(), 16, 1e-5f, 10000f, false, 6, variant);
        Rng rng = new Rng(3);
        Llama model = Llama.initialize(config, rng);
        model.parameters().forEach((name, t) -> {
            if (name.endsWith(".bias") || name.contains("_norm.")) {
                for (int i = 0; i < t.size(); i++) t.data[i] += (float) rng.nextGaussian() * 0.3f;
            }
        });
        Path saved = dir.resolve("model");
        ModelDirectory.save(saved, model, TOKENIZER);

        Llama loaded = ModelDirectory.load(saved).model();
        assertThat(loaded.config()).isEqualTo(config);
        try (var off = Grad.off()) {
            assertThat(loaded.logits(TOKENS, 1, TOKENS.length).data).containsExactly(model.logits(TOKENS, 1, TOKENS.length).data);
        }
    }
}
