package dev.cria.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The warm pool: fixed chunks, every item once, failures reach the caller, and concurrent callers are safe. */
class ParallelTest {
    @Test
    void chunksDependOnlyOnTheSizeAndCoverEveryItemOnce() {
        for (int n : new int[] {1, 2, 3, 7, 100, 1001}) {
            List<int[]> ranges = Collections.synchronizedList(new ArrayList<>());
            int[] hits = new int[n];
            Parallel.forRange(n, 1, (start, end) -> {
                ranges.add(new int[] {start, end});
                for (int i = start; i < end; i++) hits[i]++;
            });
            for (int hit : hits) assertThat(hit).isEqualTo(1);
            int chunks = Math.min(Parallel.threads(), n);
            assertThat(ranges).hasSize(chunks);
            for (int[] r : ranges) {
                int c = (int) Math.round((double) r[0] * chunks / n);
                assertThat(r[0]).isEqualTo((int) ((long) n * c / chunks));
                assertThat(r[1]).isEqualTo((int) ((long) n * (c + 1) / chunks));
            }
        }
    }

    @Test
    void aFailingChunkFailsTheCallAndThePoolGoesOn() {
        assertThatThrownBy(() -> Parallel.forRange(100, 1, (start, end) -> {
            if (end == 100) throw new IllegalStateException("last chunk failed");
        })).isInstanceOf(IllegalStateException.class).hasMessage("last chunk failed");
        assertThatThrownBy(() -> Parallel.forRange(100, 1, (start, end) -> {
            if (start == 0) throw new IllegalArgumentException("first chunk failed");
        })).isInstanceOf(IllegalArgumentException.class).hasMessage("first chunk failed");
        AtomicLong sum = new AtomicLong();
        Parallel.forRange(100, 1, (start, end) -> {
            for (int i = start; i < end; i++) sum.addAndGet(i);
        });
        assertThat(sum.get()).isEqualTo(4950);
    }

    @Test
    void nestedCallsRunInlineOnTheChunksThread() {
        List<String> mismatches = Collections.synchronizedList(new ArrayList<>());
        Parallel.forRange(4, 1, (start, end) -> {
            Thread outer = Thread.currentThread();
            Parallel.forRange(1000, 1, (s, e) -> {
                if (Thread.currentThread() != outer) mismatches.add(s + ".." + e);
            });
        });
        assertThat(mismatches).isEmpty();
    }

    @Test
    void manyCallersAtOnceEachGetTheirWholeRange() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            List<Future<Long>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                results.add(callers.submit(() -> {
                    long total = 0;
                    for (int call = 0; call < 2000; call++) {
                        int n = 1 + (call * 7 + seed) % 50;
                        long[] parts = new long[n];
                        Parallel.forRange(n, 1, (start, end) -> {
                            for (int i = start; i < end; i++) parts[i] = i + 1;
                        });
                        for (long p : parts) total += p;
                        total -= (long) n * (n + 1) / 2;
                    }
                    return total;
                }));
            }
            for (Future<Long> f : results) assertThat(f.get()).isZero();
        } finally {
            callers.shutdownNow();
        }
    }
}
