package dev.cria.cli;

import dev.cria.checkpoint.gguf.GgufExport;
import dev.cria.checkpoint.gguf.GgufFileType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cria export gguf}: a model directory as a GGUF file for llama.cpp, Ollama and LM Studio. */
@Command(name = "gguf", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a model as one GGUF file for llama.cpp, Ollama and LM Studio.",
                "Laid out as llama.cpp's convert_hf_to_gguf.py writes it: llama and mistral as architecture llama (q/k rows "
                        + "permuted for its RoPE), qwen2 and qwen3 as themselves, with the tokenizer and chat template. Norms and "
                        + "biases stay f32; with q8_0 or q4_0, matrices whose rows are not a multiple of 32 fall back to f16, and "
                        + "under q4_0 the embedding and output matrices take q8_0."})
final class ExportGgufCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Model or run directory.")
    Path model;

    @Option(names = "--out", required = true, description = "The .gguf file to write (replaced atomically).")
    Path out;

    @Option(names = "--type", defaultValue = "f16", description = "Weight type: f32, f16, bf16, q8_0 or q4_0. Default: ${DEFAULT-VALUE}.")
    String type;

    @Override
    public Integer call() {
        GgufFileType fileType = GgufFileType.named(type);
        GgufExport.export(model, out, fileType);
        System.out.printf("wrote %s (%s, %.1f MB)%n", out, fileType.name().toLowerCase(java.util.Locale.ROOT), sizeMb(out));
        return 0;
    }

    private static double sizeMb(Path file) {
        try {
            return Files.size(file) / 1e6;
        } catch (java.io.IOException e) {
            return 0;
        }
    }
}
