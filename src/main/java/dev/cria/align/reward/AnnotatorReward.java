package dev.cria.align.reward;

import dev.cria.world.SimulatedAnnotator;
import java.util.List;

/** The simulated annotator's score of each response to its prompt: a stand-in for human judgement. */
public record AnnotatorReward(SimulatedAnnotator annotator) implements Reward {
    @Override
    public float[] score(List<Sample> samples) {
        float[] out = new float[samples.size()];
        for (int i = 0; i < out.length; i++) out[i] = (float) annotator.score(samples.get(i).prompt(), samples.get(i).response());
        return out;
    }

    @Override
    public String name() {
        return "annotator";
    }
}
