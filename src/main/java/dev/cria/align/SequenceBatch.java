package dev.cria.align;

import dev.cria.autograd.Nn;
import dev.cria.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Sequences of different lengths as one right-padded (B, T) batch, for the trainers that learn from
 * prompt + response pairs. Padding sits after each sequence's end, so causal attention never lets it
 * touch a real token; every pad position is left out of losses.
 *
 * <p>subtle: the pad id is never the eos id. With pad == eos and pad positions masked, the model would
 * never be trained to emit eos and would not learn to stop.
 */
public final class SequenceBatch {
    public final int[] tokens;   // (B, T), right-padded with the pad id
    public final int[] lengths;  // real tokens per row
    public final int[] trainFrom; // index of each row's first trained token (its response)
    public final int B;
    public final int T;

    private SequenceBatch(int[] tokens, int[] lengths, int[] trainFrom, int B, int T) {
        this.tokens = tokens;
        this.lengths = lengths;
        this.trainFrom = trainFrom;
        this.B = B;
        this.T = T;
    }

    /**
     * The id that fills padded positions: the tokenizer's pad, else 0. Every trainer pads through here.
     *
     * <p>Another model's tokenizer often names no pad (Llama 2 and 3: -1). Any id in the vocabulary serves,
     * because padding is found from {@link #lengths}, never by comparing ids, and is masked out of every
     * loss; only -1 is wrong (the embedding lookup would fail). 0 is in every vocabulary. eos is not used
     * as the fallback so that, as the class comment asks, padding never reads as a real eos.
     */
    public static int padId(Tokenizer tokenizer) {
        return tokenizer.padId() >= 0 ? tokenizer.padId() : 0;
    }

    /** Pads {@code sequences[b]}, whose tokens from {@code responseStart[b]} on are the response. */
    public static SequenceBatch of(List<int[]> sequences, int[] responseStart, int padId) {
        int B = sequences.size();
        if (B == 0) throw new IllegalArgumentException("empty batch");
        int T = 0;
        for (int[] s : sequences) T = Math.max(T, s.length);
        int[] tokens = new int[B * T], lengths = new int[B];
        java.util.Arrays.fill(tokens, padId);
        for (int b = 0; b < B; b++) {
            int[] s = sequences.get(b);
            if (responseStart[b] < 1 || responseStart[b] > s.length) {
                throw new IllegalArgumentException("row " + b + ": response start " + responseStart[b] + " outside 1.." + s.length);
            }
            System.arraycopy(s, 0, tokens, b * T, s.length);
            lengths[b] = s.length;
        }
        return new SequenceBatch(tokens, lengths, responseStart.clone(), B, T);
    }

    /**
     * Next-token targets that train only response tokens: position t of row b predicts token t+1, which
     * counts when it lies in [trainFrom[b], length[b]); everything else is {@link Nn#IGNORE_INDEX}.
     */
    public int[] responseTargets() {
        int[] targets = new int[B * T];
        java.util.Arrays.fill(targets, Nn.IGNORE_INDEX);
        for (int b = 0; b < B; b++) {
            for (int t = trainFrom[b] - 1; t < lengths[b] - 1; t++) targets[b * T + t] = tokens[b * T + t + 1];
        }
        return targets;
    }

    /** 1 where position t of row b predicts a response token (as {@link #responseTargets}), else 0. */
    public float[] responseMask() {
        float[] mask = new float[B * T];
        for (int b = 0; b < B; b++) {
            for (int t = trainFrom[b] - 1; t < lengths[b] - 1; t++) mask[b * T + t] = 1f;
        }
        return mask;
    }

    /** Index of each row's last real token (its final eos, for a complete prompt + response). */
    public int[] lastIndex() {
        int[] last = new int[B];
        for (int b = 0; b < B; b++) last[b] = lengths[b] - 1;
        return last;
    }

    /** The given rows as a batch of their own, with the same T, so per-position arrays line up via {@link #gather}. */
    public SequenceBatch rows(int[] rows) {
        int[] tokens = new int[rows.length * T], lengths = new int[rows.length], trainFrom = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(this.tokens, rows[i] * T, tokens, i * T, T);
            lengths[i] = this.lengths[rows[i]];
            trainFrom[i] = this.trainFrom[rows[i]];
        }
        return new SequenceBatch(tokens, lengths, trainFrom, rows.length, T);
    }

    /** The given rows of a per-position (B·T) array, in the order of {@code rows}. */
    public float[] gather(float[] perPosition, int[] rows) {
        float[] out = new float[rows.length * T];
        for (int i = 0; i < rows.length; i++) System.arraycopy(perPosition, rows[i] * T, out, i * T, T);
        return out;
    }

    /** Real tokens in the batch. */
    public long tokenCount() {
        long n = 0;
        for (int l : lengths) n += l;
        return n;
    }

    /** Examples as one padded batch, each trained on from its response onwards. */
    public static SequenceBatch ofExamples(List<TokenizedExample> examples, int pad) {
        var sequences = new ArrayList<int[]>();
        int[] starts = new int[examples.size()];
        for (int i = 0; i < examples.size(); i++) {
            sequences.add(examples.get(i).tokens());
            starts[i] = examples.get(i).responseStart();
        }
        return SequenceBatch.of(sequences, starts, pad);
    }
}
