package dev.cria.align.reward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cria.chat.ChatTemplate;
import dev.cria.world.InstructionGenerator;
import dev.cria.chat.SftExample;
import dev.cria.tokenizer.ByteTokenizer;
import dev.cria.tokenizer.Tokenizer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The copy task's reward: tokens reproducing the prompt text in place, and the built-in echo requests it is meant for. */
class CopyRewardTest {
    private final Tokenizer tokenizer = new ByteTokenizer();

    @Test
    void countsResponseTokensEqualToThePromptTextAtTheSamePosition() {
        // prompt: 2 template tokens, text 5 6 7 8, 2 template tokens
        int[] prompt = {1, 2, 5, 6, 7, 8, 3, 4};
        var sample = new Reward.Sample("p", "r", prompt, new int[] {5, 9, 7, 8, 8, 8}, true);
        var shifted = new Reward.Sample("p", "r", prompt, new int[] {9, 5, 6, 7}, true);
        assertThat(new CopyReward(2, 2).score(List.of(sample, shifted))).containsExactly(3f, 0f);
    }

    @Test
    void creditsEachCopiedTokenWhereItStandsAndWeightsThatPartInACombination() {
        int[] prompt = {1, 2, 5, 6, 7, 8, 3, 4};
        var sample = new Reward.Sample("p", "a cat", prompt, new int[] {5, 9, 7}, true);
        assertThat(new CopyReward(2, 2).tokenScores(List.of(sample))[0]).containsExactly(1f, 0f, 1f);
        var combined = new Reward.Weighted(List.of(new CopyReward(2, 2), new KeywordReward("cat")), new double[] {2, 1});
        assertThat(combined.tokenScores(List.of(sample))[0]).containsExactly(2f, 0f, 2f);
        assertThat(combined.score(List.of(sample))[0]).isEqualTo(5f);
        assertThat(new KeywordReward("cat").tokenScores(List.of(sample))).as("a whole-response reward has no token part").isNull();
    }

    @Test
    void theAnswerToABuiltInEchoRequestEarnsOnePointPerToken() {
        for (SftExample echo : new InstructionGenerator(3).echoes(20)) {
            int[] prompt = ChatTemplate.promptTokens(tokenizer, echo.prompt());
            int[] response = tokenizer.encode(echo.response());
            var sample = new Reward.Sample(echo.prompt(), echo.response(), prompt, response, true);
            assertThat(new CopyReward(2, 2).score(List.of(sample))[0]).as(echo.toString()).isEqualTo(response.length);
        }
    }
}
