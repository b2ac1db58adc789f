package dev.cria.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cria.util.CriaException;
import dev.cria.util.Rng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Batches from a token stream: shapes, the one-token shift, determinism, and the validation pass. */
class WindowSamplerTest {
    // Token i has id i, so a window's contents reveal where it was cut.
    private static int[] iota(int n) {
        return IntStream.range(0, n).toArray();
    }

    @Test
    void aBatchHasBRowsOfTTokensAndTargetsAreInputsShiftedByOne() {
        int B = 4;
        int T = 8;
        WindowSampler sampler = new WindowSampler(iota(100), T);
        Batch batch = sampler.sample(B, new Rng(1));
        assertThat(batch.rows()).isEqualTo(B);
        assertThat(batch.seqLen()).isEqualTo(T);
        assertThat(batch.inputs()).hasSize(B * T);
        assertThat(batch.targets()).hasSize(B * T);
        for (int b = 0; b < B; b++) {
            int start = batch.inputs()[b * T];
            assertThat(start).isBetween(0, 100 - (T + 1));
            for (int t = 0; t < T; t++) {
                assertThat(batch.inputs()[b * T + t]).as("consecutive window").isEqualTo(start + t);
                assertThat(batch.targets()[b * T + t]).as("next token").isEqualTo(start + t + 1);
            }
        }
    }

    @Test
    void theSameRngStateGivesTheSameBatch() {
        WindowSampler sampler = new WindowSampler(iota(1000), 16);
        Rng rng = new Rng(5);
        long[] state = rng.state();
        Batch first = sampler.sample(8, rng);
        Batch again = sampler.sample(8, Rng.fromState(state));
        assertThat(again.inputs()).isEqualTo(first.inputs());
        assertThat(again.targets()).isEqualTo(first.targets());
        assertThat(sampler.sample(8, rng).inputs()).as("the stream moves on").isNotEqualTo(first.inputs());
    }

    @Test
    void everyOffsetIncludingBothEndsCanBeDrawn() {
        WindowSampler sampler = new WindowSampler(iota(12), 10);
        Set<Integer> starts = new HashSet<>();
        Rng rng = new Rng(9);
        for (int i = 0; i < 200; i++) starts.add(sampler.sample(1, rng).inputs()[0]);
        assertThat(starts).containsExactlyInAnyOrder(0, 1);
    }

    @Test
    void sampleIntoFillsCallerArrays() {
        WindowSampler sampler = new WindowSampler(iota(50), 5);
        int[] inputs = new int[15];
        int[] targets = new int[15];
        sampler.sampleInto(new Rng(2), inputs, targets);
        assertThat(inputs).isEqualTo(sampler.sample(3, new Rng(2)).inputs());
        assertThatThrownBy(() -> sampler.sampleInto(new Rng(2), new int[14], new int[14])).hasMessageContaining("14");
    }

    @Test
    void aStreamShorterThanOneWindowIsNamed() {
        assertThatThrownBy(() -> new WindowSampler(iota(8), 8))
                .isInstanceOf(CriaException.class)
                .hasMessageContaining("8 tokens").hasMessageContaining("seqLen + 1 = 9");
        assertThat(new WindowSampler(iota(9), 8).sample(1, new Rng(1)).targets()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
    }

    @Test
    void theValidationPassCoversTheStreamOnceInOrder() {
        int T = 10;
        WindowSampler sampler = new WindowSampler(iota(103), T);
        assertThat(sampler.windowCount()).isEqualTo(10);
        List<Integer> rows = new ArrayList<>();
        int[] inputs = new int[0];
        int[] targets = new int[0];
        for (Batch batch : sampler.sequential(4)) {
            rows.add(batch.rows());
            inputs = concat(inputs, batch.inputs());
            targets = concat(targets, batch.targets());
        }
        assertThat(rows).containsExactly(4, 4, 2);
        assertThat(inputs).isEqualTo(iota(100));
        assertThat(targets).isEqualTo(IntStream.rangeClosed(1, 100).toArray());
    }

    @Test
    void theValidationPassRestartsForEachIteration() {
        WindowSampler sampler = new WindowSampler(iota(41), 10);
        Iterable<Batch> pass = sampler.sequential(3);
        int first = 0;
        for (Batch ignored : pass) first++;
        int second = 0;
        for (Batch ignored : pass) second++;
        assertThat(first).isEqualTo(2);
        assertThat(second).isEqualTo(first);
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
