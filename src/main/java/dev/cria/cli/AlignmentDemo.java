package dev.cria.cli;

import dev.cria.align.DpoConfig;
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
 * The alignment half of {@code cria demo}: SFT on built-in instructions, a reward model on preferences
 * labelled by the simulated annotator, PPO against that reward model, and DPO (with RPO's NLL term) on
 * pairs of the SFT model's own answers labelled by the annotator, then a
 * report of samples, win rates against the SFT model and the KL PPO paid, in {@code OUT/report.md}.
 */
final class AlignmentDemo {
    private final Path out;
    private final Tokenizer tokenizer;
    private final ChatFormat chat;
    private final long seed;
    private final int scale; // 1 for the full demo; smaller runs divide the step counts
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

    void run(Llama pretrained) {
        var data = new InstructionGenerator(seed);
        int maxLen = pretrained.config().maxSeqLen() - 1;

        System.out.println("\n== 6. supervised fine-tuning on built-in instructions");
        var sft = AlignData.split(data.sft(4000), 0.05);
        Path sftDir = out.resolve("sft");
        var sftResult = new SftTrainer(pretrained, tokenizer, AlignData.tokenizeSft(chat, sft.train(), maxLen),
                AlignData.tokenizeSft(chat, sft.val(), maxLen), new SftConfig(stage(16, steps(500), 20)),
                RunDirectory.at(sftDir))
                .run(StopSignal.manual());
        System.out.printf("SFT: validation loss on responses %.3f%n", sftResult.metric("val/loss"));

        System.out.println("\n== 7-8. reward model on preferences labelled by the simulated annotator, then PPO against it");
        var pairs = AlignData.split(data.preferences(6000), 0.05);
        var prompts = new ArrayList<RlTrainer.Prompt>();
        for (PromptExample p : data.prompts(400)) prompts.add(new RlTrainer.Prompt(p.prompt(), chat.promptTokens(p.prompt())));
        var rewardConfig = RewardConfig.defaults().withRun(stage(16, steps(500), 20));
        var rlConfig = RlConfig.defaults(new Estimator.Ppo()).toBuilder().iterations(steps(30)).lr(1e-4).saveEvery(0).seed(seed).build();
        var ppo = PreferenceRound.rewardThenPpo(sftDir, chat, AlignData.tokenizePairs(chat, pairs.train(), maxLen),
                AlignData.tokenizePairs(chat, pairs.val(), maxLen), rewardConfig, rlConfig, prompts, out);
        System.out.printf("reward model: held-out accuracy %.3f, mean margin %.3f%n", ppo.rewardModel().metric("eval/accuracy"),
                ppo.rewardModel().metric("eval/margin"));

        System.out.println("\n== 9. DPO on pairs of the SFT model's own answers, best against worst of 4");
        Llama sftModel = ModelDirectory.load(sftDir).model();
        int dpoSteps = steps(200), dpoBatch = 8;
        // About one pass over the pairs; a ninth of the prompts give none (their answers tie)
        var dpoPrompts = new ArrayList<String>();
        for (PromptExample p : data.prompts(dpoSteps * dpoBatch * 9 / 8)) dpoPrompts.add(p.prompt());
        var bar = new ProgressBar("answers", 0, 4L * dpoPrompts.size());
        var ownPairs = SampledPairs.generate(sftModel, chat, dpoPrompts, 4, 256, 1f, seed, done -> bar.update(done, "")).pairs();
        var dpoConfig = DpoConfig.defaults().withRpoAlpha(1).withRun(stage(dpoBatch, dpoSteps, 10).toBuilder().lr(1e-4).build());
        var dpo = PreferenceRound.dpo(sftDir, chat, AlignData.tokenizePairs(chat, ownPairs, maxLen), List.of(), dpoConfig, out);

        System.out.println("\n== 10. report: held-out prompts judged by the simulated annotator");
        judge(sftModel, ppo.policy(), dpo.policy(), ppo.rewardModel().metric("eval/accuracy"), ppo.ppo());
    }

    private void judge(Llama sft, Llama ppo, Llama dpo, double rmAccuracy, java.util.Map<String, Double> ppoLast) {
        var held = new ArrayList<String>();
        for (PromptExample p : new InstructionGenerator(seed + 777).prompts(100)) held.add(p.prompt());
        var sftAnswers = Judge.answer(sft, chat, held, 256, 1f, seed);
        var ppoAnswers = Judge.answer(ppo, chat, held, 256, 1f, seed);
        var dpoAnswers = Judge.answer(dpo, chat, held, 256, 1f, seed);
        double ppoWin = Judge.winRate(held, ppoAnswers, sftAnswers), dpoWin = Judge.winRate(held, dpoAnswers, sftAnswers);
        report.append("| model | annotator score | eos rate | win rate vs SFT |\n|---|---|---|---|\n");
        row("SFT", Judge.meanScore(held, sftAnswers), sftAnswers, Double.NaN);
        row("PPO (reward model)", Judge.meanScore(held, ppoAnswers), ppoAnswers, ppoWin);
        row("DPO", Judge.meanScore(held, dpoAnswers), dpoAnswers, dpoWin);
        report.append(String.format("%nReward model held-out accuracy: %.3f. PPO's final KL to the reference: %.2f nats per response.%n",
                rmAccuracy, ppoLast.getOrDefault("objective/kl", Double.NaN)));
        report.append("\n## Samples\n\nPrompt: ").append(held.get(0)).append("\n\n");
        report.append("- SFT: ").append(sftAnswers.texts().get(0)).append("\n- PPO: ").append(ppoAnswers.texts().get(0))
                .append("\n- DPO: ").append(dpoAnswers.texts().get(0)).append("\n\n");
        report.append("Curves: `loss.png`, `sft/sft_loss.png`, `reward/reward_accuracy.png`, `ppo/rl_reward.png`, `ppo/rl_kl.png`, `dpo/dpo_rewards.png`.\n");
        AtomicFiles.writeString(out.resolve("report.md"), report.toString());
        System.out.print(report);
    }

    /** A stage's run: the defaults with the demo's batch, length and warmup, evaluated and saved only at its end. */
    private RunSettings stage(int batch, int steps, int warmup) {
        return RunSettings.defaults().toBuilder().batchSize(batch).steps(steps).warmupSteps(warmup).evalEvery(0).saveEvery(0).seed(seed).build();
    }

    private void row(String name, double score, Judge.Answers answers, double win) {
        report.append(String.format("| %s | %.2f | %.2f | %s |%n", name, score, answers.finished() / (double) answers.texts().size(),
                Double.isNaN(win) ? "—" : String.format("%.2f", win)));
    }
}
