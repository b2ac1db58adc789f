package dev.cria.cli;

import dev.cria.align.DpoConfig;
import dev.cria.align.judge.AnnotatorJudge;
import dev.cria.align.PreferenceLoss;
import dev.cria.align.OnlineDpoTrainer;
import dev.cria.align.OnlineDpoConfig;
import dev.cria.util.Rng;
import dev.cria.align.reward.CopyReward;
import dev.cria.align.WinRate;
import dev.cria.align.Reference;
import dev.cria.align.SampledPairs;
import dev.cria.align.Estimator;
import dev.cria.align.Judge;
import dev.cria.align.PreferenceRound;
import dev.cria.align.RewardConfig;
import dev.cria.align.RlConfig;
import dev.cria.align.RlTrainer;
import dev.cria.align.SftConfig;
import dev.cria.align.SftTrainer;
import dev.cria.chat.BuiltInChat;
import dev.cria.chat.ChatFormat;
import dev.cria.world.InstructionGenerator;
import dev.cria.chat.PromptExample;
import dev.cria.checkpoint.ModelDirectory;
import dev.cria.io.AtomicFiles;
import dev.cria.model.Llama;
import dev.cria.tokenizer.Tokenizer;
import dev.cria.train.RunDirectory;
import dev.cria.train.RunSettings;
import dev.cria.train.ProgressBar;
import dev.cria.train.StopSignal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The alignment half of {@code cria demo}, the seed experiments one after another: SFT on built-in
 * instructions; the copy task with its golden reward (PPO); stories drawn towards cats by a
 * sentence-embedding reward (REINFORCE with KL); a reward model on preferences labelled by
 * the simulated annotator and PPO against it; DPO on pairs of the SFT model's own answers; online DPO
 * with the annotator as judge. Then a
 * report of each in {@code OUT/report.md}: tokens copied before and after, and each aligned model's win
 * rate against the SFT model on held-out instructions with its 95% interval.
 */
final class AlignmentDemo {
    private final Path out;
    private final Tokenizer tokenizer;
    private final ChatFormat chat;
    private final long seed;
    private final int scale; // 1 for the full demo; smaller runs divide the step counts
    private static final int HELD_OUT = 400;
    private static final int CAT_ROUNDS = 30;
    private final StringBuilder report = new StringBuilder("# Cria demo report\n\n");

    AlignmentDemo(Path out, Tokenizer tokenizer, long seed, int scale) {
        this.out = out;
        this.tokenizer = tokenizer;
        this.chat = new BuiltInChat(tokenizer);
        this.seed = seed;
        this.scale = Math.max(1, scale);
    }

    private int steps(int full) {
        return Math.max(2, full / scale);
    }

    /** How many examples or prompts a stage uses: {@code full} in the full demo, fewer in a scaled-down one. */
    private int count(int full) {
        return Math.max(16, full / scale);
    }

    void run(Llama pretrained) {
        var data = new InstructionGenerator(seed);
        int maxLen = pretrained.config().maxSeqLen() - 1;
        Path sftDir = supervisedFineTuning(pretrained, data, maxLen);
        Llama sft = ModelDirectory.loadFrozen(sftDir).model();
        copyTask(sftDir, sft, data);
        cats(sftDir);
        var ppo = rewardModelThenPpo(sftDir, data, maxLen);
        var dpo = dpoOnOwnAnswers(sftDir, sft, data, maxLen);
        Llama online = onlineDpo(sftDir, sft, data);
        preferenceReport(sft, List.of(new Aligned("PPO (reward model)", ppo.policy()), new Aligned("DPO (own answers)", dpo.policy()),
                new Aligned("online DPO (annotator)", online)), ppo.rewardModel().metric("eval/accuracy"), ppo.ppo());
        report.append("\nCurves: `loss.png`, `sft/sft_loss.png`, `copy/rl_reward.png`, `reward/reward_accuracy.png`, `ppo/rl_reward.png`, ")
                .append("`cats/rl_reward.png`, `ppo/rl_kl.png`, `ppo/rl_entropy.png`, `dpo/dpo_rewards.png`, `online-dpo/online_dpo_rewards.png`.\n");
        AtomicFiles.writeString(out.resolve("report.md"), report.toString());
        System.out.print(report);
    }

    /** An aligned model and how the report names it. */
    private record Aligned(String name, Llama model) {
    }

