package dev.cria.train;

import java.io.PrintStream;
import java.time.Duration;

/**
 * A one-line progress bar on stderr: {@code [#####-----] 120/2000  loss 2.345  12,345 tok/s  ETA 3m12s}.
 * On a terminal it redraws in place; in a log (no console) it prints a plain line every few seconds so
 * CI logs stay short.
 */
public final class ProgressBar {
    private static final int WIDTH = 24;
    private final PrintStream out;
    private final String label;
    private final long total;
    private final boolean interactive;
    private final long startNanos = System.nanoTime();
    private final long startCount;
    private long lastPrint;

    public ProgressBar(String label, long startCount, long total) {
        this(System.err, label, startCount, total, System.console() != null);
    }

    ProgressBar(PrintStream out, String label, long startCount, long total, boolean interactive) {
        this.out = out;
        this.label = label;
        this.startCount = startCount;
        this.total = total;
        this.interactive = interactive;
    }

    /** Shows progress {@code done} of {@code total}, with a free-form status such as the loss. */
    public void update(long done, String status) {
        long now = System.nanoTime();
        boolean last = done >= total;
        if (!last && now - lastPrint < (interactive ? 100_000_000L : 10_000_000_000L)) return;
        lastPrint = now;
        String line = render(done, status, now);
        if (interactive) out.print("\r" + line + "\u001b[K" + (last ? "\n" : ""));
        else out.println(line);
        out.flush();
    }

    String render(long done, String status, long now) {
        double fraction = total == 0 ? 1 : Math.min(1, (double) done / total);
        int filled = (int) Math.round(fraction * WIDTH);
        var bar = new StringBuilder(label).append(" [");
        bar.append("#".repeat(filled)).append("-".repeat(WIDTH - filled)).append("] ");
        bar.append(done).append('/').append(total);
        if (!status.isEmpty()) bar.append("  ").append(status);
        double elapsed = (now - startNanos) / 1e9;
        long doneHere = done - startCount;
        if (doneHere > 0 && done < total) {
            bar.append("  ETA ").append(formatDuration(elapsed / doneHere * (total - done)));
        } else if (done >= total) {
            bar.append("  took ").append(formatDuration(elapsed));
        }
        return bar.toString();
    }

    public static String formatDuration(double seconds) {
        var d = Duration.ofMillis((long) (seconds * 1000));
        if (d.toHours() > 0) return String.format("%dh%02dm", d.toHours(), d.toMinutesPart());
        if (d.toMinutes() > 0) return String.format("%dm%02ds", d.toMinutes(), d.toSecondsPart());
        return String.format("%.1fs", seconds);
    }
}
