package dev.cria.align.reward;

import dev.cria.util.CriaException;
import java.util.ArrayList;
import java.util.List;

/**
 * How close a response's meaning is to a fixed text: the cosine similarity of their all-MiniLM-L6-v2
 * sentence embeddings ({@link SentenceEmbedder}), as in the "aligning TinyStories to cats" write-up, which
 * rewards stories by their similarity to "cat". Unlike {@link KeywordReward} it gives partial credit
 * (a kitten, a purr) and a graded score. It reads the response only, never the prompt.
 */
public final class EmbeddingReward implements Reward {
    private final String target;
    private float[] targetEmbedding; // computed on first use, so parsing a flag does not load the model

    public EmbeddingReward(String target) {
        if (target == null || target.isBlank()) throw new CriaException("embedding reward needs a non-empty text to compare with");
        this.target = target;
    }

    public String target() {
        return target;
    }

    @Override
    public float[] score(List<Sample> samples) {
        var texts = new ArrayList<String>();
        for (Sample s : samples) texts.add(s.response());
        return similarities(texts);
    }

    /** cosine(embedding(text), embedding(target)) for each text; 0 for a blank one. */
    public float[] similarities(List<String> texts) {
        float[] t = targetEmbedding();
        float[][] e = SentenceEmbedder.embed(texts);
        float[] out = new float[texts.size()];
        for (int i = 0; i < out.length; i++) out[i] = (float) SentenceEmbedder.cosine(e[i], t);
        return out;
    }

    private synchronized float[] targetEmbedding() {
        if (targetEmbedding == null) targetEmbedding = SentenceEmbedder.embed(target);
        return targetEmbedding;
    }

    @Override
    public String name() {
        return "embedding(" + target + ")";
    }
}
