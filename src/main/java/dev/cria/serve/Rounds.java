package dev.cria.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cria.align.DpoConfig;
import dev.cria.align.Estimator;
import dev.cria.align.Judge;
import dev.cria.align.KtoConfig;
import dev.cria.align.LabelledExample;
import dev.cria.align.PreferencePair;
import dev.cria.align.PreferenceRound;
import dev.cria.align.RewardConfig;
import dev.cria.align.RlConfig;
import dev.cria.align.RlTrainer;
import dev.cria.align.TokenizedExample;
import dev.cria.chat.ChatFormat;
import dev.cria.world.InstructionGenerator;
import dev.cria.chat.PromptExample;
import dev.cria.chat.SftTokens;
import dev.cria.checkpoint.ModelDirectory;
import dev.cria.train.RunSettings;
import dev.cria.util.CriaException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * One round of the loop, with the existing trainers:
 * <ol>
 *   <li>take the labels the method learns from, holding out every n-th item's:
 *       <ul>
 *         <li>{@code ppo}, {@code dpo}: every preference so far (A/B choices and edits);</li>
 *         <li>{@code online-dpo}: only the A/B choices between two samples of the current policy;</li>
 *         <li>{@code kto}: every thumbs up or down on a single answer;</li>
 *       </ul></li>
 *   <li>PPO: train a reward model from the current policy's weights, then run PPO from the current
 *       policy against it (the reward model also starts the value model); DPO (offline or online) or
 *       KTO: train the current policy against a frozen copy of itself as the reference;</li>
 *   <li>optionally let the simulated annotator compare new and old policy on built-in prompts;</li>
 *   <li>online DPO: retire the pairs the old policy wrote, labelled or not, so no one judges it any more;</li>
 *   <li>record the round: from now on its policy writes the answers to label.</li>
 * </ol>
 * Runs in {@code rounds/N/} ({@code reward/}, {@code ppo/}, {@code dpo/} or {@code kto/}, each with metrics.jsonl).
 * Not a scheduler: the caller runs it on the one model thread, and queues new pairs itself.
 */
public final class Rounds {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final RunDir run;

    public Rounds(RunDir run) {
        this.run = run;
    }

    /**
     * How many labels a round of {@code method} would train on now (before the held-out split); a 409 that
     * says what to label when there are fewer than 2.
     */
    public int examples(RoundMethod method) {
        String policy = run.currentPolicy();
        int n = switch (method) {
            case PPO, DPO -> run.export.preferences().size();
            case ONLINE_DPO -> run.export.selfPreferences(policy).size();
            case KTO -> run.export.ratings().size();
        };
        if (n >= 2) return n;
        throw new ApiError(409, null, switch (method) {
            case PPO, DPO -> "a round needs at least 2 preference labels (A/B choices or edited answers); there are " + n;
            case ONLINE_DPO -> "an online-DPO round needs at least 2 A/B choices between two samples of the current policy (" + policy
                    + "); there are " + n + ": generate pairs from the policy and label them";
            case KTO -> "a KTO round needs at least 2 thumbs up or down on single answers; there are " + n
                    + ": generate answers to rate and rate them";
        });
    }

    /** Runs a whole round; the returned round is finished (or the exception says why it failed, also recorded). */
    public Round run(RoundConfig config) {
        RoundMethod method = config.method();
        String before = run.currentPolicy();
        Path beforeDir = run.modelDir(before);
        examples(method);
        long id = run.rounds.start(method.id(), before);
        Path dir = run.roundDir(id);
        ObjectNode figures = JSON.createObjectNode();
        long started = System.nanoTime();
        try {
            var loaded = ModelDirectory.load(beforeDir);
            ChatFormat chat = loaded.chat();
            int maxLen = loaded.model().config().maxSeqLen();
            Path policyDir = switch (method) {
                case PPO -> ppo(config, beforeDir, chat, maxLen, pairs(config, run.export.preferences(), chat, maxLen, figures), dir, figures);
                case DPO -> dpo(config, beforeDir, chat, pairs(config, run.export.preferences(), chat, maxLen, figures), dir, figures);
                case ONLINE_DPO -> dpo(config, beforeDir, chat, pairs(config, run.export.selfPreferences(before), chat, maxLen, figures), dir, figures);
                case KTO -> kto(config, beforeDir, chat, rated(config, run.export.ratings(), chat, maxLen, figures), dir, figures);
            };
            if (config.judgePrompts() > 0) judge(config, beforeDir, policyDir, figures);
            // subtle: retired before the round is recorded, so no moment exists in which the new policy is current and the old one's pairs are open
            if (method == RoundMethod.ONLINE_DPO) {
                Items.Retired retired = run.items.retireSelfPairs(before);
                figures.put("policy_pairs", retired.pairs());
                figures.put("pairs_retired", retired.unlabelled());
            }
            figures.put("seconds", (System.nanoTime() - started) / 1e9);
            run.rounds.finish(id, policyDir.toAbsolutePath().normalize().toString(), figures);
            return run.rounds.get(id);
        } catch (RuntimeException e) {
            run.rounds.fail(id, describe(e), figures);
            throw e;
        }
    }

