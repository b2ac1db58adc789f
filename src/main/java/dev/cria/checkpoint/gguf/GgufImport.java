package dev.cria.checkpoint.gguf;

import dev.cria.checkpoint.ModelDirectory;
import dev.cria.checkpoint.WeightFiles;
import dev.cria.io.Safetensors.Dtype;
import dev.cria.model.Llama;
import dev.cria.model.LlamaConfig;
import dev.cria.tokenizer.Tokenizer;
import java.nio.file.Path;

/**
 * A GGUF file (Cria's, or llama.cpp's own for the llama, qwen2 and qwen3 architectures) as a model
 * directory: config.json, model.safetensors with every tensor dequantized to float32 and the q/k rows in
 * Hugging Face's order again, tokenizer.json and tokenizer_config.json rebuilt from the vocabulary
 * ({@link VocabImport}). F32 weights come back bit for bit; quantized ones as their dequantized values.
 */
public final class GgufImport {
    private GgufImport() {
    }

    /**
     * Writes the model in {@code file} to directory {@code out} (replaced as a whole), its weights in
     * {@code dtype}. F32 holds every GGUF value exactly (F16, BF16 and dequantized blocks included); F16 or
     * BF16 halve the directory but round the F32 norms too, since a directory has one dtype.
     */
    public static void importTo(Path file, Path out, Dtype dtype) {
        GgufReader r = GgufReader.open(file);
        LlamaConfig config = GgufConfig.read(r);
        Tokenizer tokenizer = GgufModel.tokenizer(r, config);
        Llama model = GgufWeights.model(r, config, false);
        ModelDirectory.saveAs(model, dtype, WeightFiles.DEFAULT_MAX_SHARD_BYTES);
        ModelDirectory.save(out, model, tokenizer);
    }
}
