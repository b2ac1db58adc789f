package dev.cria.checkpoint.llama2c;

import dev.cria.autograd.Tensor;
import dev.cria.model.HfNames;
import dev.cria.model.Llama;
import java.util.Map;

/**
 * Gives a model's bos token id 1, where run.c expects it: run.c starts every sequence with id 1 and
 * stops when it samples id 1 (sentencepiece Llama's {@code <s>}). Cria's tokenizers put bos after the
 * bytes and merges, so their id 1 is the byte 0x01. Swapping the two ids' rows of the embedding and the
 * classifier, and their entries in tokenizer.bin, gives the same model under renumbered tokens.
 *
 * <p>The swap is the exporter's alone: a file written with it imports with the ids swapped.
 */
public final class BosAtOne {
    /** run.c's hard-coded bos id. */
    public static final int RUN_C_BOS = 1;

    private BosAtOne() {
    }

    /** Swaps rows {@code bos} and 1 of the embedding and, if untied, the LM head, in place. */
    public static void swapRows(Llama model, int bos) {
        Map<String, Tensor> weights = model.parameters();
        int C = model.config().dim();
        swap(weights.get(HfNames.embedding()).data, C, bos);
        if (!model.config().tieEmbeddings()) swap(weights.get(HfNames.lmHead()).data, C, bos);
    }

    /** The tokenizer file with entries {@code bos} and 1 swapped. */
    public static Llama2cTokenizerFile swapEntries(Llama2cTokenizerFile file, int bos) {
        float[] scores = file.scores().clone();
        byte[][] tokens = file.tokens().clone();
        scores[bos] = file.scores()[RUN_C_BOS];
        scores[RUN_C_BOS] = file.scores()[bos];
        tokens[bos] = file.tokens()[RUN_C_BOS];
        tokens[RUN_C_BOS] = file.tokens()[bos];
        return new Llama2cTokenizerFile(file.maxTokenLength(), scores, tokens);
    }

    private static void swap(float[] matrix, int cols, int bos) {
        float[] row = new float[cols];
        System.arraycopy(matrix, bos * cols, row, 0, cols);
        System.arraycopy(matrix, RUN_C_BOS * cols, matrix, bos * cols, cols);
        System.arraycopy(row, 0, matrix, RUN_C_BOS * cols, cols);
    }
}
