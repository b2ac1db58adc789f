package dev.cria.align.reward;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import java.util.ArrayList;
import java.util.List;

/**
 * Sentence embeddings by all-MiniLM-L6-v2 (384 dimensions, mean-pooled), run by the ONNX runtime that
 * ships inside the langchain4j jar: nothing is downloaded. The model is loaded once per JVM, on first use
 * (about a second and 90 MB). It is a frozen scorer, not part of Cria's model stack.
 */
public final class SentenceEmbedder {
    /** all-MiniLM-L6-v2's embedding size. */
    public static final int DIMENSION = 384;
    /** Texts per call into the model, so one huge round does not hold every tensor at once. */
    private static final int BATCH = 32;

    private SentenceEmbedder() {
    }

    /** subtle: the holder class is loaded, and the model with it, only when an embedding is first asked for. */
    private static final class Shared {
        // Runnable::run keeps the embedding on the caller's thread; the ONNX runtime uses the cores itself.
        static final EmbeddingModel MODEL = new AllMiniLmL6V2EmbeddingModel(Runnable::run);
    }

    /**
     * One embedding per text, in order. A blank text (which the model refuses) gets the zero vector,
     * whose cosine with anything is 0.
     */
    public static float[][] embed(List<String> texts) {
        float[][] out = new float[texts.size()][];
        var batch = new ArrayList<TextSegment>();
        var rows = new ArrayList<Integer>();
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i).isBlank()) continue;
            batch.add(TextSegment.from(texts.get(i)));
            rows.add(i);
            if (batch.size() == BATCH) flush(batch, rows, out);
        }
        flush(batch, rows, out);
        for (int i = 0; i < out.length; i++) if (out[i] == null) out[i] = new float[DIMENSION];
        return out;
    }

    public static float[] embed(String text) {
        return embed(List.of(text))[0];
    }

    private static void flush(List<TextSegment> batch, List<Integer> rows, float[][] out) {
        if (batch.isEmpty()) return;
        var embeddings = Shared.MODEL.embedAll(batch).content();
        for (int j = 0; j < rows.size(); j++) out[rows.get(j)] = embeddings.get(j).vector();
        batch.clear();
        rows.clear();
    }

    /** a·b / (|a|·|b|), in double; 0 when either vector is zero. */
    public static double cosine(float[] a, float[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("vectors of " + a.length + " and " + b.length + " dimensions");
        double dot = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            aa += (double) a[i] * a[i];
            bb += (double) b[i] * b[i];
        }
        return aa == 0 || bb == 0 ? 0 : dot / Math.sqrt(aa * bb);
    }
}
