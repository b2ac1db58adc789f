package dev.cria.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cria.checkpoint.ModelDirectory;
import dev.cria.data.TextSources;
import dev.cria.tokenizer.BpeTokenizer;
import dev.cria.tokenizer.Tokenizer;
import dev.cria.tokenizer.Tokenizers;
import dev.cria.util.CriaException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Trains a byte-level BPE tokenizer, or encodes and decodes with any tokenizer.json. */
@Command(name = "tokenizer", mixinStandardHelpOptions = true,
        description = "Train a byte-level BPE tokenizer (saved as a Hugging Face tokenizer.json), or encode and decode with one (Cria's own or another model's).",
        subcommands = {TokenizerCommand.Train.class, TokenizerCommand.Encode.class, TokenizerCommand.Decode.class})
final class TokenizerCommand implements Runnable {
    private static final ObjectMapper JSON = new ObjectMapper();

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

    /** Where the tokenizer comes from: a tokenizer.json, or a model directory that holds one. */
    static final class Source {
        @Option(names = "--tokenizer", required = true, description = "A tokenizer.json file (Cria's own or another model's).")
        Path file;

        @Option(names = "--model", required = true, description = "A model directory with a tokenizer.json.")
        Path model;

        Tokenizer load() {
            if (file != null) return Tokenizers.load(file);
            Path dir = Files.isRegularFile(model.resolve(ModelDirectory.TOKENIZER)) ? model : ModelDirectory.resolve(model);
            return Tokenizers.load(dir.resolve(ModelDirectory.TOKENIZER));
        }
    }

    @Command(name = "encode", mixinStandardHelpOptions = true,
            description = "Print the token ids of a text, or of each {\"text\": ...} line of a JSONL file.")
    static final class Encode implements Callable<Integer> {
        @ArgGroup(multiplicity = "1")
        Source source;

        @ArgGroup(multiplicity = "1")
        Input input;

        static final class Input {
            @Option(names = "--text", required = true, description = "Text to encode.")
            String text;

            @Option(names = "--file", required = true, description = "A JSONL file, one {\"text\": ...} per line.")
            Path file;
        }

        @Option(names = "--add-special-tokens", description = "Match special tokens written in the text and add what the tokenizer's post-processor adds (e.g. bos), as Hugging Face does by default.")
        boolean addSpecialTokens;

        @Option(names = "--json", description = "Print one {\"ids\": [...]} line per input.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            Tokenizer tokenizer = source.load();
            List<String> texts = input.text != null ? List.of(input.text) : JsonLines.texts(input.file);
            for (String text : texts) {
                int[] ids = addSpecialTokens ? tokenizer.encodeAllowingSpecials(text, true) : tokenizer.encode(text);
                if (json) {
                    System.out.println(JSON.writeValueAsString(Map.of("ids", ids)));
                    continue;
                }
                var pieces = new StringBuilder();
                for (int id : ids) pieces.append('[').append(tokenizer.decode(new int[] {id})).append(']');
                System.out.println(Arrays.toString(ids));
                System.out.println(pieces);
                System.out.printf("%d tokens for %d bytes%n", ids.length, text.getBytes(StandardCharsets.UTF_8).length);
            }
            return 0;
        }
    }

    @Command(name = "decode", mixinStandardHelpOptions = true,
            description = "Print the text of some token ids, or of each {\"ids\": [...]} line of a JSONL file.")
    static final class Decode implements Callable<Integer> {
        @ArgGroup(multiplicity = "1")
        Source source;

        @ArgGroup(multiplicity = "1")
        Input input;

        static final class Input {
            @Option(names = "--ids", required = true, split = ",", description = "Token ids, comma-separated.")
            int[] ids;

            @Option(names = "--file", required = true, description = "A JSONL file, one {\"ids\": [...]} per line.")
            Path file;
        }

        @Option(names = "--json", description = "Print one {\"text\": ...} line per input.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            Tokenizer tokenizer = source.load();
            List<int[]> inputs = input.ids != null ? List.<int[]>of(input.ids) : JsonLines.ids(input.file);
            for (int i = 0; i < inputs.size(); i++) {
                String text;
                try {
                    text = tokenizer.decode(inputs.get(i));
                } catch (IllegalArgumentException badId) {
                    String where = input.file != null ? input.file + ": input " + (i + 1) : "--ids";
                    throw new CriaException(where + ": " + badId.getMessage());
                }
                System.out.println(json ? JSON.writeValueAsString(Map.of("text", text)) : text);
            }
            return 0;
        }
    }
}
