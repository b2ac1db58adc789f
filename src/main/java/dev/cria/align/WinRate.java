package dev.cria.align;

/**
 * How often one model's answer beat another's on the same prompts, ties counting half, with a 95%
 * interval: the mean of the per-prompt outcomes (1, ½ or 0) ± 1.96 standard errors, clamped to [0, 1].
 * On 400 prompts the interval is about ±0.05, so a rate of 0.55 is the least that clearly beats a coin.
 */
public record WinRate(double rate, double low, double high, int prompts) {
    private static final double Z95 = 1.959964;

    /** From the outcome of each comparison: 1 for a win, 0.5 for a tie, 0 for a loss. */
    public static WinRate of(double[] outcomes) {
        int n = outcomes.length;
        if (n == 0) throw new IllegalArgumentException("no comparisons");
        double mean = 0;
        for (double o : outcomes) mean += o;
        mean /= n;
        double variance = 0;
        for (double o : outcomes) variance += (o - mean) * (o - mean);
        variance = n > 1 ? variance / (n - 1) : 0;
        double half = Z95 * Math.sqrt(variance / n);
        return new WinRate(mean, Math.max(0, mean - half), Math.min(1, mean + half), n);
    }

    /** True when the whole interval lies above {@code rate}: a win that chance alone is unlikely to explain. */
    public boolean clearlyAbove(double rate) {
        return low > rate;
    }

    @Override
    public String toString() {
        return String.format("%.3f [%.3f, %.3f]", rate, low, high);
    }
}
