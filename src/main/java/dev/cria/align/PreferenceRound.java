package dev.cria.align;

import dev.cria.align.reward.RewardModelReward;
import dev.cria.checkpoint.ModelDirectory;
import dev.cria.model.Llama;
import dev.cria.chat.ChatFormat;
import dev.cria.train.RunDirectory;
import dev.cria.train.StopSignal;
import dev.cria.train.TrainingLoop;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One round of learning from preference pairs (or from answers rated good or bad), the same for the demo,
 * {@code cria rlhf} and the web app.
 * It starts from a model directory and leaves the new policy in a run directory inside {@code dir}:
 * <ul>
 *   <li>{@link #rewardThenPpo}: (1) a reward model is trained from the starting weights on the pairs,
 *       in {@code reward/}; (2) PPO runs from the starting policy against it, in {@code ppo/}, with a
 *       frozen copy of the start as reference and a copy of the reward model as the value model's start;</li>
 *   <li>{@link #dpo}: DPO on the pairs against a frozen copy of the start, in {@code dpo/};</li>
 *   <li>{@link #kto}: KTO on rated answers against a frozen copy of the start, in {@code kto/}.</li>
 * </ul>
 */
public final class PreferenceRound {
    public static final String REWARD = "reward", PPO = "ppo", DPO = "dpo", KTO = "kto";

    /** PPO's policy (also saved in {@code policyDir}), how the reward model trained, and PPO's last round. */
    public record PpoOutcome(Llama policy, Path policyDir, TrainingLoop.Result rewardModel, Map<String, Double> ppo) {
    }

    /** DPO's policy (also saved in {@code policyDir}) and how it trained. */
    public record DpoOutcome(Llama policy, Path policyDir, TrainingLoop.Result dpo) {
    }

    /** KTO's policy (also saved in {@code policyDir}) and how it trained. */
    public record KtoOutcome(Llama policy, Path policyDir, TrainingLoop.Result kto) {
    }

    private PreferenceRound() {
    }

    public static PpoOutcome rewardThenPpo(Path start, ChatFormat chat, List<PreferencePair> train, List<PreferencePair> heldOut,
                                           RewardConfig rewardConfig, RlConfig rlConfig, List<RlTrainer.Prompt> prompts, Path dir) {
        Path rewardDir = dir.resolve(REWARD);
        Llama rewardModel = ModelDirectory.load(start).model();
        TrainingLoop.Result rm = new RewardTrainer(rewardModel, chat.tokenizer(), train, heldOut, rewardConfig, RunDirectory.at(rewardDir))
                .run(StopSignal.manual());
        // subtle: the value model is trained during PPO, so it must be a copy, not the reward model itself
        var reward = new RewardModelReward(rewardModel, chat, chat.tokenizer(), RewardScores.read(ModelDirectory.resolve(rewardDir)));
        Llama critic = ModelDirectory.load(rewardDir).model();
        Llama policy = ModelDirectory.load(start).model();
        Reference reference = Reference.copy(ModelDirectory.loadFrozen(start).model(), policy);
        Path ppoDir = dir.resolve(PPO);
        Map<String, Double> last = new RlTrainer(policy, reference, critic, chat, reward, prompts, rlConfig, RunDirectory.at(ppoDir))
                .run(StopSignal.manual());
        return new PpoOutcome(policy, ModelDirectory.resolve(ppoDir), rm, last);
    }

    public static DpoOutcome dpo(Path start, ChatFormat chat, List<PreferencePair> train, List<PreferencePair> heldOut, DpoConfig config,
                                 Path dir) {
        Llama policy = ModelDirectory.load(start).model();
        Reference reference = Reference.copy(ModelDirectory.loadFrozen(start).model(), policy);
        Path dpoDir = dir.resolve(DPO);
        TrainingLoop.Result result = new DpoTrainer(policy, reference, chat.tokenizer(), train, heldOut, config, RunDirectory.at(dpoDir))
                .run(StopSignal.manual());
        return new DpoOutcome(policy, ModelDirectory.resolve(dpoDir), result);
    }

    public static KtoOutcome kto(Path start, ChatFormat chat, List<LabelledExample> train, List<LabelledExample> heldOut, KtoConfig config,
                                 Path dir) {
        Llama policy = ModelDirectory.load(start).model();
        Reference reference = Reference.copy(ModelDirectory.loadFrozen(start).model(), policy);
        Path ktoDir = dir.resolve(KTO);
        TrainingLoop.Result result = new KtoTrainer(policy, reference, chat.tokenizer(), train, heldOut, config, RunDirectory.at(ktoDir))
                .run(StopSignal.manual());
        return new KtoOutcome(policy, ModelDirectory.resolve(ktoDir), result);
    }
}
