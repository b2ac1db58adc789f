package dev.cria.model;

import dev.cria.autograd.Tensor;
import dev.cria.kernels.Attention;
import dev.cria.kernels.Embedding;
import dev.cria.kernels.Gemm;
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
 * <p>The decoder reads float32 weights as they are when it is built (LoRA adapters merged in, unless
 * they are switched off): the q, k, v projections are joined into one matrix, as are gate and up, and
 * single matrices are used where they lie; each is packed for batched steps (see {@link Gemm.PackedB})
 * once a second batched call shows it will be reused. After the weights change, {@link #refresh()} it
 * (or build a new one).
 * Frozen 16-bit weights are not copied at all: each projection runs on its own 16-bit matrix, and a LoRA
 * adapter on one adds its low-rank update separately, so the decoder costs no memory beyond the model's.
 *
 * <p>Legend: R input rows, C = dim, QD = H·HS, KV = KVH·HS, F hidden, V vocab.
 */
public final class Decoder {
    /** Fewer rows than this run as dot products on the plain weights; more use the packed copy. */
    private static final int PACKED_ROWS = 8;

    /** A linear layer of the decoder, possibly several projections side by side: out (R, out) = x (R, in) · Wᵀ (+ bias). */
    private sealed interface Weight permits Joined, Parts {
        void apply(float[] out, float[] x, int R);

        /** The projections' weights as stored: joined float32 copies, or the parts as they are when any is 16-bit. */
        static Weight of(Llama model, int layer, Projection... parts) {
            if (anyFrozen(model, layer, parts)) return Parts.of(model, layer, parts);
            return Joined.of(model, layer, parts);
        }

        /**
         * The same projections with the model's current weights: this joined copy overwritten in place when
         * its layout still fits them, else built anew.
         */
        static Weight refreshed(Weight old, Llama model, int layer, Projection... parts) {
            if (old instanceof Joined joined && !anyFrozen(model, layer, parts)) {
                Joined.Sources now = Joined.sources(model, layer, parts);
                if (joined.fits(now)) {
                    joined.refresh(now);
                    return joined;
                }
            }
            return of(model, layer, parts);
        }

        private static boolean anyFrozen(Llama model, int layer, Projection... parts) {
            for (Projection p : parts) if (model.block(layer).weight(p).frozenMatrix() != null) return true;
            return false;
        }
    }

    /**
     * One float32 matrix, and its bias (out) or null. Its packed form is built on the second batched call:
     * a single prompt's prefill (one batched call per matrix) would not repay packing every weight, while
     * batched decoding makes one such call per token.
     */
    private static final class Joined implements Weight {
        /** The current weights of the parts, and their biases (null where none has one). */
        record Sources(float[][] weights, float[][] biases) {
        }

        private float[] plain;
        private final int out, in;
        private final float[] bias;
        private Gemm.PackedB packed;
        private boolean packedCurrent, batchedBefore;

        private Joined(float[] plain, int out, int in, float[] bias) {
            this.plain = plain;
            this.out = out;
            this.in = in;
            this.bias = bias;
        }

        static Joined of(int in, float[]... parts) {
            float[] joined = join(parts);
            return new Joined(joined, joined.length / in, in, null);
        }

        /** The weights of several projections stacked, with their biases (zeros for a projection without). */
        static Joined of(Llama model, int layer, Projection... parts) {
            Sources s = sources(model, layer, parts);
            Joined w = of(parts[0].in(model.config()), s.weights());
            return s.biases() != null ? new Joined(w.plain, w.out, w.in, join(s.biases())) : w;
        }

        static Sources sources(Llama model, int layer, Projection... parts) {
            LlamaConfig c = model.config();
            float[][] weights = new float[parts.length][];
            float[][] biases = new float[parts.length][];
            boolean anyBias = false;
            for (int i = 0; i < parts.length; i++) {
                weights[i] = model.effectiveWeight(layer, parts[i]);
                var bias = model.block(layer).bias(parts[i]);
                anyBias |= bias != null;
                biases[i] = bias != null ? bias.data : new float[parts[i].out(c)];
            }
            return new Sources(weights, anyBias ? biases : null);
        }

        /** Whether these sources have this copy's sizes, and a bias exactly where it has one. */
        boolean fits(Sources s) {
            int total = 0;
            for (float[] w : s.weights()) total += w.length;
            return total == plain.length && (s.biases() != null) == (bias != null);
        }

        /**
         * Takes the sources' values: a single part is used where it lies, several are copied into place. The
         * packed copy is packed again when it would be built anew (on the second batched call), so a refreshed
         * decoder gives the same bits as a new one.
         */
        void refresh(Sources s) {
            if (s.weights().length == 1) plain = s.weights()[0];
            else joinInto(plain, s.weights());
            if (bias != null) joinInto(bias, s.biases());
            packedCurrent = false;
            batchedBefore = false;
        }

        /** The parts stacked; a single part is used where it lies (see {@link #refresh}). */
        private static float[] join(float[]... parts) {
            if (parts.length == 1) return parts[0];
            int total = 0;
            for (float[] p : parts) total += p.length;
            return joinInto(new float[total], parts);
        }

        private static float[] joinInto(float[] joined, float[]... parts) {
            int at = 0;
            for (float[] p : parts) {
                System.arraycopy(p, 0, joined, at, p.length);
                at += p.length;
            }
            return joined;
        }

        /** out (R, this.out) = x (R, in) · thisᵀ (+ bias). */
        @Override
        public void apply(float[] out, float[] x, int R) {
            if (R < PACKED_ROWS) {
                Gemm.abT(out, x, plain, R, in, this.out, false);
            } else if (packedCurrent || batchedBefore) {
                if (packed == null) packed = Gemm.PackedB.of(plain, this.out, in);
                else if (!packedCurrent) packed.repack(plain);
                packedCurrent = true;
                Gemm.abT(out, x, packed, R, false);
            } else {
                batchedBefore = true;
                Gemm.abT(out, x, plain, R, in, this.out, false);
            }
            if (bias != null) Linear.forwardBias(out, bias, R, this.out);
        }
    }

    /**
     * Projections side by side, each run on its own weight as the model holds it (16-bit or float32), its
     * bias and, where adapters are on, its LoRA update (alpha/r)·(x·Aᵀ)·Bᵀ: out (R, Σ outs), the parts'
     * columns in order.
     */
    private static final class Parts implements Weight {
        private final Tensor[] weights;       // each (out_i, in)
        private final float[][] biases;       // each (out_i), or null
        private final LoraAdapter[] adapters; // or null
        private final int in, out;
        private float[] part = new float[0], low = new float[0]; // scratch: one part's output, x·Aᵀ

        private Parts(Tensor[] weights, float[][] biases, LoraAdapter[] adapters, int in) {
            this.weights = weights;
            this.biases = biases;
            this.adapters = adapters;
            this.in = in;
            int total = 0;
            for (Tensor w : weights) total += w.dim(0);
            this.out = total;
        }

        static Parts of(Llama model, int layer, Projection... parts) {
            Block b = model.block(layer);
            var weights = new Tensor[parts.length];
            var biases = new float[parts.length][];
            var adapters = new LoraAdapter[parts.length];
            for (int i = 0; i < parts.length; i++) {
                weights[i] = b.weight(parts[i]);
                biases[i] = b.bias(parts[i]) != null ? b.bias(parts[i]).data : null;
                adapters[i] = model.activeAdapter(layer, parts[i]);
            }
            return new Parts(weights, biases, adapters, weights[0].dim(1));
        }

        /** A single weight with no bias or adapter: an LM head. */
        static Parts of(Tensor weight) {
            return new Parts(new Tensor[] {weight}, new float[1][], new LoraAdapter[1], weight.dim(1));
        }

        @Override
        public void apply(float[] out, float[] x, int R) {
            boolean single = weights.length == 1;
            int at = 0;
            for (int i = 0; i < weights.length; i++) {
                int OUT = weights[i].dim(0);
                float[] y = single ? out : scratch(R * OUT);
                if (weights[i].frozenMatrix() != null) Gemm.abT(y, x, weights[i].frozenMatrix(), R, false);
                else Gemm.abT(y, x, weights[i].data, R, in, OUT, false);
                if (biases[i] != null) Linear.forwardBias(y, biases[i], R, OUT);
                if (adapters[i] != null) addLoraUpdate(y, x, adapters[i], R, OUT);
                if (!single) {
                    for (int r = 0; r < R; r++) System.arraycopy(y, r * OUT, out, r * this.out + at, OUT);
                }
                at += OUT;
            }
        }

        /** y (R, OUT) += (alpha/r)·(x·Aᵀ)·Bᵀ, without forming B·A. */
        private void addLoraUpdate(float[] y, float[] x, LoraAdapter adapter, int R, int OUT) {
            int rank = adapter.a().dim(0);
            if (low.length < R * rank) low = new float[R * rank];
            Gemm.abT(low, x, adapter.a().data, R, in, rank, false);
            float scale = (float) adapter.scale();
            for (int i = 0; i < R * rank; i++) low[i] *= scale;
            Gemm.abT(y, low, adapter.b().data, R, rank, OUT, true);
        }

        private float[] scratch(int size) {
            if (part.length < size) part = new float[size];
            return part;
        }
    }

    private final Llama model;
    private final LlamaConfig c;
    private final Weight[] qkv, o, gateUp, down;
    private Weight lmHead;

    public Decoder(Llama model) {
        this.model = model;
        this.c = model.config();
        int L = c.layers(), C = c.dim();
        qkv = new Weight[L];
        o = new Weight[L];
        gateUp = new Weight[L];
        down = new Weight[L];
        for (int l = 0; l < L; l++) {
            qkv[l] = Weight.of(model, l, Projection.Q, Projection.K, Projection.V);
            o[l] = Weight.of(model, l, Projection.O);
            gateUp[l] = Weight.of(model, l, Projection.GATE, Projection.UP);
            down[l] = Weight.of(model, l, Projection.DOWN);
        }
        lmHead = headWeight(null);
    }

    /**
     * Takes the model's current weights (after training steps, or with adapters switched) into this
     * decoder: its float32 copies and packed forms are overwritten in place where their layout still fits,
     * so a decoder reused from one generation to the next allocates nothing new. Returns this decoder.
     */
    public Decoder refresh() {
        for (int l = 0; l < c.layers(); l++) {
            qkv[l] = Weight.refreshed(qkv[l], model, l, Projection.Q, Projection.K, Projection.V);
            o[l] = Weight.refreshed(o[l], model, l, Projection.O);
            gateUp[l] = Weight.refreshed(gateUp[l], model, l, Projection.GATE, Projection.UP);
            down[l] = Weight.refreshed(down[l], model, l, Projection.DOWN);
        }
        lmHead = headWeight(lmHead);
        return this;
    }

    private Weight headWeight(Weight old) {
        Tensor head = model.lmHead();
        if (head.frozenMatrix() != null) return Parts.of(head);
        var now = new Joined.Sources(new float[][] {head.data}, null);
        if (old instanceof Joined joined && joined.fits(now)) {
            joined.refresh(now);
            return joined;
        }
        return Joined.of(c.dim(), head.data);
    }

    public Llama model() {
        return model;
    }

    /**
     * Feeds {@code tokens[r]} for slot {@code slots[r]} and returns logits (logitRows.length, V) for the
     * rows listed in {@code logitRows} (usually each slot's last row). The returned array is reused: it
     * is valid until the next call, and may be longer than logitRows.length · V.
     */
    public float[] forward(int[] tokens, int[] slots, KvCache cache, int[] logitRows) {
        int R = tokens.length;
        int C = c.dim(), H = c.heads(), KVH = c.kvHeads(), HS = c.headSize(), QD = c.qDim(), KV = c.kvDim(), F = c.hiddenDim();
        float eps = c.normEps();
        int[] positions = assignPositions(slots, cache);

        Buffers buf = buffers(R, logitRows.length);
        float[] x = buf.x, h = buf.h, rstd = buf.rstd, qkvOut = buf.qkvOut, q = buf.q, qr = buf.qr, k = buf.k, kr = buf.kr;
        float[] v = buf.v, att = buf.att, proj = buf.proj, gateUpOut = buf.gateUpOut, gate = buf.gate, up = buf.up;
        Rope.Table rope = model.ropeTable();

        Tensor embedding = model.embedding();
        if (embedding.frozenMatrix() != null) Embedding.forward(x, embedding.frozenMatrix(), tokens);
        else Embedding.forward(x, embedding.data, tokens, c.vocab(), C);
        for (int l = 0; l < c.layers(); l++) {
            Block b = model.block(l);
            RmsNorm.forward(h, rstd, x, b.attnNorm().data, R, C, eps);
            qkv[l].apply(qkvOut, h, R);
            split(qkvOut, R, new float[][] {q, k, v}, new int[] {QD, KV, KV});
            if (b.qNorm() != null) {
                RmsNorm.forward(q, buf.headRstd, q, b.qNorm().data, R * H, HS, eps);
                RmsNorm.forward(k, buf.headRstd, k, b.kNorm().data, R * KVH, HS, eps);
            }
            Rope.forward(qr, q, positions, R, H, HS, rope);
            Rope.forward(kr, k, positions, R, KVH, HS, rope);
            float[] keys = cache.keys[l], values = cache.values[l];
            for (int r = 0; r < R; r++) {
                int at = (slots[r] * cache.capacity + positions[r]) * KV;
                System.arraycopy(kr, r * KV, keys, at, KV);
                System.arraycopy(v, r * KV, values, at, KV);
            }
            attend(att, qr, keys, values, slots, positions, cache);
            o[l].apply(proj, att, R);
            for (int i = 0; i < R * C; i++) x[i] += proj[i];
            RmsNorm.forward(h, rstd, x, b.mlpNorm().data, R, C, eps);
            gateUp[l].apply(gateUpOut, h, R);
            split(gateUpOut, R, new float[][] {gate, up}, new int[] {F, F});
            SwiGlu.forward(gate, gate, up, R * F);
            down[l].apply(proj, gate, R);
            for (int i = 0; i < R * C; i++) x[i] += proj[i];
        }
        for (int r = 0; r < R; r++) cache.setLength(slots[r], positions[r] + 1);

        int L = logitRows.length;
        for (int i = 0; i < L; i++) System.arraycopy(x, logitRows[i] * C, buf.last, i * C, C);
        RmsNorm.forward(buf.normed, buf.rstd, buf.last, model.finalNorm().data, L, C, eps);
        lmHead.apply(buf.logits, buf.normed, L);
        return buf.logits;
    }

    /** Work arrays of one forward, kept from call to call and grown when a call has more rows. */
    private static final class Buffers {
        final int rows, logitRows;
        final float[] x, h, rstd, headRstd, qkvOut, q, qr, k, kr, v, att, proj, gateUpOut, gate, up, last, normed, logits;

        Buffers(LlamaConfig c, int R, int L) {
            int C = c.dim(), QD = c.qDim(), KV = c.kvDim(), F = c.hiddenDim();
            rows = R;
            logitRows = L;
            x = new float[R * C];
            h = new float[R * C];
            rstd = new float[Math.max(R, L)];
            headRstd = new float[R * c.heads()];
            qkvOut = new float[R * (QD + 2 * KV)];
            q = new float[R * QD];
            qr = new float[R * QD];
            k = new float[R * KV];
            kr = new float[R * KV];
            v = new float[R * KV];
            att = new float[R * QD];
            proj = new float[R * C];
            gateUpOut = new float[R * 2 * F];
            gate = new float[R * F];
            up = new float[R * F];
            last = new float[L * C];
            normed = new float[L * C];
            logits = new float[L * c.vocab()];
        }
    }

    private Buffers buffers;

    private Buffers buffers(int R, int L) {
        if (buffers == null || buffers.rows < R || buffers.logitRows < L) {
            buffers = new Buffers(c, Math.max(R, buffers == null ? 0 : buffers.rows), Math.max(L, buffers == null ? 0 : buffers.logitRows));
        }
        return buffers;
    }

    /** Cuts each row of a joined product into its parts, parts[i] taking widths[i] columns. */
    private static void split(float[] joined, int R, float[][] parts, int[] widths) {
        int total = 0;
        for (int w : widths) total += w;
        for (int r = 0; r < R; r++) {
            int at = r * total;
            for (int i = 0; i < parts.length; i++) {
                System.arraycopy(joined, at, parts[i], r * widths[i], widths[i]);
                at += widths[i];
            }
        }
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
            float[] scores = Attention.rowScratch(cache.capacity);
            for (int rh = start; rh < end; rh++) {
                int r = rh / H, head = rh % H;
                int off = r * H * HS + head * HS;
                int kvBase = slots[r] * cache.capacity * KV + (head / G) * HS;
                Attention.attendRow(out, off, q, off, keys, values, kvBase, KV, positions[r] + 1, HS, scale, scores, simd);
            }
        });
    }
}
