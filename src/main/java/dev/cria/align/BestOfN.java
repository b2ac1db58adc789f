package dev.cria.align;

import dev.cria.align.reward.Reward;
import dev.cria.chat.ChatFormat;
import dev.cria.generate.Generator;
import dev.cria.generate.Sampler;
import dev.cria.model.Llama;
import dev.cria.util.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Best-of-n sampling: n answers per prompt, scored by a reward, the highest kept. Used on its own at
 * inference ({@code generate --best-of}) and as the data step of rejection-sampling fine-tuning
 * (Touvron et al. 2023, Llama 2 §3.2.3; Dong et al. 2023, RAFT), which fine-tunes on the kept answers.
 */
public final class BestOfN {
    /** Prompts answered per generation batch. */
    private static final int BATCH = 32;

    /** The best answer to each prompt and its score, and the mean score of all answers. */
    public record Result(List<String> best, float[] bestScores, double meanScore) {
        public double meanBestScore() {
            double s = 0;
            for (float v : bestScores) s += v;
            return s / bestScores.length;
        }
    }

    private BestOfN() {
    }

    /** Index of the highest score; the first of equal ones. Example: {@code [1, 3, 3, -2]} gives 1. */
    public static int best(float[] scores) {
        if (scores.length == 0) throw new IllegalArgumentException("no scores to pick the best of");
        int best = 0;
        for (int i = 1; i < scores.length; i++) if (scores[i] > scores[best]) best = i;
        return best;
    }

    /**
     * n answers to each prompt at {@code temperature}, scored by {@code reward}, the best kept.
     *
     * @param progress told how many answers are written so far, out of {@code n × prompts}; may be null
     */
    public static Result sample(Llama model, ChatFormat chat, List<String> prompts, int n, Reward reward, int maxNewTokens,
                                float temperature, Rng rng, IntConsumer progress) {
        if (n < 1) throw new IllegalArgumentException("n must be at least 1: " + n);
        var generator = new Generator(model);
        Sampler sampler = new Sampler(temperature, 0, 1f);
        // answer j is sample j % n of prompt j / n; batches run across prompts so they stay full
        var promptTokens = new ArrayList<int[]>();
        for (String p : prompts) promptTokens.add(chat.promptTokens(p));
        int total = n * prompts.size();
        var samples = new ArrayList<Reward.Sample>();
        for (int from = 0; from < total; from += BATCH) {
            var batch = new ArrayList<int[]>();
            for (int j = from; j < Math.min(total, from + BATCH); j++) batch.add(promptTokens.get(j / n));
            var done = generator.generate(batch, maxNewTokens, sampler, rng, chat.stopTokens(), null);
            for (int j = from; j < from + done.size(); j++) {
                Generator.Completion c = done.get(j - from);
                samples.add(new Reward.Sample(prompts.get(j / n), chat.decodeResponse(c.tokens()), promptTokens.get(j / n), c.tokens(),
                        c.finish() == Generator.Finish.STOP_TOKEN));
            }
            if (progress != null) progress.accept(samples.size());
        }
        float[] scores = reward.score(samples);
        double sum = 0;
        for (float v : scores) sum += v;
        var best = new ArrayList<String>();
        float[] bestScores = new float[prompts.size()];
        for (int i = 0; i < prompts.size(); i++) {
            float[] own = java.util.Arrays.copyOfRange(scores, i * n, (i + 1) * n);
            int k = best(own);
            best.add(samples.get(i * n + k).response());
            bestScores[i] = own[k];
        }
        return new Result(best, bestScores, sum / total);
    }
}
