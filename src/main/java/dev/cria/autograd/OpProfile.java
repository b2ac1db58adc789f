package dev.cria.autograd;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the time of a training step goes, op by op, forward and backward: {@code ./cria bench train
 * --profile}. Off by default, and then it costs one branch per op.
 *
 * <p>An op's forward time is the time since the previous op finished (ops run one after another on the
 * calling thread); call {@link #lap()} before a step so the gap between steps is not counted. Backward
 * time is measured around each node's backward.
 */
public final class OpProfile {
    private static volatile boolean enabled;
    private static final Map<String, long[]> TOTALS = new LinkedHashMap<>(); // name -> {nanos, calls}
    private static long last;

    private OpProfile() {
    }

    public static void enable() {
        enabled = true;
        lap();
    }

    public static boolean enabled() {
        return enabled;
    }

    /** Starts the forward clock afresh. */
    public static void lap() {
        last = System.nanoTime();
    }

    /** The op that just produced its output: the first caller outside the autograd plumbing. */
    static String callerOp() {
        return StackWalker.getInstance().walk(frames -> frames
                .filter(f -> !f.getClassName().equals(Tensor.class.getName()) && !f.getClassName().equals(OpProfile.class.getName())
                        && !f.getMethodName().equals("binary") && !f.getMethodName().equals("unary") && !f.getMethodName().startsWith("lambda$"))
                .findFirst()
                .map(f -> f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1) + "." + f.getMethodName())
                .orElse("?"));
    }

    static synchronized void forwardDone(String op) {
        long now = System.nanoTime();
        add(op + " forward", now - last);
        last = now;
    }

    static synchronized void backwardDone(String op, long nanos) {
        add(op + " backward", nanos);
        last = System.nanoTime();
    }

    private static void add(String key, long nanos) {
        long[] t = TOTALS.computeIfAbsent(key, k -> new long[2]);
        t[0] += nanos;
        t[1]++;
    }

    public static synchronized void reset() {
        TOTALS.clear();
        lap();
    }

    /** Rows "name, milliseconds, share, calls", largest first. */
    public static synchronized List<String> report(int steps) {
        long total = TOTALS.values().stream().mapToLong(t -> t[0]).sum();
        var rows = new ArrayList<Map.Entry<String, long[]>>(TOTALS.entrySet());
        rows.sort((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]));
        var out = new ArrayList<String>();
        for (var e : rows) {
            out.add(String.format("%-32s %9.1f ms/step %5.1f%% %6d calls/step", e.getKey(), e.getValue()[0] / 1e6 / steps,
                    100.0 * e.getValue()[0] / Math.max(1, total), e.getValue()[1] / steps));
        }
        return out;
    }
}