    /**
     * 1,500 steps on 12,000 examples: with a third of that the model's hero was the requested animal in
     * 6% of its answers, with this in 91% (docs/alignment.md, "Which lever moves the demo's win rates").
     */
    private Path supervisedFineTuning(Llama pretrained, InstructionGenerator data, int maxLen) {
        System.out.println("\n== 6. supervised fine-tuning on built-in instructions, a tenth of them requests to repeat a sentence");
        var sft = AlignData.split(data.sft(count(12000), 0.1), 0.05);
        Path sftDir = out.resolve("sft");
        var result = new SftTrainer(pretrained, tokenizer, AlignData.tokenizeSft(chat, sft.train(), maxLen),
                AlignData.tokenizeSft(chat, sft.val(), maxLen), new SftConfig(stage(16, steps(1500), 20)), RunDirectory.at(sftDir))
                .run(StopSignal.manual());
        System.out.printf("SFT: validation loss on responses %.3f%n", result.metric("val/loss"));
        return sftDir;
    }

    /**
     * The Tiny-Llama RLHF write-up's copy task: PPO with the golden reward (one point per response token
     * that repeats the prompt's text in place) on requests to repeat a sentence, judged on held-out ones.
     */
    private void copyTask(Path sftDir, Llama sft, InstructionGenerator data) {
        System.out.println("\n== 7. the copy task: PPO with the golden reward, one point per token repeated in place");
        var prompts = new ArrayList<RlTrainer.Prompt>();
        for (PromptExample p : data.echoPrompts(count(400))) prompts.add(new RlTrainer.Prompt(p.prompt(), chat.promptTokens(p.prompt())));
        Llama policy = ModelDirectory.load(sftDir).model();
        Llama critic = ModelDirectory.load(sftDir).model();
        critic.addScoreHead(new Rng(seed), 0.01f);
        var config = RlConfig.defaults(new Estimator.Ppo()).toBuilder().iterations(steps(40)).maxNewTokens(48).lr(1e-4).saveEvery(0)
                .seed(seed).build();
        var last = new RlTrainer(policy, Reference.copy(sft, policy), critic, chat, new CopyReward(2, 2), prompts, config,
                RunDirectory.at(out.resolve("copy"))).run(StopSignal.manual());
        var held = AlignData.promptTexts(null, "echo", count(100), seed + 778);
        double before = Judge.copyScore(chat, held, Judge.answer(sft, chat, held, 48, 1f, seed));
        double after = Judge.copyScore(chat, held, Judge.answer(policy, chat, held, 48, 1f, seed));
        report.append("## 1. The copy task: PPO with the golden reward\n\n")
                .append(String.format("Tokens repeated in place per answer, on %d held-out requests to repeat a sentence: SFT %.2f, "
                        + "after %d rounds of PPO %.2f (KL to the SFT model %.2f nats per answer).%n%n",
                        held.size(), before, config.iterations(), after, last.getOrDefault("objective/kl", Double.NaN)));
    }

    /** The "aligning TinyStories to cats" write-up: REINFORCE with a KL penalty, rewarded by sentence-embedding similarity to "cat". */
    private void cats(Path sftDir) {
        System.out.println("\n== 8. cats: REINFORCE with a KL penalty, rewarded by all-MiniLM-L6-v2's similarity to \"cat\"");
        var r = CatExperiment.run(sftDir, seed, steps(CAT_ROUNDS), out.resolve("cats"));
        report.append("## 2. Cats: REINFORCE with KL, rewarded by sentence-embedding similarity\n\n")
                .append(String.format("On %d held-out instructions: similarity to \"cat\" (all-MiniLM-L6-v2) %.3f before, %.3f after; "
                                + "stories that mention a cat %.0f%% before, %.0f%% after; KL to the SFT model %.2f nats per story after.%n%n",
                        CatExperiment.HELD_OUT, r.before().similarity(), r.after().similarity(), 100 * r.before().catShare(),
                        100 * r.after().catShare(), r.after().kl()));
    }

    private PreferenceRound.PpoOutcome rewardModelThenPpo(Path sftDir, InstructionGenerator data, int maxLen) {
        System.out.println("\n== 9. reward model on preferences labelled by the simulated annotator, then PPO against it");
        var pairs = AlignData.split(data.preferences(count(6000)), 0.05);
        var prompts = new ArrayList<RlTrainer.Prompt>();
        for (PromptExample p : data.prompts(count(400))) prompts.add(new RlTrainer.Prompt(p.prompt(), chat.promptTokens(p.prompt())));
        var rewardConfig = RewardConfig.defaults().withRun(stage(16, steps(500), 20));
        var rlConfig = RlConfig.defaults(new Estimator.Ppo()).toBuilder().iterations(steps(30)).lr(1e-4).saveEvery(0).seed(seed).build();
        var ppo = PreferenceRound.rewardThenPpo(sftDir, chat, AlignData.tokenizePairs(chat, pairs.train(), maxLen),
                AlignData.tokenizePairs(chat, pairs.val(), maxLen), rewardConfig, rlConfig, prompts, out);
        System.out.printf("reward model: held-out accuracy %.3f, mean margin %.3f%n", ppo.rewardModel().metric("eval/accuracy"),
                ppo.rewardModel().metric("eval/margin"));
        return ppo;
    }

