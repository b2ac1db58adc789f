package dev.cria.align;

import dev.cria.chat.PreferenceExample;
import dev.cria.world.SimulatedAnnotator;
import dev.cria.model.Llama;
import dev.cria.chat.ChatFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Preference pairs from a model's own answers: each prompt is answered {@code samples} times, and the
 * simulated annotator's best answer is paired against its worst. Prompts whose answers all score the
 * same give no pair.
 *
 * <p>Pairs like these show a model its own mistakes (the ones it actually makes, in its own words),
 * which built-in pairs of generated stories with planted flaws cannot: on-policy data for DPO or a
 * reward model, as in iterative DPO and best-of-n labelling.
 */
public final class SampledPairs {
    /** The pairs, and how many prompts gave none. */
    public record Result(List<PreferenceExample> pairs, int tied) {
    }

    private SampledPairs() {
    }

    /**
     * Answers are sampled at {@code temperature} with seeds {@code seed}, {@code seed + 1}, ..., one per round.
     *
     * @param progress told how many answers are written so far, out of {@code samples × prompts}; may be null
     */
    public static Result generate(Llama model, ChatFormat chat, List<String> prompts, int samples, int maxNewTokens,
                                  float temperature, long seed, IntConsumer progress) {
        if (samples < 2) throw new IllegalArgumentException("samples must be at least 2 to make a pair: " + samples);
        var answers = new ArrayList<List<String>>();
        for (int s = 0; s < samples; s++) {
            int before = s * prompts.size();
            IntConsumer roundProgress = progress == null ? null : done -> progress.accept(before + done);
            answers.add(Judge.answer(model, chat, prompts, maxNewTokens, temperature, seed + s, roundProgress).texts());
        }
        var annotator = new SimulatedAnnotator();
        var pairs = new ArrayList<PreferenceExample>();
        int tied = 0;
        for (int i = 0; i < prompts.size(); i++) {
            String prompt = prompts.get(i);
            int best = 0, worst = 0;
            double bestScore = Double.NEGATIVE_INFINITY, worstScore = Double.POSITIVE_INFINITY;
            for (int s = 0; s < samples; s++) {
                double score = annotator.score(prompt, answers.get(s).get(i));
                if (score > bestScore) {
                    bestScore = score;
                    best = s;
                }
                if (score < worstScore) {
                    worstScore = score;
                    worst = s;
                }
            }
            String chosen = answers.get(best).get(i), rejected = answers.get(worst).get(i);
            // The annotator's own tie rule decides whether the best is better at all.
            if (annotator.prefer(prompt, chosen, rejected) > 0) pairs.add(new PreferenceExample(prompt, chosen, rejected));
            else tied++;
        }
        return new Result(pairs, tied);
    }
}
