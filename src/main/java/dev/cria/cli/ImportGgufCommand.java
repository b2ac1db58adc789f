package dev.cria.cli;

import dev.cria.checkpoint.gguf.GgufImport;
import dev.cria.io.Safetensors.Dtype;
import dev.cria.util.CriaException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cria import gguf}: a GGUF file (Cria's or llama.cpp's) as a model directory. */
@Command(name = "gguf", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Read a GGUF file into a model directory.",
                "Architectures llama, qwen2 and qwen3 with F32, F16, BF16, Q8_0 or Q4_0 tensors: config.json, model.safetensors "
                        + "(dequantized, q/k rows back in Hugging Face's order), tokenizer.json rebuilt from the vocabulary, "
                        + "tokenizer_config.json with the chat template. To only run a GGUF file, give it to --model directly "
                        + "(generate, serve, eval)."})
final class ImportGgufCommand implements Callable<Integer> {
    @Option(names = "--gguf", required = true, description = "The .gguf file.")
    Path gguf;

    @Option(names = "--out", required = true, description = "The model directory to write (replaced as a whole).")
    Path out;

    @Option(names = "--dtype", defaultValue = "f32", description = "Weights as f32 (every GGUF value exactly), bf16 or f16. Default: ${DEFAULT-VALUE}.")
    String dtype;

    @Override
    public Integer call() {
        GgufImport.importTo(gguf, out, dtype(dtype));
        System.out.println("wrote " + out);
        return 0;
    }

    private static Dtype dtype(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "f32" -> Dtype.F32;
            case "bf16" -> Dtype.BF16;
            case "f16" -> Dtype.F16;
            default -> throw new CriaException("--dtype " + name + ": choose f32, bf16 or f16");
        };
    }
}
