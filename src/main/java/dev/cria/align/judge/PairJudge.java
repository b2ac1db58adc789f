package dev.cria.align.judge;

import java.util.List;

/**
 * Compares two answers to each prompt: the probability that answer A is the better one. 1 means A
 * surely, 0 means B surely, 0.5 no preference (a tie). Implementations: the simulated annotator, a
 * reward model, a chat model asked "A or B?" (RLAIF), and a model behind an OpenAI-compatible server.
 *
 * <p>Not to be confused with {@link dev.cria.align.Judge}, which answers held-out prompts and reports
 * win rates; it asks a PairJudge which answer won.
 */
public interface PairJudge {
    /**
     * One probability per prompt that {@code a.get(i)} beats {@code b.get(i)} as an answer to {@code prompts.get(i)}.
     *
     * @throws IllegalArgumentException when the three lists differ in length
     */
    double[] probabilityAWins(List<String> prompts, List<String> a, List<String> b);

    /** A short name for logs and reports, e.g. {@code annotator} or {@code model(runs/sft/model)}. */
    String name();

    /** Refuses lists of different lengths, naming the counts. */
    static void checkSizes(List<String> prompts, List<String> a, List<String> b) {
        if (a.size() != prompts.size() || b.size() != prompts.size()) {
            throw new IllegalArgumentException("need one answer of each side per prompt: " + prompts.size() + " prompts, "
                    + a.size() + " answers A, " + b.size() + " answers B");
        }
    }
}
