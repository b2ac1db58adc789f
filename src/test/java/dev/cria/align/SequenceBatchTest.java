package dev.cria.align;

import static dev.cria.autograd.Nn.IGNORE_INDEX;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SequenceBatchTest {
    private static final int PAD = 99, EOS = 98;

    @Test
    void onlyResponseTokensAreTargetsAndTheEosIsOneOfThem() {
        // row 0: prompt [1 2 3], response [4 5 EOS]; row 1: prompt [7], response [8 EOS]
        var batch = SequenceBatch.of(List.of(new int[] {1, 2, 3, 4, 5, EOS}, new int[] {7, 8, EOS}), new int[] {3, 1}, PAD);
        assertThat(batch.T).isEqualTo(6);
        assertThat(batch.tokens).containsExactly(1, 2, 3, 4, 5, EOS, 7, 8, EOS, PAD, PAD, PAD);
        assertThat(batch.responseTargets()).containsExactly(
                IGNORE_INDEX, IGNORE_INDEX, 4, 5, EOS, IGNORE_INDEX,
                8, EOS, IGNORE_INDEX, IGNORE_INDEX, IGNORE_INDEX, IGNORE_INDEX);
        assertThat(batch.responseMask()).containsExactly(0, 0, 1, 1, 1, 0, 1, 1, 0, 0, 0, 0);
        assertThat(batch.lastIndex()).containsExactly(5, 2);
        assertThat(batch.tokenCount()).isEqualTo(9);
    }
}
