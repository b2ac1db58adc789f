package dev.cria.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cria.align.DpoConfig;
import dev.cria.align.Estimator;
import dev.cria.align.Judge;
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

/**
 * One round of the loop, with the existing trainers:
 * <ol>
 *   <li>take every preference label so far (A/B choices and edits), holding out every n-th item's;</li>
 *   <li>PPO: train a reward model from the current policy's weights, then run PPO from the current
 *       policy against it (the reward model also starts the value model); or DPO on the labels;</li>
 *   <li>optionally let the simulated annotator compare new and old policy on built-in prompts;</li>
 *   <li>record the round: from now on its policy writes the answers to label.</li>
 * </ol>
 * Runs in {@code rounds/N/} ({@code reward/}, {@code ppo/} or {@code dpo/}, each with metrics.jsonl).
 */
public final class Rounds {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final RunDir run;

    public Rounds(RunDir run) {
        this.run = run;
    }

    /** Runs a whole round; the returned round is finished (or the exception says why it failed, also recorded). */
    public Round run(RoundConfig config) {
        String before = run.currentPolicy();
        Path beforeDir = run.modelDir(before);
        List<LabelExport.Preference> preferences = run.export.preferences();
        if (preferences.size() < 2) {
            throw new ApiError(409, null, "a round needs at least 2 preference labels (A/B choices or edited answers); there are " + preferences.size());
        }
        long id = run.rounds.start(config.method(), before);
        Path dir = run.roundDir(id);
        ObjectNode figures = JSON.createObjectNode();
        long started = System.nanoTime();
        try {
            var loaded = ModelDirectory.load(beforeDir);
            ChatFormat chat = loaded.chat();
            int maxLen = loaded.model().config().maxSeqLen();
            var train = new ArrayList<PreferencePair>();
            var heldOut = new ArrayList<PreferencePair>();
            for (LabelExport.Preference p : preferences) {
                var pair = new PreferencePair(tokenize(chat, p.prompt(), p.chosen(), maxLen), tokenize(chat, p.prompt(), p.rejected(), maxLen));
                (config.heldOutEvery() > 0 && p.itemId() % config.heldOutEvery() == 0 ? heldOut : train).add(pair);
            }
            if (train.isEmpty()) {
                train.addAll(heldOut);
                heldOut.clear();
            }
            figures.put("labels_train", train.size());
            figures.put("labels_held_out", heldOut.size());
            Path policyDir = switch (config.method()) {
                case "dpo" -> dpo(config, beforeDir, chat, train, heldOut, dir, figures);
                default -> ppo(config, beforeDir, chat, maxLen, train, heldOut, dir, figures);
            };
            if (config.judgePrompts() > 0) judge(config, beforeDir, policyDir, figures);
            figures.put("seconds", (System.nanoTime() - started) / 1e9);
            run.rounds.finish(id, policyDir.toAbsolutePath().normalize().toString(), figures);
            return run.rounds.get(id);
        } catch (RuntimeException e) {
            run.rounds.fail(id, describe(e), figures);
            throw e;
        }
    }

    /** The message and its causes, so a failed round says what went wrong underneath ("cannot write ...: No space left"). */
    static String describe(Throwable e) {
        var out = new StringBuilder(e.getMessage() == null ? e.toString() : e.getMessage());
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) out.append(": ").append(c);
        return out.toString();
    }

    private static TokenizedExample tokenize(ChatFormat chat, String prompt, String response, int maxLen) {
        SftTokens t = chat.encode(prompt, response, maxLen);
        return new TokenizedExample(t.tokens(), t.promptLength());
    }

    private Path ppo(RoundConfig c, Path beforeDir, ChatFormat chat, int maxSeqLen, List<PreferencePair> train, List<PreferencePair> heldOut,
                     Path dir, ObjectNode figures) {
        var rewardConfig = RewardConfig.defaults().withRun(RunSettings.defaults().toBuilder().batchSize(c.rewardBatch()).steps(c.rewardSteps())
                .lr(c.rewardLr()).warmupSteps(c.rewardSteps() / 10).evalEvery(0).saveEvery(0).seed(c.seed()).build());
        var prompts = prompts(c, chat, maxSeqLen);
        var rl = RlConfig.defaults(new Estimator.Ppo()).toBuilder().iterations(c.ppoIterations()).prompts(Math.min(c.ppoPrompts(), prompts.size()))
                .maxNewTokens(c.maxNewTokens()).temperature(c.temperature()).lr(c.ppoLr()).klCoef(c.klCoef()).saveEvery(0).seed(c.seed()).build();
        var outcome = PreferenceRound.rewardThenPpo(beforeDir, chat, train, heldOut, rewardConfig, rl, prompts, dir);
        figures.put("reward_loss", outcome.rewardModel().trainLoss());
        if (!heldOut.isEmpty()) figures.put("reward_accuracy", outcome.rewardModel().metric("eval/accuracy"));
        figures.put("ppo_reward", outcome.ppo().getOrDefault("objective/scores", Double.NaN));
        figures.put("ppo_kl", outcome.ppo().getOrDefault("objective/kl", Double.NaN));
        return outcome.policyDir();
    }

    private Path dpo(RoundConfig c, Path beforeDir, ChatFormat chat, List<PreferencePair> train, List<PreferencePair> heldOut, Path dir,
                     ObjectNode figures) {
        var config = DpoConfig.defaults().withBeta(c.dpoBeta()).withRun(RunSettings.defaults().toBuilder().batchSize(c.rewardBatch())
                .steps(c.dpoSteps()).lr(c.dpoLr()).warmupSteps(c.dpoSteps() / 10).evalEvery(0).saveEvery(0).seed(c.seed()).build());
        var outcome = PreferenceRound.dpo(beforeDir, chat, train, heldOut, config, dir);
        figures.put("dpo_loss", outcome.dpo().trainLoss());
        if (!heldOut.isEmpty()) figures.put("reward_accuracy", outcome.dpo().metric("eval/rewards/accuracies"));
        return outcome.policyDir();
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
