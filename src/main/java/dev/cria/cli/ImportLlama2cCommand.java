package dev.cria.cli;

import dev.cria.checkpoint.ModelDirectory;
import dev.cria.checkpoint.llama2c.Llama2cReader;
import dev.cria.tokenizer.Tokenizer;
import dev.cria.tokenizer.Tokenizers;
import dev.cria.util.CriaException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cria import llama2c}: a llama2.c checkpoint as a Cria (Hugging Face layout) model directory. */
@Command(name = "llama2c", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Build a model directory from a float32 llama2.c checkpoint, version 0 or 1 (told apart by the magic).",
                "q and k weights go back to the Hugging Face RoPE layout; rms_norm_eps is 1e-5 and rope_theta 10000, as in run.c.",
                "A model directory needs a tokenizer.json to generate: pass the model's own with --tokenizer-json.",
                "Without one, only config.json and model.safetensors are written; add tokenizer.json before using the model.",
                "(llama2.c's tokenizer.bin holds token strings and scores but not BPE merges, so it is not converted.)"})
final class ImportLlama2cCommand implements Callable<Integer> {
    @Option(names = "--bin", required = true, description = "The llama2.c checkpoint (.bin).")
    Path bin;

    @Option(names = "--out", required = true, description = "The model directory to write (replaced as a whole).")
    Path out;

    @Option(names = "--tokenizer-json", description = "The model's tokenizer.json, copied into the directory.")
    Path tokenizerJson;

    @Override
    public Integer call() {
        Tokenizer tokenizer = tokenizerJson != null ? Tokenizers.load(tokenizerJson) : null;
        Llama2cReader.Checkpoint checkpoint = Llama2cReader.read(bin);
        int vocab = checkpoint.header().vocab();
        if (tokenizer != null && tokenizer.vocabSize() > vocab) {
            throw new CriaException(tokenizerJson + ": has " + tokenizer.vocabSize() + " tokens but " + bin + " has vocab_size " + vocab);
        }
        if (tokenizer != null) ModelDirectory.save(out, checkpoint.model(), tokenizer);
        else ModelDirectory.saveWithoutTokenizer(out, checkpoint.model());
        System.out.printf("read %s (llama2.c version %d, %,d parameters); wrote %s%n", bin, checkpoint.version(),
                checkpoint.model().config().parameterCount(), out);
        if (tokenizer == null) System.out.println("no --tokenizer-json: copy the model's tokenizer.json into " + out + " before generating");
        return 0;
    }
}
