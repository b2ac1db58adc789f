package dev.cria.backend;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A native buffer that is reused from call to call and grows when a call needs more. Each size gets its
 * own arena so that the buffer it replaces is freed at once rather than when the backend dies.
 */
final class NativeScratch {
    /** 64 bytes: a cache line, and the alignment oneDNN's own allocations use. */
    private static final long ALIGNMENT = 64;

    private Arena arena;
    private MemorySegment buffer = MemorySegment.NULL;

    /** A buffer of at least {@code bytes}; its contents are undefined. */
    MemorySegment atLeast(long bytes) {
        if (buffer.byteSize() < bytes) {
            if (arena != null) arena.close();
            arena = Arena.ofShared();
            // half as much again, so that a slowly growing size does not reallocate every call
            buffer = arena.allocate(Math.max(bytes, buffer.byteSize() + buffer.byteSize() / 2), ALIGNMENT);
        }
        return buffer.asSlice(0, bytes);
    }
}
