package dev.cria.align;

import dev.cria.align.judge.AnnotatorJudge;
import dev.cria.align.judge.PairJudge;
import dev.cria.chat.ChatFormat;
import dev.cria.world.SimulatedAnnotator;
import dev.cria.world.StoryRequest;
import dev.cria.align.reward.CopyReward;
import dev.cria.align.reward.KeywordReward;
import dev.cria.align.reward.Reward;
import dev.cria.generate.Generator;
import dev.cria.generate.Sampler;
import dev.cria.model.Llama;
import dev.cria.util.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Judges models on held-out prompts the way the figures in docs/alignment.md are made: each model answers every
 * prompt (sampled, the same seed for both), and the simulated annotator (or another {@link PairJudge}) compares the answers.
 */
public final class Judge {
    /** Answers of one model to the prompts, with whether each ended with eos. */
    public record Answers(List<String> texts, int finished) {
    }

    private Judge() {
    }

    public static Answers answer(Llama model, ChatFormat chat, List<String> prompts, int maxNewTokens, float temperature, long seed) {
        return answer(model, chat, prompts, maxNewTokens, temperature, seed, null);
    }

    /** As above, telling {@code progress} (if not null) how many prompts have been answered after each batch. */
    public static Answers answer(Llama model, ChatFormat chat, List<String> prompts, int maxNewTokens, float temperature, long seed,
                                 IntConsumer progress) {
        var promptTokens = new ArrayList<int[]>();
        for (String p : prompts) promptTokens.add(chat.promptTokens(p));
        var texts = new ArrayList<String>();
        int finished = 0;
        var generator = new Generator(model);
        Sampler sampler = temperature == 0 ? Sampler.greedy() : new Sampler(temperature, 0, 1f);
        Rng rng = new Rng(seed);
        for (int i = 0; i < promptTokens.size(); i += 32) {
            var slice = promptTokens.subList(i, Math.min(promptTokens.size(), i + 32));
            for (var c : generator.generate(slice, maxNewTokens, sampler, rng, chat.stopTokens(), null)) {
                texts.add(chat.decodeResponse(c.tokens()));
                if (c.finish() == Generator.Finish.STOP_TOKEN) finished++;
            }
            if (progress != null) progress.accept(texts.size());
        }
        return new Answers(texts, finished);
    }

    /** Share of prompts where a's answer is preferred to b's by the simulated annotator (ties count half). */
    public static double winRate(List<String> prompts, Answers a, Answers b) {
        return compare(prompts, a, b).rate();
    }

    /** The simulated annotator's win rate of a over b with its 95% interval. */
    public static WinRate compare(List<String> prompts, Answers a, Answers b) {
        return compare(new AnnotatorJudge(), prompts, a, b);
    }

    /** A judge's win rate of a over b (each prompt counting the judge's probability that a is better) with its 95% interval. */
    public static WinRate compare(PairJudge judge, List<String> prompts, Answers a, Answers b) {
        if (prompts.isEmpty()) throw new IllegalArgumentException("no prompts to compare on");
        if (a.texts().size() != prompts.size() || b.texts().size() != prompts.size()) {
            throw new IllegalArgumentException("need one answer of each side per prompt: " + prompts.size() + " prompts, "
                    + a.texts().size() + " and " + b.texts().size() + " answers");
        }
        return WinRate.of(judge.probabilityAWins(prompts, a.texts(), b.texts()));
    }

    /**
     * The share of answers whose hero is the animal the prompt asked for, among prompts that ask for one:
     * the criterion the tiny SFT model is weakest on (see docs/alignment.md).
     */
    public static double requestedAnimalShare(List<String> prompts, Answers a) {
        var annotator = new SimulatedAnnotator();
        int asked = 0, hit = 0;
        for (int i = 0; i < prompts.size(); i++) {
            if (StoryRequest.parse(prompts.get(i)).animal() == null) continue;
            asked++;
            if (annotator.assess(prompts.get(i), a.texts().get(i)).animal() == SimulatedAnnotator.ANIMAL_MENTIONED) hit++;
        }
        return asked == 0 ? Double.NaN : hit / (double) asked;
    }

    /** Share of prompts where a's answer beats b's by {@code judge}: the mean of its probabilities (a tie is half a win). */
    public static double winRate(PairJudge judge, List<String> prompts, Answers a, Answers b) {
        return compare(judge, prompts, a, b).rate();
    }

    public static double meanScore(List<String> prompts, Answers a) {
        var annotator = new SimulatedAnnotator();
        double s = 0;
        for (int i = 0; i < prompts.size(); i++) s += annotator.score(prompts.get(i), a.texts().get(i));
        return s / prompts.size();
    }

    /**
     * Mean copy reward of the answers ({@link CopyReward} behind the chat template's two markers on each
     * side): response tokens that reproduce the prompt's text at the same position. The answer text is
     * encoded again, so this is the reward of its canonical tokens.
     */
    public static double copyScore(ChatFormat chat, List<String> prompts, Answers a) {
        var samples = new ArrayList<Reward.Sample>();
        for (int i = 0; i < prompts.size(); i++) {
            String text = a.texts().get(i);
            samples.add(new Reward.Sample(prompts.get(i), text, chat.promptTokens(prompts.get(i)), chat.tokenizer().encode(text), true));
        }
        double s = 0;
        for (float v : new CopyReward(2, 2).score(samples)) s += v;
        return s / prompts.size();
    }

    /** Share of answers that mention the keyword. */
    public static double keywordShare(Answers a, String keyword) {
        var k = new KeywordReward(keyword);
        int hits = 0;
        for (String t : a.texts()) if (k.mentions(t)) hits++;
        return hits / (double) a.texts().size();
    }
}
