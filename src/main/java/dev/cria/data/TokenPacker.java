package dev.cria.data;

import dev.cria.tokenizer.Tokenizer;
import dev.cria.util.CriaException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Pretokenizes a corpus: each document becomes {@code <bos> tokens <eos>}, the documents are split into
 * train and validation, and each side is concatenated into one {@link PackedTokens} file,
 * {@code train.bin} and {@code val.bin}.
 *
 * <p>The split is by document, so no story is half in train and half in val. Validation takes
 * {@code round(n × valFraction)} documents (at least one when there are two or more, never all of them),
 * spread evenly through the corpus rather than taken from its end, so a corpus sorted by source or topic
 * still gets a representative validation set. The choice depends only on the document count and the
 * fraction: the same corpus always splits the same way.
 *
 * <p>Single-threaded: tokenizers are not promised to be thread-safe, and at Cria's scale this is seconds.
 */
public final class TokenPacker {
    public static final double DEFAULT_VAL_FRACTION = 0.05;
    public static final String TRAIN_FILE = "train.bin";
    public static final String VAL_FILE = "val.bin";

    private TokenPacker() {}

    /**
     * What {@link #pretokenize} wrote.
     *
     * @param trainFile path of train.bin
     * @param valFile path of val.bin (may hold zero tokens when there was one document)
     */
    public record Summary(Path trainFile, Path valFile, int trainDocuments, int valDocuments,
                          int trainTokens, int valTokens) {}

    /** Tokenizes, splits and writes {@code train.bin} and {@code val.bin} with the default 5% validation. */
    public static Summary pretokenize(Tokenizer tokenizer, List<String> documents, Path outDir) {
        return pretokenize(tokenizer, documents, outDir, DEFAULT_VAL_FRACTION);
    }

    /** Tokenizes, splits and writes {@code train.bin} and {@code val.bin} into {@code outDir}, creating it. */
    public static Summary pretokenize(Tokenizer tokenizer, List<String> documents, Path outDir, double valFraction) {
        if (documents.isEmpty()) throw new CriaException("no documents to pretokenize: the corpus is empty");
        boolean[] isVal = valDocuments(documents.size(), valFraction);
        List<String> train = new ArrayList<>();
        List<String> val = new ArrayList<>();
        for (int i = 0; i < documents.size(); i++) (isVal[i] ? val : train).add(documents.get(i));

        int[] trainTokens = pack(tokenizer, train);
        int[] valTokens = pack(tokenizer, val);
        try {
            Files.createDirectories(outDir);
        } catch (IOException e) {
            throw new CriaException(outDir + ": cannot create output directory: " + e.getMessage(), e);
        }
        Path trainFile = outDir.resolve(TRAIN_FILE);
        Path valFile = outDir.resolve(VAL_FILE);
        PackedTokens.write(trainFile, trainTokens, tokenizer.vocabSize());
        PackedTokens.write(valFile, valTokens, tokenizer.vocabSize());
        return new Summary(trainFile, valFile, train.size(), val.size(), trainTokens.length, valTokens.length);
    }

    /** {@code <bos> doc <eos>} for every document, concatenated. */
    public static int[] pack(Tokenizer tokenizer, List<String> documents) {
        int bos = tokenizer.requireBos("packing documents as <bos> doc <eos>");
        int eos = tokenizer.requireEos("packing documents as <bos> doc <eos>");
        List<int[]> encoded = new ArrayList<>(documents.size());
        long total = 0;
        for (String document : documents) {
            int[] ids = tokenizer.encode(document);
            encoded.add(ids);
            total += ids.length + 2;
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new CriaException("corpus is " + total + " tokens, more than one token file holds (" + (Integer.MAX_VALUE - 8) + "); split it");
        }
        int[] stream = new int[(int) total];
        int at = 0;
        for (int[] ids : encoded) {
            stream[at++] = bos;
            System.arraycopy(ids, 0, stream, at, ids.length);
            at += ids.length;
            stream[at++] = eos;
        }
        return stream;
    }

    /**
     * Which of {@code count} documents go to validation (see the class comment). Example: 100 documents
     * at 0.05 gives documents 10, 30, 50, 70 and 90.
     */
    public static boolean[] valDocuments(int count, double valFraction) {
        if (count < 0) throw new IllegalArgumentException("count < 0: " + count);
        if (!(valFraction >= 0 && valFraction < 1)) throw new IllegalArgumentException("valFraction must be in [0, 1): " + valFraction);
        boolean[] isVal = new boolean[count];
        if (count < 2 || valFraction == 0) return isVal;
        int valCount = (int) Math.max(1, Math.min(count - 1, Math.round(count * valFraction)));
        // The middle of each of valCount equal slices: distinct indices, because each slice is at least one document wide.
        for (int k = 0; k < valCount; k++) isVal[(int) ((k + 0.5) * count / valCount)] = true;
        return isVal;
    }
}
