package dev.cria.cli;

import dev.cria.kernels.QuantMatrix;
import dev.cria.align.Estimator;
import dev.cria.align.KlEstimators;
import dev.cria.align.Reference;
import dev.cria.align.RlConfig;
import dev.cria.align.RlTrainer;
import dev.cria.align.SequenceBatch;
import dev.cria.align.TokenLogProbs;
import dev.cria.align.reward.EmbeddingReward;
import dev.cria.align.reward.KeywordReward;
import dev.cria.autograd.Grad;
import dev.cria.chat.ChatFormat;
import dev.cria.checkpoint.ModelDirectory;
import dev.cria.generate.Generator;
import dev.cria.generate.Sampler;
import dev.cria.model.Llama;
import dev.cria.train.RunDirectory;
import dev.cria.train.StopSignal;
import dev.cria.util.CriaException;
import dev.cria.util.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The "aligning TinyStories to cats" experiment on an SFT model: REINFORCE with a KL penalty to the SFT
 * model, rewarded by each story's all-MiniLM-L6-v2 similarity to "cat" ({@link EmbeddingReward}), with
 * held-out stories measured before and after. The training is what {@code ./cria grpo --estimator reinforce
 * --reward embedding:cat} runs; this class adds the measurement, so the demo can call it in one line.
 */
final class CatExperiment {
    static final String TARGET = "cat";
    /** Held-out prompts answered before and after training. */
    static final int HELD_OUT = 128;

    private CatExperiment() {
    }

    /**
     * What the held-out stories show.
     *
     * @param similarity mean cosine similarity to "cat"
     * @param catShare   share of stories that mention a cat ({@link KeywordReward#mentions})
     * @param kl         mean KL to the SFT model, summed over each story's tokens (nats per story; 0 before)
     * @param eosRate    share of stories that ended with eos
     * @param length     mean tokens per story: a short sentence about a cat scores well too, so watch it
     */
    record Figures(double similarity, double catShare, double kl, double eosRate, double length) {
    }

    /** Figures before and after, the run directory (model, metrics.jsonl, rl_reward.png, rl_kl.png) and the wall time. */
    record Result(Figures before, Figures after, Path run, double seconds) {
    }

    /**
     * The settings that moved the tiny model in a few minutes on 2 cores without breaking its stories:
     * 60 rounds raise the held-out similarity 0.253 → 0.287 and the stories with a cat 10% → 27%
     * (docs/alignment.md). subtle: a short sentence about a cat is closer to "cat" than a story with one, and
     * the KL penalty, summed over a story's tokens, costs a shorter story less once the policy drifts; at
     * lr 2e-4, or after 120 rounds at these settings, the stories shrink to one sentence ("Long ago, there was
     * a friendly cat.", similarity 0.47–0.52).
     */
    static RlConfig config(int rounds, long seed) {
        return RlConfig.defaults(new Estimator.Reinforce()).toBuilder()
                .iterations(rounds)
                .prompts(8)
                .samplesPerPrompt(4)
                .maxNewTokens(256)
                .lr(1e-4)
                .klCoef(0.05)
                .missingEosPenalty(0.1)
                .saveEvery(0)
                .seed(seed)
                .build();
    }

    /** Trains {@code rounds} rounds from {@code sftModel} into {@code out} and measures held-out stories before and after. */
    static Result run(Path sftModel, long seed, int rounds, Path out) {
        return run(sftModel, config(rounds, seed), out);
    }

    /** As above with other settings, e.g. {@code config(rounds, seed).toBuilder().lr(2e-4).build()}. */
    static Result run(Path sftModel, RlConfig config, Path out) {
        return run(sftModel, config, new LoraOptions(), null, out);
    }

