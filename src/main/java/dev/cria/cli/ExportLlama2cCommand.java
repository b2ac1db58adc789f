package dev.cria.cli;

import dev.cria.checkpoint.ModelDirectory;
import dev.cria.checkpoint.llama2c.Llama2cTokenizerFile;
import dev.cria.checkpoint.llama2c.Llama2cWriter;
import dev.cria.model.Llama;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cria export llama2c}: a model directory as a llama2.c checkpoint (and tokenizer.bin) for run.c. */
@Command(name = "llama2c", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a model as a float32 llama2.c checkpoint that Karpathy's run.c runs:",
                "  ./run model.bin -z tokenizer.bin",
                "q and k weights are reordered to llama2.c's interleaved RoPE layout, so run.c computes Cria's logits.",
                "Refused, naming the config.json field: biases, q/k norms, rope_scaling, rope_theta other than 10000,",
                "rms_norm_eps other than 1e-5, head_dim other than hidden_size / heads, a score head. LoRA adapters are merged.",
                "run.c starts every sequence with id 1 and stops when it samples id 1."})
final class ExportLlama2cCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Model or run directory.")
    Path model;

    @Option(names = "--out", required = true, description = "The .bin file to write.")
    Path out;

    @Option(names = "--version", defaultValue = "0",
            description = "0: the legacy format run.c reads; 1: export.py's 256-byte headed format. Default: ${DEFAULT-VALUE}.")
    int version;

    @Option(names = "--tokenizer-out", description = "Also write the model's tokenizer as llama2.c's tokenizer.bin here.")
    Path tokenizerOut;

    @Override
    public Integer call() {
        ModelDirectory.Loaded loaded = ModelDirectory.load(model);
        Llama llama = loaded.model();
        if (llama.hasAdapters()) llama.mergeLora();
        Llama2cWriter.write(out, llama, version, loaded.dir().toString());
        System.out.printf("wrote %s (llama2.c version %d, %,d parameters)%n", out, version, llama.config().parameterCount());
        if (tokenizerOut != null) {
            Llama2cTokenizerFile.of(loaded.tokenizer(), llama.config().vocab()).write(tokenizerOut);
            System.out.printf("wrote %s (%,d tokens)%n", tokenizerOut, llama.config().vocab());
        }
        return 0;
    }
}
