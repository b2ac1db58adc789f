package dev.cria.align.judge;

import java.util.List;

/**
 * Cancels a judge's position bias by asking in both orders and averaging (as in MT-Bench's "swap
 * positions", Zheng et al. 2023, and TRL's PairRM judge). With p₁ = P(first wins | A first) and
 * p₂ = P(first wins | B first),
 *
 * <pre>
 *   P(A wins) = (p₁ + (1 − p₂)) / 2
 * </pre>
 *
 * so a judge that always picks whichever answer it sees first comes out at exactly 0.5.
 */
public final class BothOrders {
    /** A judge asked about answers in one order: P(the first shown answer is the better one). */
    @FunctionalInterface
    public interface Ordered {
        double[] firstWins(List<String> prompts, List<String> first, List<String> second);
    }

    private BothOrders() {
    }

    public static double[] probabilityAWins(Ordered judge, List<String> prompts, List<String> a, List<String> b) {
        PairJudge.checkSizes(prompts, a, b);
        double[] aFirst = judge.firstWins(prompts, a, b);
        double[] bFirst = judge.firstWins(prompts, b, a);
        double[] out = new double[prompts.size()];
        for (int i = 0; i < out.length; i++) out[i] = (aFirst[i] + (1 - bFirst[i])) / 2;
        return out;
    }
}
