package dev.cria.cli;

import dev.cria.data.TextSources;
import dev.cria.tokenizer.BpeTokenizer;
import dev.cria.tokenizer.Tokenizer;
import dev.cria.tokenizer.Tokenizers;
import dev.cria.util.CriaException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Trains a byte-level BPE tokenizer, or shows how one splits a text. */
@Command(name = "tokenizer", mixinStandardHelpOptions = true,
        description = "Train a byte-level BPE tokenizer (saved as a Hugging Face tokenizer.json), or show how one encodes a text.",
        subcommands = {TokenizerCommand.Train.class, TokenizerCommand.Encode.class})
final class TokenizerCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "train", mixinStandardHelpOptions = true, description = "Train BPE on text or JSONL files.")
    static final class Train implements Callable<Integer> {
        @Option(names = "--data", required = true, split = ",", description = "Text or JSONL files (comma-separated or repeated).")
        List<Path> data;

        @Option(names = "--vocab", defaultValue = "512", description = "Vocabulary size, including 256 bytes and 7 specials. Default: ${DEFAULT-VALUE}.")
        int vocab;

        @Option(names = "--out", required = true, description = "Where to write tokenizer.json.")
        Path out;

        @Override
        public Integer call() {
            if (vocab < 256 + 7) throw new CriaException("--vocab must be at least 263 (256 bytes + 7 specials): " + vocab);
            var docs = new ArrayList<String>();
            for (Path p : data) docs.addAll(TextSources.read(p));
            long start = System.nanoTime();
            BpeTokenizer tokenizer = BpeTokenizer.train(docs, vocab);
            tokenizer.save(out);
            System.out.printf("trained a %d-token BPE on %,d documents in %.1fs; wrote %s%n", vocab, docs.size(),
                    (System.nanoTime() - start) / 1e9, out);
            return 0;
        }
    }

    @Command(name = "encode", mixinStandardHelpOptions = true, description = "Print the token ids and pieces of a text.")
    static final class Encode implements Callable<Integer> {
        @Option(names = "--tokenizer", required = true, description = "A tokenizer.json file.")
        Path tokenizerFile;

        @Option(names = "--text", required = true, description = "Text to encode.")
        String text;

        @Override
        public Integer call() {
            Tokenizer tokenizer = Tokenizers.load(tokenizerFile);
            int[] ids = tokenizer.encode(text);
            var pieces = new StringBuilder();
            for (int id : ids) pieces.append('[').append(tokenizer.decode(new int[] {id})).append(']');
            System.out.println(java.util.Arrays.toString(ids));
            System.out.println(pieces);
            System.out.printf("%d tokens for %d bytes%n", ids.length, text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
            return 0;
        }
    }
}
