package dev.cria.align;

import dev.cria.align.reward.Reward;
import dev.cria.chat.AlignmentJsonl;
import dev.cria.chat.ChatFormat;
import dev.cria.chat.SftExample;
import dev.cria.chat.SftTokens;
import dev.cria.model.Llama;
import dev.cria.train.ProgressBar;
import dev.cria.train.RunDirectory;
import dev.cria.train.StopSignal;
import dev.cria.train.TrainingLoop;
import dev.cria.util.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Rejection-sampling fine-tuning. Each round (1) the current policy answers every prompt n times,
 * (2) the reward keeps each prompt's best answer ({@link BestOfN}), written to {@code round-N/best.jsonl},
 * (3) SFT trains on the kept answers in {@code round-N/}, with a fresh optimizer; the policy carries
 * over to the next round. The run's own {@code metrics.jsonl} logs each round's
 * {@code rejection/mean_score} (all answers) and {@code rejection/best_score} (the kept ones).
 *
 * <p>Not resumable: a stopped run keeps the rounds it finished, each with its checkpoint.
 */
public final class RejectionSamplingTrainer {
    /** What one round did. */
    public record Round(int round, double meanScore, double bestScore, TrainingLoop.Result sft) {
    }

    private final Llama policy;
    private final ChatFormat chat;
    private final List<String> prompts;
    private final Reward reward;
    private final RejectionSamplingConfig config;
    private final int maxLen;
    private final RunDirectory run;

    /** @param maxLen longest prompt + answer trained on, in tokens; a longer answer loses its end */
    public RejectionSamplingTrainer(Llama policy, ChatFormat chat, List<String> prompts, Reward reward, RejectionSamplingConfig config,
                                    int maxLen, RunDirectory run) {
        if (prompts.isEmpty()) throw new IllegalArgumentException("no prompts to answer");
        this.maxLen = maxLen;
        this.policy = policy;
        this.chat = chat;
        this.prompts = prompts;
        this.reward = reward;
        this.config = config;
        this.run = run;
    }

    /** Runs the rounds, telling {@code onRound} about each; stops after the round in progress when asked. */
    public List<Round> run(StopSignal stop, Consumer<Round> onRound) {
        var rounds = new ArrayList<Round>();
        for (int r = 1; r <= config.rounds() && !stop.requested(); r++) {
            // 1-2. sample n answers per prompt and keep each prompt's best
            var bar = new ProgressBar("round " + r + " answers", 0, (long) config.samples() * prompts.size());
            var best = BestOfN.sample(policy, chat, prompts, config.samples(), reward, config.maxNewTokens(), config.temperature(),
                    new Rng(config.run().seed() + r), done -> bar.update(done, ""));
            run.log(r, Map.of("rejection/mean_score", best.meanScore(), "rejection/best_score", best.meanBestScore()));
            RunDirectory roundRun = run.nested("round-" + r);
            var kept = new ArrayList<SftExample>();
            var examples = new ArrayList<TokenizedExample>();
            for (int i = 0; i < prompts.size(); i++) {
                var example = new SftExample(prompts.get(i), best.best().get(i));
                kept.add(example);
                SftTokens t = chat.encode(example.context(), example.response(), maxLen);
                examples.add(new TokenizedExample(t.tokens(), t.promptLength()));
            }
            AlignmentJsonl.writeSft(roundRun.path().resolve("best.jsonl"), kept);
            // 3. SFT on them, seeded per round so rounds draw different batches
            var sft = new SftConfig(config.run().toBuilder().seed(config.run().seed() + r).build());
            TrainingLoop.Result result = new SftTrainer(policy, chat.tokenizer(), examples, List.of(), sft, roundRun).run(stop);
            var round = new Round(r, best.meanScore(), best.meanBestScore(), result);
            rounds.add(round);
            onRound.accept(round);
        }
        return rounds;
    }
}
