package dev.cria.checkpoint.gguf;

import dev.cria.checkpoint.ModelDirectory;
import dev.cria.kernels.Rope;
import dev.cria.model.Llama;
import dev.cria.model.LlamaConfig;
import dev.cria.model.Projection;
import dev.cria.model.Variant;
import dev.cria.tokenizer.BpeTokenizer;
import dev.cria.tokenizer.Tokenizer;
import dev.cria.util.Rng;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** Tiny model directories of each family, with a Cria BPE tokenizer trained on a few sentences, for the GGUF tests. */
final class TinyModels {
    static final List<String> TEXTS = List.of(
            "Once upon a time, a little cat named Tom found a red ball in the garden.",
            "The dog said: \"I don't like rain!\" and ran home at 12:30.",
            "She's happy; they'll play tomorrow. 1234567 apples, 89 pears.\n\nThe end.",
            "Ünïcödé text, 日本語, emoji 🐱 and  double  spaces\tand tabs.");

    private static Tokenizer tokenizer;

    private TinyModels() {
    }

    static synchronized Tokenizer tokenizer() {
        if (tokenizer == null) tokenizer = BpeTokenizer.train(TEXTS, 320);
        return tokenizer;
    }

    /** Llama with GQA (4 heads, 2 kv heads), untied or tied. */
    static LlamaConfig llama(boolean tied) {
        return new LlamaConfig(64, 2, 4, 2, 96, tokenizer().vocabSize(), 64, 1e-5f, 10000f, tied);
    }

    static LlamaConfig qwen2() {
        return new LlamaConfig(64, 2, 4, 2, 96, tokenizer().vocabSize(), 64, 1e-6f, 1e6f, true, 16,
                new Variant(Variant.Family.QWEN2, Set.of(Projection.Q, Projection.K, Projection.V), false, Rope.Scaling.NONE));
    }

    /** Qwen3: q/k norms and a head size (24) apart from dim / heads. */
    static LlamaConfig qwen3() {
        return new LlamaConfig(64, 2, 4, 2, 96, tokenizer().vocabSize(), 64, 1e-6f, 1e6f, false, 24,
                new Variant(Variant.Family.QWEN3, Set.of(), true, Rope.Scaling.NONE));
    }

    static LlamaConfig llama3Rope() {
        return llama(true).withVariant(Variant.LLAMA.withRopeScaling(new Rope.Scaling.Llama3(8f, 1f, 4f, 32)));
    }

    /** A model of shape {@code config} with random weights (biases and norms too), saved in {@code dir}. */
    static Path save(Path dir, LlamaConfig config, long seed) {
        Llama model = Llama.initialize(config, new Rng(seed));
        Rng rng = new Rng(seed + 1);
        // Llama.initialize sets norms to 1 and biases to 0; random values make the round trip check them too.
        model.parameters().forEach((name, t) -> {
            if (t.shape().length == 1) for (int i = 0; i < t.data.length; i++) t.data[i] = (float) (1 + 0.1 * rng.nextGaussian());
        });
        ModelDirectory.save(dir, model, tokenizer());
        return dir;
    }
}
