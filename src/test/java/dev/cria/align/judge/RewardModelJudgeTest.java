package dev.cria.align.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.cria.align.RewardScores;
import dev.cria.align.reward.RewardModelReward;
import dev.cria.chat.BuiltInChat;
import dev.cria.model.Llama;
import dev.cria.model.LlamaConfig;
import dev.cria.tokenizer.ByteTokenizer;
import dev.cria.util.Rng;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A reward model as a judge: the Bradley–Terry probability of its two scores, for answers of any length. */
class RewardModelJudgeTest {
    @Test
    void aBeatsBWithTheSigmoidOfTheScoreDifference() {
        var tokenizer = new ByteTokenizer();
        var model = Llama.initialize(new LlamaConfig(16, 1, 2, 1, 32, tokenizer.vocabSize(), 64, 1e-5f, 10000f, true), new Rng(5));
        model.addScoreHead(new Rng(6), 1f);
        var chat = new BuiltInChat(tokenizer);
        var judge = new RewardModelJudge(model, new RewardModelReward(model, chat, tokenizer, RewardScores.Stats.NONE), chat, "rm");
        var prompts = List.of("Tell a story.", "Tell a story.");
        var a = List.of("Once upon a time.", "x".repeat(500));
        var b = List.of("The end", "Hi");
        double[] sa = judge.scores(prompts, a), sb = judge.scores(prompts, b);
        double[] ab = judge.probabilityAWins(prompts, a, b), ba = judge.probabilityAWins(prompts, b, a);
        for (int i = 0; i < 2; i++) {
            assertThat(ab[i]).isCloseTo(1 / (1 + Math.exp(sb[i] - sa[i])), within(1e-9));
            assertThat(ab[i] + ba[i]).isCloseTo(1, within(1e-9));
        }
    }
}