    /** Examples to train on and to hold out: every n-th item's labels are held out, unless that would leave nothing to train on. */
    private record Split<T>(List<T> train, List<T> heldOut) {
        static <T> Split<T> of(List<T> all, ToLongFunction<T> itemId, int heldOutEvery, ObjectNode figures) {
            var train = new ArrayList<T>();
            var heldOut = new ArrayList<T>();
            for (T x : all) (heldOutEvery > 0 && itemId.applyAsLong(x) % heldOutEvery == 0 ? heldOut : train).add(x);
            if (train.isEmpty()) {
                train.addAll(heldOut);
                heldOut.clear();
            }
            figures.put("labels_train", train.size());
            figures.put("labels_held_out", heldOut.size());
            return new Split<>(train, heldOut);
        }

        <U> Split<U> map(Function<T, U> f) {
            return new Split<>(train.stream().map(f).toList(), heldOut.stream().map(f).toList());
        }
    }

    private static Split<PreferencePair> pairs(RoundConfig c, List<LabelExport.Preference> preferences, ChatFormat chat, int maxLen,
                                               ObjectNode figures) {
        return Split.of(preferences, LabelExport.Preference::itemId, c.heldOutEvery(), figures).map(
                p -> new PreferencePair(tokenize(chat, p.prompt(), p.chosen(), maxLen), tokenize(chat, p.prompt(), p.rejected(), maxLen)));
    }

