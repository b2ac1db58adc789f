package dev.cria.cli;

import dev.cria.data.TextSources;
import dev.cria.data.TokenPacker;
import dev.cria.tokenizer.Tokenizers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Tokenizes documents into packed train.bin / val.bin files. */
@Command(name = "pack", mixinStandardHelpOptions = true,
        description = "Tokenize text or JSONL documents into packed token files train.bin and val.bin (format in docs/formats.md).")
final class PackCommand implements Callable<Integer> {
    @Option(names = "--data", required = true, split = ",", description = "Text or JSONL files (comma-separated or repeated).")
    List<Path> data;

    @Option(names = "--tokenizer", required = true, description = "A tokenizer.json file.")
    Path tokenizerFile;

    @Option(names = "--val-fraction", defaultValue = "0.05", description = "Share of documents held out for validation. Default: ${DEFAULT-VALUE}.")
    double valFraction;

    @Option(names = "--out", required = true, description = "Output directory.")
    Path out;

    @Override
    public Integer call() {
        Flags.heldOutShare("--val-fraction", valFraction);
        var docs = new ArrayList<String>();
        for (Path p : data) docs.addAll(TextSources.read(p));
        var summary = TokenPacker.pretokenize(Tokenizers.load(tokenizerFile), docs, out, valFraction);
        System.out.println(Corpus.describe(summary));
        return 0;
    }
}
