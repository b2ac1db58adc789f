package dev.cria.cli;

import dev.cria.checkpoint.ModelDirectory;
import dev.cria.checkpoint.llama2c.BosAtOne;
import dev.cria.checkpoint.llama2c.Llama2cTokenizerFile;
import dev.cria.checkpoint.llama2c.Llama2cWriter;
import dev.cria.model.Llama;
import dev.cria.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cria export llama2c}: a model directory as a llama2.c checkpoint (and tokenizer.bin) for run.c. */
@Command(name = "llama2c", sortOptions = false,
        description = {"Write a model as a float32 llama2.c checkpoint for Karpathy's run.c.",
                "Run it with: run model.bin -z tokenizer.bin. "
                + "q and k weights are reordered to llama2.c's interleaved RoPE layout, so run.c computes Cria's logits.",
                "Refused, naming the config.json field: biases, q/k norms, rope_scaling, rope_theta other than 10000, "
                + "rms_norm_eps other than 1e-5, head_dim other than hidden_size / heads, a score head. LoRA adapters are merged.",
                "run.c starts every sequence with id 1 and stops when it samples id 1 (Llama 2's <s>); for a tokenizer whose "
                + "bos is another id (all of Cria's), --bos-as-1 renumbers the tokens so run.c starts where Cria's generate does."})
final class ExportLlama2cCommand implements Callable<Integer> {
    // subtle: --version names the llama2.c format here, so picocli's standard -V/--version mixin is left out
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--model", required = true, description = "Model or run directory.")
    Path model;

    @Option(names = "--out", required = true, description = "The .bin file to write.")
    Path out;

    @Option(names = "--version", defaultValue = "0",
            description = "0: the legacy format run.c reads; 1: export.py's 256-byte headed format. Default: ${DEFAULT-VALUE}.")
    int version;

    @Option(names = "--tokenizer-out", description = "Also write the model's tokenizer as llama2.c's tokenizer.bin here.")
    Path tokenizerOut;

    @Option(names = "--bos-as-1", description = "Swap the ids of the tokenizer's bos and token 1 in the file (embedding, "
            + "classifier, tokenizer.bin rows): the same model under renumbered ids. Importing the file keeps the swap.")
    boolean bosAsOne;

    @Override
    public Integer call() {
        Llama2cWriter.requireVersion(version);
        ModelDirectory.Loaded loaded = ModelDirectory.load(model);
        Llama llama = loaded.model();
        if (llama.hasAdapters()) llama.mergeLora();
        Tokenizer tokenizer = loaded.tokenizer();
        int bos = bosAsOne ? tokenizer.requireBos("--bos-as-1") : BosAtOne.RUN_C_BOS;
        if (bos != BosAtOne.RUN_C_BOS) BosAtOne.swapRows(llama, bos);
        Llama2cWriter.write(out, llama, version, loaded.dir().toString());
        System.out.printf("wrote %s (llama2.c version %d, %,d parameters%s)%n", out, version, llama.config().parameterCount(),
                bos != BosAtOne.RUN_C_BOS ? ", ids " + bos + " (bos) and 1 swapped" : "");
        if (tokenizerOut != null) {
            var file = Llama2cTokenizerFile.of(tokenizer, llama.config().vocab());
            (bos != BosAtOne.RUN_C_BOS ? BosAtOne.swapEntries(file, bos) : file).write(tokenizerOut);
            System.out.printf("wrote %s (%,d tokens)%n", tokenizerOut, llama.config().vocab());
        }
        return 0;
    }
}
