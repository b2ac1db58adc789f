package dev.cria.align;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cria.align.reward.Reward;
import dev.cria.chat.BuiltInChat;
import dev.cria.model.Llama;
import dev.cria.model.LlamaConfig;
import dev.cria.tokenizer.ByteTokenizer;
import dev.cria.util.Rng;
import java.util.List;
import org.junit.jupiter.api.Test;

class BestOfNTest {
    @Test
    void theHighestScoreWinsAndTheFirstOfEqualOnes() {
        assertThat(BestOfN.best(new float[] {1, 3, 3, -2})).isEqualTo(1);
        assertThat(BestOfN.best(new float[] {-5, -4, -7})).isEqualTo(1);
        assertThat(BestOfN.best(new float[] {0.5f})).isZero();
        assertThatThrownBy(() -> BestOfN.best(new float[0])).hasMessageContaining("no scores");
    }

    /** A reward that is the answer's length: the kept answer must be each prompt's longest. */
    private record Length() implements Reward {
        @Override
        public float[] score(List<Sample> samples) {
            float[] out = new float[samples.size()];
            for (int i = 0; i < out.length; i++) out[i] = samples.get(i).responseTokens().length;
            return out;
        }

        @Override
        public String name() {
            return "length";
        }
    }

    @Test
    void sampleKeepsEachPromptsBestAnswer() {
        var tokenizer = new ByteTokenizer();
        var model = Llama.initialize(new LlamaConfig(16, 1, 2, 1, 32, tokenizer.vocabSize(), 128, 1e-5f, 10000f, true), new Rng(4));
        var chat = new BuiltInChat(tokenizer);
        var prompts = List.of("one", "two", "three");
        var result = BestOfN.sample(model, chat, prompts, 5, new Length(), 12, 1f, new Rng(9), null);
        assertThat(result.best()).hasSize(3);
        assertThat(result.meanBestScore()).isGreaterThanOrEqualTo(result.meanScore());
        for (float best : result.bestScores()) assertThat(best).isBetween(0f, 12f);
    }
}
