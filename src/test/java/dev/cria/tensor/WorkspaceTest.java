package dev.cria.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WorkspaceTest {
    @AfterEach
    void restoreDefault() {
        Workspace.limit(Runtime.getRuntime().maxMemory() / 4);
    }

    @Test
    void reusesAnArrayOfTheSameSize() {
        float[] a = Workspace.take(12345);
        Workspace.give(a);
        assertThat(Workspace.take(12345)).isSameAs(a);
        assertThat(Workspace.take(12345)).isNotSameAs(a).hasSize(12345);
    }

    @Test
    void manyDifferentSizesNeverHoldMoreThanTheLimit() {
        Workspace.limit(4L * 100_000);
        for (int size = 10_000; size < 60_000; size += 7) Workspace.give(new float[size]);
        assertThat(Workspace.pooledBytes()).isLessThanOrEqualTo(4L * 100_000);
        float[] recent = new float[59_999];
        Workspace.give(recent);
        assertThat(Workspace.take(59_999)).isSameAs(recent);
    }
}
