package dev.cria.align.judge;

import java.util.List;

/**
 * A judge that can score each answer on its own (the simulated annotator, a reward model), so that of
 * several answers the best and worst are found with one score each instead of a comparison per pair.
 * Its pairwise verdict is derived from the two scores.
 */
public interface ScoringJudge extends PairJudge {
    /** One score per answer, higher is better. */
    double[] scores(List<String> prompts, List<String> answers);
}