    /** The message and its causes, so a failed round says what went wrong underneath ("cannot write ...: No space left"). */
    static String describe(Throwable e) {
        var out = new StringBuilder(e.getMessage() == null ? e.toString() : e.getMessage());
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) out.append(": ").append(c);
        return out.toString();
    }

    private static Split<LabelledExample> rated(RoundConfig c, List<LabelExport.Rating> ratings, ChatFormat chat, int maxLen, ObjectNode figures) {
        Split<LabelledExample> split = Split.of(ratings, LabelExport.Rating::itemId, c.heldOutEvery(), figures)
                .map(r -> new LabelledExample(tokenize(chat, r.prompt(), r.completion(), maxLen), r.desirable()));
        if (split.heldOut().size() != 1) return split;
        // subtle: KTO's KL reference point pairs each example with another's completion, so one held-out rating cannot be scored; it trains instead
        var train = new ArrayList<>(split.train());
        train.addAll(split.heldOut());
        figures.put("labels_train", train.size());
        figures.put("labels_held_out", 0);
        return new Split<>(train, List.of());
    }

    private static TokenizedExample tokenize(ChatFormat chat, String prompt, String response, int maxLen) {
        SftTokens t = chat.encode(prompt, response, maxLen);
        return new TokenizedExample(t.tokens(), t.promptLength());
    }

    private Path ppo(RoundConfig c, Path beforeDir, ChatFormat chat, int maxSeqLen, Split<PreferencePair> pairs, Path dir, ObjectNode figures) {
        var rewardConfig = RewardConfig.defaults().withRun(RunSettings.defaults().toBuilder().batchSize(c.rewardBatch()).steps(c.rewardSteps())
                .lr(c.rewardLr()).warmupSteps(c.rewardSteps() / 10).evalEvery(0).saveEvery(0).seed(c.seed()).build());
        var prompts = prompts(c, chat, maxSeqLen);
        var rl = RlConfig.defaults(new Estimator.Ppo()).toBuilder().iterations(c.ppoIterations()).prompts(Math.min(c.ppoPrompts(), prompts.size()))
                .maxNewTokens(c.maxNewTokens()).temperature(c.temperature()).lr(c.ppoLr()).klCoef(c.klCoef()).saveEvery(0).seed(c.seed()).build();
        var outcome = PreferenceRound.rewardThenPpo(beforeDir, chat, pairs.train(), pairs.heldOut(), rewardConfig, rl, prompts, dir);
        figures.put("reward_loss", outcome.rewardModel().trainLoss());
        if (!pairs.heldOut().isEmpty()) figures.put("reward_accuracy", outcome.rewardModel().metric("eval/accuracy"));
        figures.put("ppo_reward", outcome.ppo().getOrDefault("objective/scores", Double.NaN));
        figures.put("ppo_kl", outcome.ppo().getOrDefault("objective/kl", Double.NaN));
        return outcome.policyDir();
    }

    /** DPO against the round's starting policy, on whichever pairs the method chose. */
    private Path dpo(RoundConfig c, Path beforeDir, ChatFormat chat, Split<PreferencePair> pairs, Path dir, ObjectNode figures) {
        var config = DpoConfig.defaults().withBeta(c.dpoBeta()).withRun(RunSettings.defaults().toBuilder().batchSize(c.rewardBatch())
                .steps(c.dpoSteps()).lr(c.dpoLr()).warmupSteps(c.dpoSteps() / 10).evalEvery(0).saveEvery(0).seed(c.seed()).build());
        var outcome = PreferenceRound.dpo(beforeDir, chat, pairs.train(), pairs.heldOut(), config, dir);
        figures.put("dpo_loss", outcome.dpo().trainLoss());
        if (!pairs.heldOut().isEmpty()) figures.put("reward_accuracy", outcome.dpo().metric("eval/rewards/accuracies"));
        return outcome.policyDir();
    }

    /** KTO against the round's starting policy, on every rating so far. */
    private Path kto(RoundConfig c, Path beforeDir, ChatFormat chat, Split<LabelledExample> rated, Path dir, ObjectNode figures) {
        var config = KtoConfig.defaults().withBeta(c.dpoBeta()).withRun(RunSettings.defaults().toBuilder().batchSize(c.rewardBatch())
                .steps(c.dpoSteps()).lr(c.dpoLr()).warmupSteps(c.dpoSteps() / 10).evalEvery(0).saveEvery(0).seed(c.seed()).build());
        var outcome = PreferenceRound.kto(beforeDir, chat, rated.train(), rated.heldOut(), config, dir);
        figures.put("ratings_up", rated.train().stream().filter(LabelledExample::desirable).count()
                + rated.heldOut().stream().filter(LabelledExample::desirable).count());
        figures.put("kto_loss", outcome.kto().trainLoss());
        putFinite(figures, "kto_kl", outcome.kto().metric("kl"));
        putFinite(figures, "kto_margin", outcome.kto().metric("rewards/margins"));
        if (!rated.heldOut().isEmpty()) putFinite(figures, "kto_held_out_loss", outcome.kto().metric("eval/loss"));
        return outcome.policyDir();
    }

    /** A figure only when the trainer logged it (a margin needs both thumbs up and down in the last batch). */
    private static void putFinite(ObjectNode figures, String key, double value) {
        if (Double.isFinite(value)) figures.put(key, value);
    }

    /** Uploaded prompts (else built-in ones) that leave room for a response. */
    private List<RlTrainer.Prompt> prompts(RoundConfig c, ChatFormat chat, int maxSeqLen) {
        List<String> texts = run.prompts.all();
        if (texts.isEmpty()) texts = new InstructionGenerator(c.seed()).prompts(200).stream().map(PromptExample::prompt).toList();
        var out = new ArrayList<RlTrainer.Prompt>();
        for (String t : texts) {
            int[] tokens = chat.promptTokens(t);
            if (tokens.length + c.maxNewTokens() <= maxSeqLen) out.add(new RlTrainer.Prompt(t, tokens));
        }
        if (out.isEmpty()) throw new CriaException("no prompt leaves room for " + c.maxNewTokens() + " new tokens in the model's context of " + maxSeqLen);
        return out;
    }

    /** The simulated annotator's win rate of the new policy over the old one, on held-out built-in prompts. */
    private static void judge(RoundConfig c, Path beforeDir, Path afterDir, ObjectNode figures) {
        List<String> prompts = new InstructionGenerator(777).prompts(c.judgePrompts()).stream().map(PromptExample::prompt).toList();
        var before = ModelDirectory.loadFrozen(beforeDir);
        var after = ModelDirectory.loadFrozen(afterDir);
        var a = Judge.answer(after.model(), after.chat(), prompts, c.maxNewTokens(), c.temperature(), 777);
        var b = Judge.answer(before.model(), before.chat(), prompts, c.maxNewTokens(), c.temperature(), 777);
        figures.put("annotator_win_rate", Judge.winRate(prompts, a, b));
        figures.put("annotator_score", Judge.meanScore(prompts, a));
        figures.put("annotator_score_before", Judge.meanScore(prompts, b));
    }
}
