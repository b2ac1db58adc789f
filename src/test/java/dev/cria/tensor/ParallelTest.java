package dev.cria.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The warm pool: fixed chunks, every item once, failures reach the caller, and concurrent callers are safe;
 * tasks that a free thread takes over from a busy one.
 */
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

    @Test
    void everyTaskRunsOnceAndEachThreadSetsUpItsScratchOnce() {
        for (int n : new int[] {1, 2, 3, 32, 1001}) {
            int[] hits = new int[n];
            AtomicInteger setUps = new AtomicInteger();
            Parallel.forTasks(n, () -> {
                setUps.incrementAndGet();
                return task -> hits[task]++;
            });
            for (int hit : hits) assertThat(hit).isEqualTo(1);
            assertThat(setUps.get()).isBetween(1, Math.min(Parallel.threads(), n));
        }
    }

    @Test
    void aThreadThatFinishesItsShareTakesTheTasksAnotherHasNotStarted() throws Exception {
        Assumptions.assumeTrue(Parallel.threads() >= 2, "needs a second thread");
        int tasks = 2 * Parallel.threads();
        // the first share is tasks 0 and 1: task 0 holds its thread until task 1 has run, which only another
        // thread can then do
        var secondStarted = new CountDownLatch(1);
        var runners = new Thread[tasks];
        Parallel.forTasks(tasks, () -> task -> {
            runners[task] = Thread.currentThread();
            if (task == 1) secondStarted.countDown();
            if (task == 0) awaitQuietly(secondStarted);
        });
        assertThat(secondStarted.getCount()).isZero();
        assertThat(runners[1]).isNotSameAs(runners[0]);
    }

    @Test
    void aFailingTaskFailsTheCallAndNestedTasksRunInline() {
        assertThatThrownBy(() -> Parallel.forTasks(10, () -> task -> {
            if (task == 7) throw new IllegalStateException("task 7 failed");
        })).isInstanceOf(IllegalStateException.class).hasMessage("task 7 failed");
        List<String> mismatches = Collections.synchronizedList(new ArrayList<>());
        Parallel.forRange(2, 1, (start, end) -> {
            Thread outer = Thread.currentThread();
            Parallel.forTasks(100, () -> task -> {
                if (Thread.currentThread() != outer) mismatches.add("task " + task);
            });
        });
        assertThat(mismatches).isEmpty();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
