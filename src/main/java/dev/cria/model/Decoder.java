package dev.cria.model;

import dev.cria.kernels.Attention;
import dev.cria.kernels.Embedding;
import dev.cria.kernels.Linear;
import dev.cria.kernels.RmsNorm;
import dev.cria.kernels.Rope;
import dev.cria.kernels.Simd;
import dev.cria.kernels.SwiGlu;
import dev.cria.tensor.Parallel;

/**
 * Inference with a {@link KvCache}: runs new tokens of several sequences through the model at once,
 * appending their keys and values to the cache, with no autograd graph. Each input row names its cache
 * slot; a slot's rows must be consecutive and continue where the slot's cache ends. Prefill (a whole
 * prompt per slot) and decoding (one token per slot) are the same call.
 *
 * <p>Legend: R input rows, C = dim, KV = KVH·HS, F hidden, V vocab.
 */
public final class Decoder {
    private final Llama model;
    private final LlamaConfig c;

    public Decoder(Llama model) {
        this.model = model;
        this.c = model.config();
    }

    public Llama model() {
        return model;
    }

    /**
     * Feeds {@code tokens[r]} for slot {@code slots[r]} and returns logits (logitRows.length, V) for the
     * rows listed in {@code logitRows} (usually each slot's last row).
     */
    public float[] forward(int[] tokens, int[] slots, KvCache cache, int[] logitRows) {
        int R = tokens.length;
        int C = c.dim(), H = c.heads(), KVH = c.kvHeads(), HS = c.headSize(), KV = c.kvDim(), F = c.hiddenDim();
        float eps = c.normEps();
        int[] positions = assignPositions(slots, cache);

        float[] x = new float[R * C];
        float[] h = new float[R * C];
        float[] rstd = new float[R];
        float[] q = new float[R * C], qr = new float[R * C];
        float[] k = new float[R * KV], kr = new float[R * KV];
        float[] v = new float[R * KV];
        float[] att = new float[R * C];
        float[] proj = new float[R * C];
        float[] gate = new float[R * F], up = new float[R * F];
        Rope.Table rope = model.ropeTable();

        Embedding.forward(x, model.embedding().data, tokens, c.vocab(), C);
        for (int l = 0; l < c.layers(); l++) {
            Llama.Block b = model.block(l);
            RmsNorm.forward(h, rstd, x, b.attnNorm().data, R, C, eps);
            Linear.forward(q, h, b.wq().data, R, C, C);
            Linear.forward(k, h, b.wk().data, R, C, KV);
            Linear.forward(v, h, b.wv().data, R, C, KV);
            Rope.forward(qr, q, positions, R, H, HS, rope);
            Rope.forward(kr, k, positions, R, KVH, HS, rope);
            float[] keys = cache.keys[l], values = cache.values[l];
            for (int r = 0; r < R; r++) {
                int at = (slots[r] * cache.capacity + positions[r]) * KV;
                System.arraycopy(kr, r * KV, keys, at, KV);
                System.arraycopy(v, r * KV, values, at, KV);
            }
            attend(att, qr, keys, values, slots, positions, cache);
            Linear.forward(proj, att, b.wo().data, R, C, C);
            for (int i = 0; i < R * C; i++) x[i] += proj[i];
            RmsNorm.forward(h, rstd, x, b.mlpNorm().data, R, C, eps);
            Linear.forward(gate, h, b.wGate().data, R, C, F);
            Linear.forward(up, h, b.wUp().data, R, C, F);
            SwiGlu.forward(gate, gate, up, R * F);
            Linear.forward(proj, gate, b.wDown().data, R, F, C);
            for (int i = 0; i < R * C; i++) x[i] += proj[i];
        }
        for (int r = 0; r < R; r++) cache.setLength(slots[r], positions[r] + 1);

        int L = logitRows.length;
        float[] last = new float[L * C];
        for (int i = 0; i < L; i++) System.arraycopy(x, logitRows[i] * C, last, i * C, C);
        float[] normed = new float[L * C];
        RmsNorm.forward(normed, new float[L], last, model.finalNorm().data, L, C, eps);
        float[] logits = new float[L * c.vocab()];
        Linear.forward(logits, normed, model.lmHead().data, L, C, c.vocab());
        return logits;
    }

    /** Position of each row: its slot's cached length plus the rows of that slot before it. */
    private int[] assignPositions(int[] slots, KvCache cache) {
        int[] positions = new int[slots.length];
        int[] next = new int[cache.slots];
        boolean[] seen = new boolean[cache.slots];
        for (int r = 0; r < slots.length; r++) {
            int s = slots[r];
            if (s < 0 || s >= cache.slots) throw new IllegalArgumentException("slot " + s + " outside cache of " + cache.slots);
            if (!seen[s]) {
                seen[s] = true;
                next[s] = cache.length(s);
            } else if (slots[r - 1] != s) {
                throw new IllegalArgumentException("rows of slot " + s + " are not consecutive (row " + r + ")");
            }
            if (next[s] >= cache.capacity) {
                throw new IllegalArgumentException("slot " + s + " is full: cache capacity is " + cache.capacity);
            }
            positions[r] = next[s]++;
        }
        return positions;
    }

    private void attend(float[] out, float[] q, float[] keys, float[] values, int[] slots, int[] positions, KvCache cache) {
        int H = c.heads(), HS = c.headSize(), KV = c.kvDim(), G = H / c.kvHeads();
        float scale = (float) (1.0 / Math.sqrt(HS));
        boolean simd = Simd.ENABLED;
        int R = slots.length;
        Parallel.forRange(R * H, 4, (start, end) -> {
            float[] scores = new float[cache.capacity];
            for (int rh = start; rh < end; rh++) {
                int r = rh / H, head = rh % H;
                int off = r * H * HS + head * HS;
                int kvBase = slots[r] * cache.capacity * KV + (head / G) * HS;
                Attention.attendRow(out, off, q, off, keys, values, kvBase, KV, positions[r] + 1, HS, scale, scores, simd);
            }
        });
    }
}
