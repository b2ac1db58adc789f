package dev.cria.checkpoint.gguf;

import dev.cria.checkpoint.HfConfig;
import dev.cria.checkpoint.ModelDirectory;
import dev.cria.io.AtomicFiles;
import dev.cria.io.Io;
import dev.cria.io.Safetensors;
import dev.cria.model.Llama;
import dev.cria.model.LlamaConfig;
import dev.cria.tokenizer.Tokenizer;
import dev.cria.tokenizer.Tokenizers;
import dev.cria.util.CriaException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A GGUF file loaded to run, as {@link ModelDirectory#loadFrozen} loads a directory: the model with its
 * F16, BF16, Q8_0 and Q4_0 matrices left as views of the mapped file ({@link GgufWeights}), the tokenizer
 * rebuilt from the file's vocabulary ({@link VocabImport}), and the chat template and special ids.
 *
 * <p>subtle: the rest of Cria finds a model's chat template, eos ids and tokenizer files in its directory,
 * so the loaded model's {@code dir} is a small directory written beside nothing: config.json,
 * tokenizer.json and tokenizer_config.json (no weights) in the temporary directory, deleted when the JVM exits.
 */
public final class GgufModel {
    private static final String SUFFIX = ".gguf";

    private GgufModel() {
    }

    /** True for a path that names a GGUF file rather than a model directory (a missing one too, so the error says "file"). */
    public static boolean isGguf(Path path) {
        return path.getFileName() != null && path.getFileName().toString().endsWith(SUFFIX) && !Files.isDirectory(path);
    }

    /** Loads a GGUF file to run: 16-bit and quantized matrices stay in the mapped file. */
    public static ModelDirectory.Loaded load(Path file) {
        return load(file, true);
    }

    /** As {@link #load(Path)}; without {@code frozen} every weight is widened to a float32 parameter (to train). */
    public static ModelDirectory.Loaded load(Path file, boolean frozen) {
        GgufReader r = GgufReader.open(file);
        LlamaConfig config = GgufConfig.read(r);
        Tokenizer tokenizer = tokenizer(r, config);
        Llama model = GgufWeights.model(r, config, frozen);
        Path dir = sidecar(file, config, tokenizer);
        return new ModelDirectory.Loaded(dir, model, tokenizer, Optional.empty(), Map.of());
    }

    /** The file's vocabulary as a tokenizer, through the tokenizer.json it rebuilds. */
    static Tokenizer tokenizer(GgufReader r, LlamaConfig config) {
        int tokens = VocabImport.size(r);
        if (tokens > config.vocab()) {
            throw new CriaException(r.file() + ": " + GgufKeys.TOKENS + " has " + tokens + " tokens but the model's vocab_size is " + config.vocab());
        }
        String[] files = VocabImport.files(r);
        Path dir = temporaryDirectory(r.file());
        try {
            AtomicFiles.writeString(dir.resolve(ModelDirectory.TOKENIZER), files[0]);
            AtomicFiles.writeString(dir.resolve(ModelDirectory.TOKENIZER_CONFIG), files[1]);
            return Tokenizers.load(dir.resolve(ModelDirectory.TOKENIZER));
        } finally {
            deleteQuietly(dir);
        }
    }

    private static Path sidecar(Path file, LlamaConfig config, Tokenizer tokenizer) {
        Path dir = temporaryDirectory(file);
        dir.toFile().deleteOnExit();
        var ids = new HfConfig.TokenIds(tokenizer.bosId() >= 0 ? tokenizer.bosId() : null,
                tokenizer.eosId() >= 0 ? tokenizer.eosId() : null, tokenizer.padId() >= 0 ? tokenizer.padId() : null);
        Path configFile = dir.resolve(ModelDirectory.CONFIG);
        configFile.toFile().deleteOnExit();
        AtomicFiles.writeString(configFile, HfConfig.toJson(config, ids, Safetensors.Dtype.F32, null));
        tokenizer.save(dir.resolve(ModelDirectory.TOKENIZER));
        for (String name : new String[] {ModelDirectory.TOKENIZER, ModelDirectory.TOKENIZER_CONFIG, "chat_template.jinja"}) {
            dir.resolve(name).toFile().deleteOnExit();
        }
        return dir;
    }

    private static Path temporaryDirectory(Path file) {
        try {
            return Files.createTempDirectory("cria-gguf-");
        } catch (IOException e) {
            throw Io.failure("create a temporary directory for", file, e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) Files.deleteIfExists(f);
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a leftover temporary directory is harmless
        }
    }
}
