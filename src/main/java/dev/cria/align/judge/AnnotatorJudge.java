package dev.cria.align.judge;

import dev.cria.world.SimulatedAnnotator;
import java.util.List;

/**
 * The simulated annotator as a judge: certain either way (1 or 0), and 0.5 when its scores tie by its
 * own rule. This is how {@code pairs} and {@code judge} have always labelled and scored.
 */
public record AnnotatorJudge(SimulatedAnnotator annotator) implements ScoringJudge {
    public AnnotatorJudge() {
        this(new SimulatedAnnotator());
    }

    @Override
    public double[] probabilityAWins(List<String> prompts, List<String> a, List<String> b) {
        PairJudge.checkSizes(prompts, a, b);
        double[] out = new double[prompts.size()];
        for (int i = 0; i < out.length; i++) out[i] = annotator.outcome(prompts.get(i), a.get(i), b.get(i));
        return out;
    }

    @Override
    public double[] scores(List<String> prompts, List<String> answers) {
        double[] out = new double[answers.size()];
        for (int i = 0; i < out.length; i++) out[i] = annotator.score(prompts.get(i), answers.get(i));
        return out;
    }

    @Override
    public String name() {
        return "annotator";
    }
}