    /**
     * As above; with {@code lora} enabled only adapters train, the frozen base is the KL reference, and the
     * adapters are merged into the saved model when {@code lora.merge}. The frozen models are held quantized to
     * {@code quantize} (null: as stored).
     */
    static Result run(Path sftModel, RlConfig config, LoraOptions lora, QuantMatrix.Kind quantize, Path out) {
        long seed = config.seed();
        lora.check();
        if (Files.exists(out.resolve(ModelDirectory.RUN_CHECKPOINT))) {
            throw new CriaException(out + " already holds a run; choose another directory for the cat experiment");
        }
        long start = System.nanoTime();
        var loaded = lora.enabled ? ModelDirectory.loadFrozen(sftModel, quantize) : ModelDirectory.load(sftModel);
        Llama policy = loaded.model();
        lora.apply(policy, seed);
        ChatFormat chat = loaded.chat();
        Reference reference = AlignRuns.reference(null, sftModel, policy, false, quantize);
        var reward = new EmbeddingReward(TARGET);
        var prompts = new ArrayList<RlTrainer.Prompt>();
        for (String p : AlignData.promptTexts(null, "story", 500, seed)) prompts.add(new RlTrainer.Prompt(p, chat.promptTokens(p)));
        List<String> heldOut = AlignData.promptTexts(null, "story", HELD_OUT, seed + 7919);

        Figures before = measure(policy, reference, chat, reward, heldOut, config, seed);
        var run = RunDirectory.at(out);
        run.log(0, asMetrics(before));
        var trainer = new RlTrainer(policy, reference, null, chat, reward, prompts, config, run);
        try (var stop = StopSignal.install()) {
            trainer.run(stop);
        }
        Figures after = measure(policy, reference, chat, reward, heldOut, config, seed);
        run.log(trainer.iteration(), asMetrics(after));
        if (lora.merge && policy.hasAdapters()) {
            policy.mergeLora();
            ModelDirectory.save(out.resolve(ModelDirectory.RUN_CHECKPOINT), policy, chat.tokenizer());
        }
        return new Result(before, after, out, (System.nanoTime() - start) / 1e9);
    }

    /** The held-out figures under TRL-style names, logged at round 0 (before) and at the last round (after). */
    static Map<String, Double> asMetrics(Figures f) {
        return Map.of("eval/similarity", f.similarity(), "eval/cat_share", f.catShare(), "eval/kl", f.kl(), "eval/eos_rate", f.eosRate(),
                "eval/response_length", f.length());
    }

    /** Samples one story per prompt (same seed before and after) and measures it. */
    static Figures measure(Llama policy, Reference reference, ChatFormat chat, EmbeddingReward reward, List<String> prompts,
                           RlConfig config, long seed) {
        var promptTokens = new ArrayList<int[]>();
        for (String p : prompts) promptTokens.add(chat.promptTokens(p));
        List<Generator.Completion> completions;
        try (var off = Grad.off()) {
            completions = new Generator(policy).generate(promptTokens, config.maxNewTokens(), new Sampler(config.temperature(), 0, 1f),
                    new Rng(seed ^ 0xCA7L), chat.stopTokens(), null);
        }
        var texts = new ArrayList<String>();
        var sequences = new ArrayList<int[]>();
        int[] starts = new int[prompts.size()];
        int finished = 0, mentions = 0;
        long tokens = 0;
        var cat = new KeywordReward(TARGET);
        int pad = SequenceBatch.padId(chat.tokenizer());
        for (int i = 0; i < prompts.size(); i++) {
            var c = completions.get(i);
            boolean done = c.finish() == Generator.Finish.STOP_TOKEN;
            tokens += c.tokens().length;
            if (done) finished++;
            String text = chat.decodeResponse(c.tokens());
            texts.add(text);
            if (cat.mentions(text)) mentions++;
            int[] prompt = promptTokens.get(i);
            int[] seq = new int[prompt.length + Math.max(1, c.tokens().length)];
            System.arraycopy(prompt, 0, seq, 0, prompt.length);
            System.arraycopy(c.tokens(), 0, seq, prompt.length, c.tokens().length);
            if (c.tokens().length == 0) seq[prompt.length] = pad; // an empty story: a pad to score, as the trainer does
            sequences.add(seq);
            starts[i] = prompt.length;
        }
        double similarity = 0;
        for (float s : reward.similarities(texts)) similarity += s;
        return new Figures(similarity / texts.size(), mentions / (double) texts.size(),
                meanKl(policy, reference, chat, sequences, starts, config.temperature()), finished / (double) texts.size(),
                tokens / (double) texts.size());
    }

    /** Σ over response tokens of log π(y) − log π_ref(y) (the k1 estimate the trainer logs as objective/kl), averaged over stories. */
    private static double meanKl(Llama policy, Reference reference, ChatFormat chat, List<int[]> sequences, int[] starts, float temperature) {
        SequenceBatch batch = SequenceBatch.of(sequences, starts, SequenceBatch.padId(chat.tokenizer()));
        float[] logp, refLogp;
        try (var off = Grad.off()) {
            logp = TokenLogProbs.of(policy, batch, temperature).data;
        }
        refLogp = reference.tokenLogProbs(batch, temperature);
        float[] k1 = KlEstimators.k1(logp, refLogp);
        float[] mask = batch.responseMask();
        double total = 0;
        for (int i = 0; i < k1.length; i++) total += k1[i] * mask[i];
        return total / batch.B;
    }
}
