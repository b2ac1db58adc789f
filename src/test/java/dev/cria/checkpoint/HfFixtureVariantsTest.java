package dev.cria.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cria.kernels.Rope;
import dev.cria.model.Llama;
import dev.cria.model.LlamaConfig;
import dev.cria.model.Projection;
import dev.cria.model.Variant;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Checkpoints of the Llama cousins, written with their reference logits by make_variant_fixtures.py
 * (its own PyTorch forward, after the transformers definitions): Qwen2 biases, Qwen3 q/k norms with
 * head_dim apart from hidden_size / heads, Llama 3.1 RoPE scaling, and Mistral with linear scaling spelled
 * as transformers 5 does. Cria's logits, by full forward and by KV-cache decoding, must be within 1e-4 of
 * the largest reference logit.
 */
class HfFixtureVariantsTest {
    private static final Path FIXTURES = Path.of("src/test/resources/fixtures");

    @ParameterizedTest
    @ValueSource(strings = {"qwen2", "qwen3", "llama3-rope", "mistral"})
    void logitsMatchThePyTorchReference(String name) throws Exception {
        var d = HfFixtureLogitsTest.deviation(name);
        assertThat(d.worst() / d.largestReference()).as("largest |logit - reference| / max |reference| in %s", name).isLessThan(1e-4f);
    }

    @Test
    void configsAreReadAsTheirFamilies() {
        LlamaConfig qwen2 = HfConfig.read(FIXTURES.resolve("qwen2/config.json"));
        assertThat(qwen2.variant()).isEqualTo(new Variant(Variant.Family.QWEN2, Set.of(Projection.Q, Projection.K, Projection.V),
                false, Rope.Scaling.NONE));
        HfConfig.Contents qwen3 = HfConfig.readContents(FIXTURES.resolve("qwen3/config.json"));
        assertThat(qwen3.model().headSize()).isEqualTo(16);
        assertThat(qwen3.model().dim()).isEqualTo(32);
        assertThat(qwen3.model().variant().qkNorm()).isTrue();
        assertThat(qwen3.tokens().eos()).isEqualTo(List.of(2, 3));
        assertThat(HfConfig.read(FIXTURES.resolve("llama3-rope/config.json")).variant().ropeScaling())
                .isEqualTo(new Rope.Scaling.Llama3(8f, 1f, 4f, 32));
        LlamaConfig mistral = HfConfig.read(FIXTURES.resolve("mistral/config.json"));
        assertThat(mistral.variant().family()).isEqualTo(Variant.Family.MISTRAL);
        assertThat(mistral.variant().ropeScaling()).isEqualTo(new Rope.Scaling.Linear(2f));
        assertThat(mistral.ropeTheta()).isEqualTo(1e6f);
    }
}
