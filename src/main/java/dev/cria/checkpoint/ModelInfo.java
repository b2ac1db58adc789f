package dev.cria.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cria.io.Io;
import dev.cria.io.Safetensors.Dtype;
import dev.cria.model.LlamaConfig;
import dev.cria.tokenizer.Tokenizer;
import dev.cria.tokenizer.Tokenizers;
import dev.cria.util.CriaException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a model directory holds, read from its config, the safetensors headers and the tokenizer,
 * without loading the weights.
 *
 * @param family        config.json's model_type ("llama" when absent)
 * @param tokenizerKind the tokenizer.json model type (e.g. "BPE"), Cria's tokenizer class when it names none,
 *                      or "none" without a tokenizer.json (as transformers may save a model alone)
 * @param chatTemplate  whether tokenizer_config.json has a chat_template or chat_template.jinja exists
 */
public record ModelInfo(Path dir, String family, LlamaConfig config, Dtype dtype, String tokenizerKind, int tokenizerVocab,
                        boolean chatTemplate) {
    public static final String TOKENIZER_CONFIG = "tokenizer_config.json";
    public static final String CHAT_TEMPLATE = "chat_template.jinja";

    /** Reads a model directory, or a run directory's checkpoint. */
    public static ModelInfo read(Path path) {
        Path dir = ModelDirectory.resolve(path);
        Path configFile = dir.resolve(ModelDirectory.CONFIG);
        LlamaConfig config = HfConfig.read(configFile);
        String family = json(configFile).path("model_type").asText("llama");
        if (!WeightFiles.present(dir)) {
            throw new CriaException(dir.resolve(WeightFiles.SINGLE) + ": missing; a model directory needs "
                    + WeightFiles.SINGLE + " or " + WeightFiles.INDEX);
        }
        Dtype dtype = WeightFiles.storedDtype(dir);
        Path tokenizerFile = dir.resolve(ModelDirectory.TOKENIZER);
        String kind = "none";
        int vocab = 0;
        if (Files.exists(tokenizerFile)) {
            Tokenizer tokenizer = Tokenizers.load(tokenizerFile);
            kind = json(tokenizerFile).path("model").path("type").asText(tokenizer.getClass().getSimpleName());
            vocab = tokenizer.vocabSize();
        }
        Path tokenizerConfig = dir.resolve(TOKENIZER_CONFIG);
        boolean template = Files.exists(dir.resolve(CHAT_TEMPLATE))
                || (Files.exists(tokenizerConfig) && json(tokenizerConfig).hasNonNull("chat_template"));
        return new ModelInfo(dir, family, config, dtype, kind, vocab, template);
    }

    private static JsonNode json(Path file) {
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new CriaException(file + ": not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw Io.failure("read", file, e);
        }
    }
}
