package dev.cria.io;

import dev.cria.checkpoint.HfConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cria.model.LlamaConfig;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Hugging Face fixtures made by {@code src/test/resources/fixtures/make_fixtures.py} with the
 * PyTorch reference load with the expected names, shapes and config. (Comparing logits against
 * Cria's forward pass belongs to the model's tests.)
 */
class HfFixturesTest {
    static Path fixture(String name) throws URISyntaxException {
        return Path.of(HfFixturesTest.class.getResource("/fixtures/" + name).toURI());
    }

    /** Every weight of a Llama with Hugging Face names and shapes (out_features, in_features). */
    static Map<String, int[]> expectedShapes(LlamaConfig c) {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        int hs = c.headSize();
        shapes.put("model.embed_tokens.weight", new int[] {c.vocab(), c.dim()});
        for (int l = 0; l < c.layers(); l++) {
            String p = "model.layers." + l + ".";
            shapes.put(p + "self_attn.q_proj.weight", new int[] {c.heads() * hs, c.dim()});
            shapes.put(p + "self_attn.k_proj.weight", new int[] {c.kvHeads() * hs, c.dim()});
            shapes.put(p + "self_attn.v_proj.weight", new int[] {c.kvHeads() * hs, c.dim()});
            shapes.put(p + "self_attn.o_proj.weight", new int[] {c.dim(), c.heads() * hs});
            shapes.put(p + "mlp.gate_proj.weight", new int[] {c.hiddenDim(), c.dim()});
            shapes.put(p + "mlp.up_proj.weight", new int[] {c.hiddenDim(), c.dim()});
            shapes.put(p + "mlp.down_proj.weight", new int[] {c.dim(), c.hiddenDim()});
            shapes.put(p + "input_layernorm.weight", new int[] {c.dim()});
            shapes.put(p + "post_attention_layernorm.weight", new int[] {c.dim()});
        }
        shapes.put("model.norm.weight", new int[] {c.dim()});
        if (!c.tieEmbeddings()) shapes.put("lm_head.weight", new int[] {c.vocab(), c.dim()});
        return shapes;
    }

    private static void checkFixture(String name, LlamaConfig expected) throws URISyntaxException, IOException {
        Path dir = fixture(name);
        HfConfig.Contents contents = HfConfig.readContents(dir.resolve("config.json"));
        assertThat(contents.model()).isEqualTo(expected);
        assertThat(contents.tokens()).isEqualTo(new HfConfig.TokenIds(1, 2, null));

        Map<String, int[]> shapes = expectedShapes(expected);
        try (SafetensorsReader reader = SafetensorsReader.open(dir.resolve("model.safetensors"))) {
            assertThat(reader.names()).containsExactlyInAnyOrderElementsOf(shapes.keySet());
            assertThat(reader.metadata()).containsEntry("format", "pt");
            Map<String, TensorData> weights = reader.readAll();
            shapes.forEach((tensor, shape) -> assertThat(weights.get(tensor).shape()).as(tensor).isEqualTo(shape));
            // RMSNorm gains were drawn around 1, projections around 0 with std 0.02.
            assertThat(weights.get("model.norm.weight").data()[0]).isBetween(0.5f, 1.5f);
            float[] q = weights.get("model.layers.0.self_attn.q_proj.weight").data();
            double sumSquares = 0;
            for (float v : q) sumSquares += v * v;
            assertThat(Math.sqrt(sumSquares / q.length)).isBetween(0.015, 0.025);
        }

        JsonNode ids = new ObjectMapper().readTree(dir.resolve("input_ids.json").toFile());
        assertThat(ids.size()).isEqualTo(2);
        assertThat(ids.get(0).size()).isEqualTo(16);
        assertThat(ids.get(1).size()).isEqualTo(11);
        for (JsonNode sequence : ids) {
            for (JsonNode id : sequence) assertThat(id.intValue()).isBetween(0, expected.vocab() - 1);
        }

        TensorData logits = Npy.read(dir.resolve("logits.npy"));
        assertThat(logits.shape()).containsExactly(27, expected.vocab());
        for (float v : logits.data()) assertThat(Float.isFinite(v)).isTrue();
    }

    @Test
    void tiedGqaFixtureLoads() throws Exception {
        checkFixture("hf-tied", new LlamaConfig(64, 2, 8, 4, 172, 300, 64, 1e-5f, 10000f, true));
    }

    @Test
    void untiedFixtureLoads() throws Exception {
        checkFixture("hf-untied", new LlamaConfig(48, 2, 4, 2, 128, 260, 32, 1e-6f, 500000f, false));
    }
}
