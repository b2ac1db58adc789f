package dev.cria.align;

import dev.cria.chat.BuiltInChat;
import dev.cria.train.RunDirectory;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cria.align.reward.Reward;
import dev.cria.checkpoint.ModelDirectory;
import dev.cria.model.Llama;
import dev.cria.model.LlamaConfig;
import dev.cria.model.LoraConfig;
import dev.cria.tokenizer.ByteTokenizer;
import dev.cria.train.StopSignal;
import dev.cria.train.MetricsLog;
import dev.cria.util.CriaException;
import dev.cria.util.Rng;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each estimator must raise a simple reward: the share of response bytes that are the letter 'a'. */
class RlTrainerTest {
    private static final ByteTokenizer TOKENIZER = new ByteTokenizer();
    private static final LlamaConfig SHAPE = new LlamaConfig(32, 2, 4, 2, 48, TOKENIZER.vocabSize(), 32, 1e-5f, 10000f, true);
    private static final int ROUNDS = 30;

    @TempDir
    Path dir;

    private static final Reward LETTER_A = new Reward() {
        @Override
        public float[] score(List<Sample> samples) {
            float[] out = new float[samples.size()];
            for (int i = 0; i < out.length; i++) {
                int[] r = samples.get(i).responseTokens();
                int hits = 0;
                for (int t : r) if (t == 'a') hits++;
                out[i] = r.length == 0 ? 0 : hits / (float) r.length;
            }
            return out;
        }

        @Override
        public String name() {
            return "letter-a";
        }
    };

    private static List<RlTrainer.Prompt> prompts() {
        return List.of(new RlTrainer.Prompt("x", new int[] {TOKENIZER.bosId(), 'x'}), new RlTrainer.Prompt("y", new int[] {TOKENIZER.bosId(), 'y'}));
    }

    /** 32 samples a round: 8 prompts × k, or 32 prompts for PPO's one sample each. */
    private static RlConfig config(Estimator estimator, int k, int rounds) {
        return new RlConfig(estimator, rounds, 32 / k, k, 4, 1f, 2e-2, 2, 2, 0.2, 0.2, 0.1, 1.0, 0.95, 0.01, 0, 1000, 0.0, 0, 1.0, 10, 0, 3);
    }

    private double finalScore(Estimator estimator, int k) {
        Llama policy = Llama.initialize(SHAPE, new Rng(1));
        Llama reference = Llama.initialize(SHAPE, new Rng(1));
        Llama critic = null;
        if (estimator.needsCritic()) {
            critic = Llama.initialize(SHAPE, new Rng(1));
            critic.addScoreHead(new Rng(2), 0.01f);
        }
        var before = new HashMap<String, float[]>();
        policy.parameters().forEach((n, t) -> before.put(n, t.data.clone()));
        var last = new RlTrainer(policy, Reference.of(reference, policy), critic, new BuiltInChat(TOKENIZER), LETTER_A, prompts(), config(estimator, k, ROUNDS), RunDirectory.at(dir)).run(StopSignal.manual());
        policy.parameters().forEach((n, t) -> assertThat(t.data).as(n).isNotEqualTo(before.get(n)));
        assertThat(last).containsKeys("objective/kl", "objective/scores", "policy/clipfrac_avg", "policy/approxkl_avg", "loss/policy_avg", "val/ratio");
        var scores = MetricsLog.series(new MetricsLog(dir.resolve("metrics.jsonl")).read(), "objective/scores")[1];
        assertThat(scores[0]).isLessThan(0.2);
        var entropy = MetricsLog.series(new MetricsLog(dir.resolve("metrics.jsonl")).read(), "policy/entropy_avg")[1];
        assertThat(entropy[entropy.length - 1]).as("the policy narrows onto the rewarded letter").isLessThan(entropy[0]);
        return last.get("objective/scores");
    }

    @Test
    void ppoRaisesTheReward() {
        assertThat(finalScore(new Estimator.Ppo(), 1)).isGreaterThan(0.5);
        assertThat(dir.resolve(RlTrainer.REWARD_PLOT)).exists();
        assertThat(ModelDirectory.load(dir.resolve(RlTrainer.CRITIC_DIR)).model().hasScoreHead()).isTrue();
    }

    @Test
    void reinforceRaisesTheReward() {
        assertThat(finalScore(new Estimator.Reinforce(), 1)).isGreaterThan(0.5);
    }

    @Test
    void rlooRaisesTheReward() {
        assertThat(finalScore(new Estimator.Rloo(), 4)).isGreaterThan(0.5);
    }

    @Test
    void grpoRaisesTheReward() {
        assertThat(finalScore(new Estimator.Grpo(), 4)).isGreaterThan(0.5);
    }

    @Test
    void loraPolicyKeepsItsBaseFrozenAndUsesItAsReference() {
        Llama policy = Llama.initialize(SHAPE, new Rng(1));
        policy.attachLora(new LoraConfig(4, 8, 0, LoraConfig.MODULES), new Rng(2));
        var base = new HashMap<String, float[]>();
        policy.parameters().forEach((n, t) -> base.put(n, t.data.clone()));
        new RlTrainer(policy, Reference.of(null, policy), null, new BuiltInChat(TOKENIZER), LETTER_A, prompts(), config(new Estimator.Grpo(), 4, 3), RunDirectory.at(dir)).run(StopSignal.manual());
        policy.parameters().forEach((n, t) -> assertThat(t.data).as(n).containsExactly(base.get(n)));
    }

    @Test
    void badSetupsAreRefusedWithTheReason() {
        Llama policy = Llama.initialize(SHAPE, new Rng(1));
        assertThatThrownBy(() -> new RlTrainer(policy, Reference.of(null, policy), null, new BuiltInChat(TOKENIZER), LETTER_A, prompts(), config(new Estimator.Grpo(), 4, 1), RunDirectory.at(dir)))
                .isInstanceOf(CriaException.class).hasMessageContaining("reference");
        assertThatThrownBy(() -> new RlTrainer(policy, Reference.of(policy, policy), null, new BuiltInChat(TOKENIZER), LETTER_A, prompts(), config(new Estimator.Ppo(), 1, 1), RunDirectory.at(dir)))
                .hasMessageContaining("value model");
        assertThatThrownBy(() -> config(new Estimator.Rloo(), 1, 1)).hasMessageContaining("--samples-per-prompt");
        var longPrompt = List.of(new RlTrainer.Prompt("long", new int[30]));
        assertThatThrownBy(() -> new RlTrainer(policy, Reference.of(policy, policy), null, new BuiltInChat(TOKENIZER), LETTER_A, longPrompt, config(new Estimator.Reinforce(), 1, 1), RunDirectory.at(dir)))
                .hasMessageContaining("30 tokens");
    }
}
