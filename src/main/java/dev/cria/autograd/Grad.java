package dev.cria.autograd;

/**
 * Whether ops record the graph. Inference, rollouts, the reference model and evaluation run inside
 * {@code try (var scope = Grad.off()) { ... }}, which builds no graph and keeps no activations alive.
 */
public final class Grad {
    private static final ThreadLocal<int[]> DISABLED_DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    private Grad() {
    }

    public static boolean isEnabled() {
        return DISABLED_DEPTH.get()[0] == 0;
    }

    /** A scope with gradients off; scopes nest. */
    public static Scope off() {
        DISABLED_DEPTH.get()[0]++;
        return new Scope();
    }

    public static final class Scope implements AutoCloseable {
        private boolean closed;

        private Scope() {
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                DISABLED_DEPTH.get()[0]--;
            }
        }
    }
}
