package dev.cria.cli;

import dev.cria.checkpoint.ModelDirectory;
import dev.cria.checkpoint.llama2c.Llama2cReader;
import dev.cria.checkpoint.llama2c.Llama2cTokenizerFile;
import dev.cria.checkpoint.llama2c.SentencePieceJson;
import dev.cria.io.AtomicDirectory;
import dev.cria.model.Llama;
import dev.cria.tokenizer.Tokenizer;
import dev.cria.tokenizer.Tokenizers;
import dev.cria.util.CriaException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cria import llama2c}: a llama2.c checkpoint as a Cria (Hugging Face layout) model directory. */
@Command(name = "llama2c", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Build a model directory from a float32 llama2.c checkpoint.",
                "Reads versions 0 and 1 (told apart by the magic). q and k weights go back to the Hugging Face RoPE layout; rms_norm_eps is 1e-5 and rope_theta 10000, as in run.c.",
                "A model directory needs a tokenizer.json to generate: pass the model's own with --tokenizer-json, or a "
                + "sentencepiece tokenizer.bin (llama2.c's own models) with --tokenizer. Cria's byte-level tokenizer.bin files are "
                + "not converted (their merges cannot be told from their strings): use the tokenizer.json they were exported from. "
                + "Without either, only config.json and model.safetensors are written; add tokenizer.json before using the model."})
final class ImportLlama2cCommand implements Callable<Integer> {
    @Option(names = "--bin", required = true, description = "The llama2.c checkpoint (.bin).")
    Path bin;

    @Option(names = "--out", required = true, description = "The model directory to write (replaced as a whole).")
    Path out;

    @Option(names = "--tokenizer-json", description = "The model's tokenizer.json, copied into the directory.")
    Path tokenizerJson;

    @Option(names = "--tokenizer", description = "A sentencepiece tokenizer.bin as llama2.c's tokenizer.py writes it (Llama 2's, "
            + "or train_vocab.sh's), converted to a Llama 2 style tokenizer.json.")
    Path tokenizerBin;

    @Override
    public Integer call() {
        if (tokenizerJson != null && tokenizerBin != null) throw new CriaException("give --tokenizer-json or --tokenizer, not both");
        Tokenizer tokenizer = tokenizerJson != null ? Tokenizers.load(tokenizerJson) : null;
        SentencePieceJson pieces = tokenizerBin != null ? SentencePieceJson.of(Llama2cTokenizerFile.read(tokenizerBin), tokenizerBin.toString()) : null;
        int tokens = tokenizer != null ? tokenizer.vocabSize() : pieces != null ? pieces.vocabSize() : 0;
        Llama2cReader.Checkpoint checkpoint = Llama2cReader.read(bin);
        Llama model = checkpoint.model();
        int vocab = checkpoint.header().vocab();
        if (tokens > vocab) {
            throw new CriaException((tokenizer != null ? tokenizerJson : tokenizerBin) + ": has " + tokens + " tokens but " + bin
                    + " has vocab_size " + vocab);
        }
        if (tokenizer != null) {
            ModelDirectory.save(out, model, tokenizer);
        } else if (pieces != null) {
            AtomicDirectory.replace(out, tmp -> {
                pieces.write(tmp);
                ModelDirectory.writeModel(tmp, model, Tokenizers.load(tmp.resolve(ModelDirectory.TOKENIZER)));
            });
        } else {
            ModelDirectory.saveWithoutTokenizer(out, model);
        }
        System.out.printf("read %s (llama2.c version %d, %,d parameters); wrote %s%n", bin, checkpoint.version(),
                checkpoint.model().config().parameterCount(), out);
        if (tokens == 0) System.out.println("no --tokenizer-json or --tokenizer: copy the model's tokenizer.json into " + out + " before generating");
        return 0;
    }
}
