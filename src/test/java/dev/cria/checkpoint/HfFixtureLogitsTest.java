package dev.cria.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cria.autograd.Grad;
import dev.cria.io.Npy;
import dev.cria.model.Decoder;
import dev.cria.model.KvCache;
import dev.cria.model.Llama;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Checkpoints written in Hugging Face's layout by the PyTorch reference (tied and untied, with GQA and
 * non-default rope_theta / rms_norm_eps) load and give the reference logits, by full forward and by
 * KV-cache decoding.
 */
class HfFixtureLogitsTest {
    private static final Path FIXTURES = Path.of("src/test/resources/fixtures");

    /** How far Cria's logits, by full forward and by KV-cache decoding, are from a fixture's reference logits. */
    record Deviation(float worst, float largestReference) {
    }

    static Deviation deviation(String name) throws Exception {
        Path dir = FIXTURES.resolve(name);
        Llama model = ModelDirectory.loadModel(dir);
        int[][] sequences = new ObjectMapper().readValue(dir.resolve("input_ids.json").toFile(), int[][].class);
        float[] expected = Npy.read(dir.resolve("logits.npy")).data();
        float scale = 0;
        for (float e : expected) scale = Math.max(scale, Math.abs(e));
        int V = model.config().vocab();
        int row = 0;
        float worst = 0;
        for (int[] ids : sequences) {
            float[] full;
            try (var off = Grad.off()) {
                full = model.logits(ids, 1, ids.length).data;
            }
            var decoder = new Decoder(model);
            var cache = new KvCache(model.config(), 1, ids.length);
            for (int t = 0; t < ids.length; t++, row++) {
                float[] step = decoder.forward(new int[] {ids[t]}, new int[] {0}, cache, new int[] {0});
                for (int v = 0; v < V; v++) {
                    float want = expected[row * V + v];
                    worst = Math.max(worst, Math.abs(full[t * V + v] - want));
                    worst = Math.max(worst, Math.abs(step[v] - want));
                }
            }
        }
        assertThat(row * V).as("rows of %s's reference logits", name).isEqualTo(expected.length);
        return new Deviation(worst, scale);
    }

    @ParameterizedTest
    @ValueSource(strings = {"hf-tied", "hf-untied"})
    void logitsMatchThePyTorchReference(String name) throws Exception {
        assertThat(deviation(name).worst()).as("largest |logit - reference| in %s", name).isLessThan(2e-6f);
    }
}
