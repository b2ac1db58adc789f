package dev.cria.align;

import dev.cria.align.judge.AnnotatorJudge;
import dev.cria.align.judge.PairJudge;
import dev.cria.align.judge.ScoringJudge;
import dev.cria.chat.PreferenceExample;
import dev.cria.model.Llama;
import dev.cria.chat.ChatFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Preference pairs from a model's own answers: each prompt is answered {@code samples} times, and the
 * judge's best answer is paired against its worst. A judge that scores answers (the simulated annotator,
 * a reward model) ranks them by score; one that only compares (an AI judge) ranks them by their mean
 * win probability against the others, every pair compared once. Prompts whose best answer does not
 * beat the worst give no pair.
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

    /** As below, judged by the simulated annotator. */
    public static Result generate(Llama model, ChatFormat chat, List<String> prompts, int samples, int maxNewTokens,
                                  float temperature, long seed, IntConsumer progress) {
        return generate(model, chat, prompts, samples, maxNewTokens, temperature, seed, new AnnotatorJudge(), progress);
    }

    /**
     * Answers are sampled at {@code temperature} with seeds {@code seed}, {@code seed + 1}, ..., one per round.
     *
     * @param progress told how many answers are written so far, out of {@code samples × prompts}; may be null
     */
    public static Result generate(Llama model, ChatFormat chat, List<String> prompts, int samples, int maxNewTokens,
                                  float temperature, long seed, PairJudge judge, IntConsumer progress) {
        if (samples < 2) throw new IllegalArgumentException("samples must be at least 2 to make a pair: " + samples);
        var answers = new ArrayList<List<String>>();
        for (int s = 0; s < samples; s++) {
            int before = s * prompts.size();
            IntConsumer roundProgress = progress == null ? null : done -> progress.accept(before + done);
            answers.add(Judge.answer(model, chat, prompts, maxNewTokens, temperature, seed + s, roundProgress).texts());
        }
        double[][] merit = judge instanceof ScoringJudge scoring ? scores(scoring, prompts, answers) : meanWins(judge, prompts, answers);
        var chosen = new ArrayList<String>();
        var rejected = new ArrayList<String>();
        for (int i = 0; i < prompts.size(); i++) {
            int best = 0, worst = 0;
            for (int s = 1; s < samples; s++) {
                if (merit[s][i] > merit[best][i]) best = s;
                if (merit[s][i] < merit[worst][i]) worst = s;
            }
            chosen.add(answers.get(best).get(i));
            rejected.add(answers.get(worst).get(i));
        }
        // The judge's own verdict (the annotator's tie rule, say) decides whether the best is better at all.
        double[] verdict = judge.probabilityAWins(prompts, chosen, rejected);
        var pairs = new ArrayList<PreferenceExample>();
        int tied = 0;
        for (int i = 0; i < prompts.size(); i++) {
            if (verdict[i] > 0.5) pairs.add(new PreferenceExample(prompts.get(i), chosen.get(i), rejected.get(i)));
            else tied++;
        }
        return new Result(pairs, tied);
    }

    /** [sample][prompt] scores. */
    private static double[][] scores(ScoringJudge judge, List<String> prompts, List<List<String>> answers) {
        double[][] out = new double[answers.size()][];
        for (int s = 0; s < out.length; s++) out[s] = judge.scores(prompts, answers.get(s));
        return out;
    }

    /** [sample][prompt] mean probability of beating each other sample, from one comparison per pair of samples. */
    private static double[][] meanWins(PairJudge judge, List<String> prompts, List<List<String>> answers) {
        int k = answers.size();
        double[][] out = new double[k][prompts.size()];
        for (int s = 0; s < k; s++) {
            for (int t = s + 1; t < k; t++) {
                double[] p = judge.probabilityAWins(prompts, answers.get(s), answers.get(t));
                for (int i = 0; i < p.length; i++) {
                    out[s][i] += p[i] / (k - 1);
                    out[t][i] += (1 - p[i]) / (k - 1);
                }
            }
        }
        return out;
    }
}
