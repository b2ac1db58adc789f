package dev.cria.align.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.cria.chat.BuiltInChat;
import dev.cria.model.Llama;
import dev.cria.model.LlamaConfig;
import dev.cria.tokenizer.ByteTokenizer;
import dev.cria.util.Rng;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The AI judge on a tiny random model: its verdicts are probabilities, symmetric in the answers, and long answers are cut to fit. */
class ModelJudgeTest {
    private static final ByteTokenizer TOKENIZER = new ByteTokenizer();

    private static ModelJudge judge(int context) {
        var model = Llama.initialize(new LlamaConfig(16, 1, 2, 1, 32, TOKENIZER.vocabSize(), context, 1e-5f, 10000f, true), new Rng(3));
        return new ModelJudge(model, new BuiltInChat(TOKENIZER), "tiny");
    }

    @Test
    void verdictsAreProbabilitiesThatSwapWithTheAnswers() {
        var judge = judge(512);
        var prompts = List.of("Tell a story.", "Say hi.");
        var a = List.of("Once upon a time.", "Hi!");
        var b = List.of("The end", "Hello there, friend.");
        double[] ab = judge.probabilityAWins(prompts, a, b), ba = judge.probabilityAWins(prompts, b, a);
        for (int i = 0; i < ab.length; i++) {
            assertThat(ab[i]).isStrictlyBetween(0.0, 1.0);
            assertThat(ab[i] + ba[i]).isCloseTo(1.0, within(1e-6));
        }
        assertThat(judge.probabilityAWins(List.of("Tell a story."), List.of("Same."), List.of("Same."))[0]).isCloseTo(0.5, within(1e-6));
    }

    @Test
    void answersTooLongForTheContextAreCutToFit() {
        var judge = judge(400);
        String longAnswer = "word ".repeat(200);
        int[] question = judge.question("Tell a story.", longAnswer, longAnswer);
        assertThat(question.length).isLessThanOrEqualTo(399);
        assertThat(judge.probabilityAWins(List.of("Tell a story."), List.of(longAnswer), List.of("short"))[0]).isStrictlyBetween(0.0, 1.0);
    }
}
