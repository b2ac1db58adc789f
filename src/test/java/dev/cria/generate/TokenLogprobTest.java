package dev.cria.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.cria.util.CriaException;
import org.junit.jupiter.api.Test;

class TokenLogprobTest {
    @Test
    void logSoftmaxOfAHandWorkedRow() {
        // offset 2 skips another row's tail; the row is [0, ln 3, 0, ln 4] → probabilities [1, 3, 1, 4] / 9
        float[] logits = {9, 9, 0, (float) Math.log(3), 0, (float) Math.log(4)};
        var lp = TokenLogprob.of(logits, 2, 4, 1, 3);
        assertThat(lp.token()).isEqualTo(1);
        assertThat(lp.logprob()).isCloseTo((float) Math.log(3 / 9.0), within(1e-6f));
        assertThat(lp.top()).as("likeliest first; of the equal two, the lower id").containsExactly(3, 1, 0);
        assertThat(lp.topLogprobs()[0]).isCloseTo((float) Math.log(4 / 9.0), within(1e-6f));
        assertThat(lp.topLogprobs()[2]).isCloseTo((float) Math.log(1 / 9.0), within(1e-6f));
    }

    @Test
    void topKOfTheWholeVocabularyIsASortedDistribution() {
        float[] logits = new float[50];
        for (int i = 0; i < logits.length; i++) logits[i] = (float) Math.sin(i * 1.7) * 3;
        var lp = TokenLogprob.of(logits, 0, 50, 7, 50);
        double mass = 0;
        for (int i = 0; i < 50; i++) {
            mass += Math.exp(lp.topLogprobs()[i]);
            if (i > 0) assertThat(lp.topLogprobs()[i]).isLessThanOrEqualTo(lp.topLogprobs()[i - 1]);
        }
        assertThat(mass).isCloseTo(1.0, within(1e-5));
        assertThat(TokenLogprob.of(logits, 0, 50, 7, 0).top()).isEmpty();
    }

    @Test
    void badTokensAndCountsAreRefused() {
        assertThatThrownBy(() -> TokenLogprob.of(new float[4], 0, 4, 4, 1)).isInstanceOf(CriaException.class).hasMessageContaining("token 4");
        assertThatThrownBy(() -> TokenLogprob.of(new float[4], 0, 4, 0, 5)).hasMessageContaining(": 5");
    }
}