    private PreferenceRound.DpoOutcome dpoOnOwnAnswers(Path sftDir, Llama sft, InstructionGenerator data, int maxLen) {
        System.out.println("\n== 10. DPO on pairs of the SFT model's own answers, best against worst of 4");
        int dpoSteps = steps(200), dpoBatch = 8;
        // About one pass over the pairs; a ninth of the prompts give none (their answers tie)
        var dpoPrompts = new ArrayList<String>();
        for (PromptExample p : data.prompts(dpoSteps * dpoBatch * 9 / 8)) dpoPrompts.add(p.prompt());
        var bar = new ProgressBar("answers", 0, 4L * dpoPrompts.size());
        var ownPairs = SampledPairs.generate(sft, chat, dpoPrompts, 4, 256, 1f, seed, done -> bar.update(done, "")).pairs();
        var dpoConfig = DpoConfig.defaults().withRpoAlpha(1).withRun(stage(dpoBatch, dpoSteps, 10).toBuilder().lr(1e-4).build());
        return PreferenceRound.dpo(sftDir, chat, AlignData.tokenizePairs(chat, ownPairs, maxLen), List.of(), dpoConfig, out);
    }

    /**
     * Online DPO (TRL's OnlineDPOTrainer): each step the policy answers every prompt twice, the simulated
     * annotator picks the better answer, and DPO trains on that pair, against the SFT model as reference.
     */
    private Llama onlineDpo(Path sftDir, Llama sft, InstructionGenerator data) {
        System.out.println("\n== 11. online DPO: two answers from the policy each step, the simulated annotator's pick trained on");
        Llama policy = ModelDirectory.load(sftDir).model();
        int steps = steps(200), batch = 8;
        var prompts = new ArrayList<String>();
        for (PromptExample p : data.prompts(count(steps * batch))) prompts.add(p.prompt());
        var config = new OnlineDpoConfig(stage(batch, steps, 10).toBuilder().lr(5e-5).build(), 0.1, new PreferenceLoss.Sigmoid(0), 256, 1f);
        new OnlineDpoTrainer(policy, Reference.copy(sft, policy), chat, prompts, new AnnotatorJudge(), config,
                RunDirectory.at(out.resolve("online-dpo"))).run(StopSignal.manual());
        return policy;
    }

    /** Each aligned model against the SFT model on held-out instructions, judged by the simulated annotator. */
    private void preferenceReport(Llama sft, List<Aligned> aligned, double rmAccuracy, java.util.Map<String, Double> ppoLast) {
        var held = AlignData.promptTexts(null, "story", count(HELD_OUT), seed + 777);
        System.out.println("\n== 12. report: " + held.size() + " held-out instructions judged by the simulated annotator");
        var sftAnswers = Judge.answer(sft, chat, held, 256, 1f, seed);
        report.append("## 3. Preferences: a reward model and PPO against it, DPO, online DPO\n\n")
                .append(String.format("On %d held-out instructions, each model answering once (sampled at temperature 1), the simulated "
                        + "annotator judging; win rates against the SFT model with their 95%% interval.%n%n", held.size()))
                .append("| model | annotator score | eos rate | requested animal | win rate vs SFT [95%] |\n|---|---|---|---|---|\n");
        row("SFT", held, sftAnswers, null);
        var samples = new StringBuilder("\n### Samples\n\nPrompt: " + held.get(0) + "\n\n- SFT: " + sftAnswers.texts().get(0) + "\n");
        for (Aligned a : aligned) {
            var answers = Judge.answer(a.model(), chat, held, 256, 1f, seed);
            row(a.name(), held, answers, Judge.compare(held, answers, sftAnswers));
            samples.append("- ").append(a.name()).append(": ").append(answers.texts().get(0)).append("\n");
        }
        report.append(String.format("%nReward model held-out accuracy: %.3f. PPO's final KL to the reference: %.2f nats per response.%n",
                rmAccuracy, ppoLast.getOrDefault("objective/kl", Double.NaN)));
        report.append(samples);
    }

    /** A stage's run: the defaults with the demo's batch, length and warmup, evaluated and saved only at its end. */
    private RunSettings stage(int batch, int steps, int warmup) {
        return RunSettings.defaults().toBuilder().batchSize(batch).steps(steps).warmupSteps(warmup).evalEvery(0).saveEvery(0).seed(seed).build();
    }

    private void row(String name, List<String> prompts, Judge.Answers answers, WinRate win) {
        report.append(String.format("| %s | %.2f | %.2f | %.2f | %s |%n", name, Judge.meanScore(prompts, answers),
                answers.finished() / (double) answers.texts().size(), Judge.requestedAnimalShare(prompts, answers), win == null ? "—" : win));
    }
}
