package dev.cria.eval;

import dev.cria.autograd.Grad;
import dev.cria.autograd.Nn;
import dev.cria.autograd.Tensor;
import dev.cria.io.NpyWriter;
import dev.cria.model.Llama;
import java.util.List;

/**
 * Next-token negative log-likelihood of sequences under a model: each token after the first is scored
 * given the ones before it. Optionally streams every position's logits (all tokens, in input order) to
 * a NumPy file, for comparing with another implementation.
 */
public final class Evaluator {
    /** Summed NLL over {@code tokens} predicted tokens. */
    public record Result(double nll, long tokens, int sequences) {
        public double loss() {
            return tokens == 0 ? Double.NaN : nll / tokens;
        }

        public double perplexity() {
            return Math.exp(loss());
        }
    }

    private Evaluator() {
    }

    public static Result evaluate(Llama model, List<int[]> sequences, NpyWriter logitsOut) {
        double nll = 0;
        long count = 0;
        int V = model.config().vocab();
        try (var off = Grad.off()) {
            for (int[] ids : sequences) {
                int T = ids.length;
                Tensor logits = model.logits(ids, 1, T);
                if (logitsOut != null) {
                    float[] row = new float[V];
                    for (int t = 0; t < T; t++) {
                        System.arraycopy(logits.data, t * V, row, 0, V);
                        logitsOut.writeRow(row);
                    }
                }
                if (T < 2) continue;
                int[] targets = new int[T];
                for (int t = 0; t < T - 1; t++) targets[t] = ids[t + 1];
                targets[T - 1] = Nn.IGNORE_INDEX;
                nll += (double) Nn.crossEntropy(logits, targets).item() * (T - 1);
                count += T - 1;
            }
        }
        return new Result(nll, count, sequences.size());
    }
}
