package dev.cria.cli;

import dev.cria.data.PackedTokens;
import dev.cria.world.StoryGenerator;
import dev.cria.data.TextSources;
import dev.cria.data.TokenPacker;
import dev.cria.tokenizer.BpeTokenizer;
import dev.cria.tokenizer.ByteTokenizer;
import dev.cria.tokenizer.Tokenizer;
import dev.cria.tokenizer.Tokenizers;
import dev.cria.util.CriaException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Gets a run its data: the documents (files, or the built-in stories), a tokenizer (given, bytes, or BPE
 * trained on the documents) and the packed train/val token streams, written into the run's
 * {@code data/} so that a resumed run reads exactly the same tokens.
 */
final class Corpus {
    static final String DATA_DIR = "data";

    record Prepared(Tokenizer tokenizer, int[] train, int[] val, int documents) {
    }

    private Corpus() {
    }

    static List<String> documents(List<Path> files, int stories, long storySeed) {
        if (files == null || files.isEmpty()) {
            if (stories <= 1) throw new CriaException("--stories must be at least 2: " + stories);
            System.err.printf("generating %,d built-in stories (seed %d)%n", stories, storySeed);
            return new StoryGenerator(storySeed).stories(stories);
        }
        var docs = new ArrayList<String>();
        for (Path p : files) docs.addAll(TextSources.read(p));
        if (docs.size() < 2) throw new CriaException("need at least 2 documents (one for validation), found " + docs.size() + " in " + files);
        return docs;
    }

    static Tokenizer tokenizer(List<String> docs, Path tokenizerFile, boolean bytes, int vocab) {
        if (tokenizerFile != null) return Tokenizers.load(tokenizerFile);
        if (bytes) return new ByteTokenizer();
        long start = System.nanoTime();
        Tokenizer t = BpeTokenizer.train(docs, vocab);
        System.err.printf("trained a %d-token BPE tokenizer in %.1fs%n", vocab, (System.nanoTime() - start) / 1e9);
        return t;
    }

    static Prepared pack(Tokenizer tokenizer, List<String> docs, Path runDir, double valFraction) {
        var summary = TokenPacker.pretokenize(tokenizer, docs, runDir.resolve(DATA_DIR), valFraction);
        System.err.println(describe(summary));
        return new Prepared(tokenizer, PackedTokens.read(summary.trainFile()).tokens(), PackedTokens.read(summary.valFile()).tokens(), docs.size());
    }

    /** One line for people, e.g. {@code packed 47 documents, 10,040 tokens, into .../train.bin; 3 documents, 596 tokens, into .../val.bin}. */
    static String describe(TokenPacker.Summary s) {
        return String.format("packed %,d documents, %,d tokens, into %s; %,d documents, %,d tokens, into %s", s.trainDocuments(), s.trainTokens(),
                s.trainFile(), s.valDocuments(), s.valTokens(), s.valFile());
    }

    /** The packed streams a run wrote at its start, for resuming. */
    static int[][] load(Path runDir) {
        Path dir = runDir.resolve(DATA_DIR);
        Path train = dir.resolve(TokenPacker.TRAIN_FILE), val = dir.resolve(TokenPacker.VAL_FILE);
        if (!Files.exists(train) || !Files.exists(val)) {
            throw new CriaException(dir + ": the run's packed data (" + TokenPacker.TRAIN_FILE + ", " + TokenPacker.VAL_FILE + ") is missing");
        }
        return new int[][] {PackedTokens.read(train).tokens(), PackedTokens.read(val).tokens()};
    }
}
