package dev.cria.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cria.autograd.Grad;
import dev.cria.io.Safetensors.Dtype;
import dev.cria.model.HfNames;
import dev.cria.model.Llama;
import dev.cria.model.LlamaConfig;
import dev.cria.model.LoraConfig;
import dev.cria.tokenizer.ByteTokenizer;
import dev.cria.util.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reward model trained with LoRA and saved with its adapters kept: the adapter files hold the score head
 * as PEFT's modules_to_save does, so they turn the untouched base into the reward model, and the head comes
 * back in float32 even from a BF16 save.
 */
class LoraRewardModelFilesTest {
    private static final ByteTokenizer TOKENIZER = new ByteTokenizer();
    private static final LlamaConfig SHAPE = new LlamaConfig(16, 1, 2, 1, 24, TOKENIZER.vocabSize(), 16, 1e-5f, 10000f, true);
    private static final int[] TOKENS = {1, 72, 105, 33, 2, 0, 0, 0};
    private static final int[] LAST = {4};

    @TempDir
    Path tmp;

    private static float[] scores(Llama model) {
        try (var off = Grad.off()) {
            return model.scores(TOKENS, 1, TOKENS.length, LAST).data.clone();
        }
    }

    /** The base, then a copy of it with adapters whose B is not zero and a score head, as training leaves them. */
    private static Llama trainedRewardModel(Path baseDir) {
        Llama model = ModelDirectory.loadModel(baseDir);
        model.attachLora(new LoraConfig(2, 4, 0, LoraConfig.MODULES), new Rng(2));
        Rng rng = new Rng(3);
        model.adapterParameters().forEach((name, t) -> {
            for (int i = 0; i < t.size(); i++) t.data[i] = (float) rng.nextGaussian() * 0.1f;
        });
        model.addScoreHead(new Rng(4), 0.3f);
        return model;
    }

    @Test
    void theAdapterFilesCarryTheHeadOntoTheUntouchedBase() throws Exception {
        Path base = tmp.resolve("base");
        ModelDirectory.save(base, Llama.initialize(SHAPE, new Rng(1)), TOKENIZER);
        Llama trained = trainedRewardModel(base);
        ModelDirectory.saveAs(trained, Dtype.BF16, WeightFiles.DEFAULT_MAX_SHARD_BYTES);
        Path saved = tmp.resolve("rm");
        ModelDirectory.save(saved, trained, TOKENIZER);

        Llama loaded = ModelDirectory.load(saved).model();
        assertThat(loaded.parameters().get(HfNames.SCORE).data).containsExactly(trained.parameters().get(HfNames.SCORE).data);

        Path peftStyle = tmp.resolve("base-with-adapters");
        ModelDirectory.save(peftStyle, ModelDirectory.loadModel(base), TOKENIZER);
        for (String file : new String[] {ModelDirectory.ADAPTER_CONFIG, ModelDirectory.ADAPTER_WEIGHTS}) {
            Files.copy(saved.resolve(file), peftStyle.resolve(file));
        }
        Llama rebuilt = ModelDirectory.load(peftStyle).model();
        assertThat(rebuilt.hasScoreHead()).isTrue();
        assertThat(scores(rebuilt)).containsExactly(scores(trained));
        assertThat(rebuilt.trainableParameters()).containsKey(HfNames.SCORE).hasSize(trained.adapterParameters().size() + 1);
    }
}
