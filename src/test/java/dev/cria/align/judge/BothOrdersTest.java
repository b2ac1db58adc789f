package dev.cria.align.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class BothOrdersTest {
    private static final List<String> PROMPTS = List.of("p1", "p2", "p3");
    private static final List<String> A = List.of("good", "bad", "good");
    private static final List<String> B = List.of("bad", "good", "good");

    @Test
    void aJudgeThatAlwaysPrefersTheFirstPositionComesOutAtAHalf() {
        BothOrders.Ordered firstAlways = (prompts, first, second) -> new double[] {1, 1, 1};
        assertThat(BothOrders.probabilityAWins(firstAlways, PROMPTS, A, B)).containsExactly(0.5, 0.5, 0.5);
        BothOrders.Ordered secondAlways = (prompts, first, second) -> new double[] {0.2, 0.2, 0.2};
        assertThat(BothOrders.probabilityAWins(secondAlways, PROMPTS, A, B)).containsExactly(0.5, 0.5, 0.5);
    }

    @Test
    void aBiasedJudgeKeepsItsPreferenceWithTheBiasCancelled() {
        // P(first wins) = 0.5 + 0.3 (position bias) ± 0.15 (the "good" answer is better)
        BothOrders.Ordered biased = (prompts, first, second) -> {
            double[] out = new double[prompts.size()];
            for (int i = 0; i < out.length; i++) out[i] = 0.8 + 0.15 * (merit(first.get(i)) - merit(second.get(i)));
            return out;
        };
        double[] p = BothOrders.probabilityAWins(biased, PROMPTS, A, B);
        assertThat(p[0]).isCloseTo(0.65, within(1e-12));
        assertThat(p[1]).isCloseTo(0.35, within(1e-12));
        assertThat(p[2]).isCloseTo(0.5, within(1e-12));
    }

    private static int merit(String answer) {
        return answer.equals("good") ? 1 : 0;
    }

    @Test
    void listsOfDifferentLengthsAreRefused() {
        assertThatThrownBy(() -> BothOrders.probabilityAWins((p, f, s) -> new double[p.size()], PROMPTS, A, List.of("x")))
                .hasMessageContaining("3 prompts, 3 answers A, 1 answers B");
    }

    @Test
    void theAnnotatorIsCertainOrTied() {
        var judge = new AnnotatorJudge();
        String prompt = "Write a story about a cat named Tom.";
        String story = "Once upon a time, there was a cat named Tom. Tom liked to play in the park with his red ball every day. "
                + "One day he found a new friend, a little bird, and they played together until the sun went down. "
                + "Tom was very happy. He went home and told his mom about his new friend. She smiled and gave him a hug. "
                + "From that day on, Tom and the bird played in the park every morning, and they were the best of friends.";
        assertThat(judge.probabilityAWins(List.of(prompt, prompt), List.of(story, "the the the"), List.of("the the the", story)))
                .containsExactly(1.0, 0.0);
        assertThat(judge.probabilityAWins(List.of(prompt), List.of(story), List.of(story))).containsExactly(0.5);
    }
}
