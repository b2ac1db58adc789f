package dev.cria.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A scratch scope gives back what it took, except what it keeps, and nothing taken before it opened. */
class WorkspaceScratchTest {
    @Test
    void closingGivesBackTheScratchArraysOnly() {
        int size = 7919; // a size no other test pools
        float[] before = Workspace.take(size);
        float[] kept, scratch;
        try (var s = Workspace.scratch()) {
            scratch = Workspace.take(size);
            kept = Workspace.take(size);
            s.keep(kept);
        }
        float[] again = Workspace.take(size);
        assertThat(again).isSameAs(scratch);
        assertThat(Workspace.take(size)).isNotSameAs(kept).isNotSameAs(before);
    }
}
