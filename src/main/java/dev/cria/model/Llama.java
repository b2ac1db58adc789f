package dev.cria.model;

import dev.cria.autograd.Checkpoint;
import dev.cria.autograd.Nn;
import dev.cria.autograd.Ops;
import dev.cria.autograd.Tensor;
import dev.cria.kernels.Rope;
import dev.cria.util.CriaException;
import dev.cria.util.Rng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Llama decoder: token embedding, {@code layers} pre-norm blocks of grouped-query attention and a
 * SwiGLU MLP, a final RMSNorm and the LM head. Policy, reference, reward and value models are all this
 * one trunk; only the head they read differs. With tied embeddings the head is the embedding tensor itself.
 * The config's {@link Variant} adds what Llama's cousins differ by: projection biases, per-head q/k norms
 * and scaled RoPE frequencies.
 *
 * <p>Two modes change what a forward computes, each switched for the length of a try-with-resources
 * scope, like {@link dev.cria.autograd.Grad#off()}: {@link #adaptersOff()} runs the frozen base, and
 * {@link #training(Rng)} applies LoRA dropout. Tensor names belong to the checkpoint format and live
 * in {@link HfNames}.
 *
 * <p>Legend: B batch, T time, C = dim, H heads, KVH kv heads, HS head size, F hidden, V vocab.
 */
public final class Llama {
    private final LlamaConfig config;
    private final Tensor embed;     // (V, C)
    private final Block[] blocks;
    private final Tensor finalNorm; // (C)
    private final Tensor lmHead;    // (V, C); the same tensor as embed when tied
    private final Rope.Table rope;
    private Tensor scoreHead;       // (1, C): a scalar head for reward and value models, or null
    private LoraConfig lora;        // the attached adapters' configuration, or null
    private boolean adaptersOn = true;
    private boolean checkpointActivations; // recompute each block in backward instead of keeping its activations
    private Rng trainingRng;        // non-null in training mode: LoRA dropout draws its masks from it

    Llama(LlamaConfig config, Tensor embed, Block[] blocks, Tensor finalNorm, Tensor lmHead, Tensor scoreHead) {
        this.config = config;
        this.embed = embed;
        this.blocks = blocks;
        this.finalNorm = finalNorm;
        this.lmHead = lmHead;
        this.scoreHead = scoreHead;
        this.rope = Rope.Table.of(config.maxSeqLen(), config.headSize(), config.ropeTheta(), config.variant().ropeScaling());
    }

    /**
     * Fresh weights as in llama2.c: N(0, 0.02) everywhere, the two residual output projections (o_proj,
     * down_proj) scaled by 1/sqrt(2·layers) so the residual stream's variance does not grow with depth;
     * norm weights (q/k norms included) start at 1 and biases at 0.
     */
    public static Llama initialize(LlamaConfig c, Rng rng) {
        float std = 0.02f;
        float residualStd = (float) (std / Math.sqrt(2.0 * c.layers()));
        Tensor embed = normal(rng, std, c.vocab(), c.dim());
        Block[] blocks = new Block[c.layers()];
        for (int l = 0; l < c.layers(); l++) {
            var weights = new EnumMap<Projection, Tensor>(Projection.class);
            for (Projection p : Projection.values()) weights.put(p, normal(rng, p.residual() ? residualStd : std, p.out(c), p.in(c)));
            var biases = new EnumMap<Projection, Tensor>(Projection.class);
            for (Projection p : c.variant().biases()) biases.put(p, Tensor.parameter(new float[p.out(c)], p.out(c)));
            boolean qkNorm = c.variant().qkNorm();
            blocks[l] = new Block(ones(c.dim()), ones(c.dim()), weights, biases,
                    qkNorm ? ones(c.headSize()) : null, qkNorm ? ones(c.headSize()) : null);
        }
        Tensor head = c.tieEmbeddings() ? embed : normal(rng, std, c.vocab(), c.dim());
        return new Llama(c, embed, blocks, ones(c.dim()), head, null);
    }

    private static Tensor normal(Rng rng, float std, int... shape) {
        float[] data = new float[Tensor.sizeOf(shape)];
        for (int i = 0; i < data.length; i++) data[i] = (float) (rng.nextGaussian() * std);
        return Tensor.parameter(data, shape);
    }

    private static Tensor ones(int n) {
        float[] data = new float[n];
        Arrays.fill(data, 1f);
        return Tensor.parameter(data, n);
    }

    public LlamaConfig config() {
        return config;
    }

    Block block(int l) {
        return blocks[l];
    }

    Tensor embedding() {
        return embed;
    }

    Tensor finalNorm() {
        return finalNorm;
    }

    Tensor lmHead() {
        return lmHead;
    }

    Rope.Table ropeTable() {
        return rope;
    }

    Tensor scoreHead() {
        return scoreHead;
    }

    /**
     * Every weight under its Hugging Face name, in checkpoint order (a tied head appears once). The
     * optimizer keys its state by these names, so they are what a checkpoint saves it under.
     */
    public Map<String, Tensor> parameters() {
        return HfNames.weights(this);
    }

    /** Final hidden states (B·T, C) for tokens (B·T), row b·T+t at position t. */
    public Tensor hidden(int[] tokens, int B, int T) {
        if (tokens.length != B * T) throw new IllegalArgumentException(tokens.length + " tokens for B=" + B + ", T=" + T);
        if (T > config.maxSeqLen()) {
            throw new CriaException("cannot forward a sequence of length " + T + ": maxSeqLen is only " + config.maxSeqLen());
        }
        int[] positions = new int[B * T];
        for (int i = 0; i < positions.length; i++) positions[i] = i % T;
        float eps = config.normEps();

        Tensor x = Nn.embedding(embed, tokens);
        for (Block b : blocks) {
            if (!checkpointActivations) {
                x = block(x, b, positions, B, T);
                continue;
            }
            // the replay must draw the dropout masks the first pass drew
            long[] masks = trainingRng != null ? trainingRng.state() : null;
            x = Checkpoint.of(x, in -> block(in, b, positions, B, T), in -> {
                if (masks == null) return block(in, b, positions, B, T);
                try (var replay = training(Rng.fromState(masks))) {
                    return block(in, b, positions, B, T);
                }
            }, blockParameters(b));
        }
        return Nn.rmsNorm(x, finalNorm, eps);
    }

    /** One decoder block: x + attn(norm(x)), then + mlp(norm(·)). Rows b·T+t at position {@code positions}. */
    private Tensor block(Tensor x, Block b, int[] positions, int B, int T) {
        int H = config.heads(), KVH = config.kvHeads();
        float eps = config.normEps();
        // x = x + attn(norm(x))
        Tensor h = Nn.rmsNorm(x, b.attnNorm(), eps);
        Tensor q = project(h, b, Projection.Q);
        Tensor k = project(h, b, Projection.K);
        if (b.qNorm() != null) {
            q = Nn.headRmsNorm(q, b.qNorm(), H, eps);
            k = Nn.headRmsNorm(k, b.kNorm(), KVH, eps);
        }
        q = Nn.rope(q, positions, H, rope);
        k = Nn.rope(k, positions, KVH, rope);
        Tensor v = project(h, b, Projection.V);
        x = Ops.add(x, project(Nn.attention(q, k, v, B, T, H, KVH), b, Projection.O));
        // x = x + mlp(norm(x))
        h = Nn.rmsNorm(x, b.mlpNorm(), eps);
        Tensor gated = Nn.swiGlu(project(h, b, Projection.GATE), project(h, b, Projection.UP));
        x = Ops.add(x, project(gated, b, Projection.DOWN));
        return x;
    }

    /** The tensors of block {@code b} that may take gradients: weights, biases, norms and adapters. */
    private static List<Tensor> blockParameters(Block b) {
        var out = new ArrayList<Tensor>(List.of(b.attnNorm(), b.mlpNorm()));
        if (b.qNorm() != null) out.addAll(List.of(b.qNorm(), b.kNorm()));
        for (Projection p : Projection.values()) {
            out.add(b.weight(p));
            if (b.bias(p) != null) out.add(b.bias(p));
            LoraAdapter adapter = b.adapter(p);
            if (adapter != null) out.addAll(List.of(adapter.a(), adapter.b()));
        }
        return out;
    }

    /**
     * With {@code on}, the training forward keeps only each block's input and recomputes the block during
     * the backward pass: activation memory falls from every block's intermediates to one block's, for one
     * more forward's time (what a long sequence on a large model needs to fit).
     */
    public void checkpointActivations(boolean on) {
        checkpointActivations = on;
    }

    /** Adds a scalar head (1, C) drawn from N(0, std) (TRL's value head uses a small std), replacing any. */
    public void addScoreHead(Rng rng, float std) {
        scoreHead = normal(rng, std, 1, config.dim());
    }

    /** Copies another model's scalar head (a value model starts from the reward model's head). */
    public void copyScoreHead(Llama from) {
        if (from.scoreHead == null) throw new IllegalArgumentException("the source model has no scalar head");
        scoreHead = Tensor.parameter(from.scoreHead.data.clone(), 1, config.dim());
    }

    public boolean hasScoreHead() {
        return scoreHead != null;
    }

    /**
     * One scalar per sequence, read from the final hidden state at {@code last[b]} (the final eos of
     * prompt + response, for a reward model): tokens (B·T) → (B).
     */
    public Tensor scores(int[] tokens, int B, int T, int[] last) {
        requireScoreHead();
        int[] rows = new int[B];
        for (int b = 0; b < B; b++) {
            if (last[b] < 0 || last[b] >= T) throw new IllegalArgumentException("score position " + last[b] + " outside T=" + T);
            rows[b] = b * T + last[b];
        }
        return Nn.linear(Nn.gatherRows(hidden(tokens, B, T), rows), scoreHead).reshape(B);
    }

    /** One scalar per position (a value model's V(s_t)): tokens (B·T) → (B·T). */
    public Tensor values(int[] tokens, int B, int T) {
        requireScoreHead();
        return Nn.linear(hidden(tokens, B, T), scoreHead).reshape(B * T);
    }

    private void requireScoreHead() {
        if (scoreHead == null) throw new CriaException("this model has no scalar head (" + HfNames.SCORE + "); train one with ./cria reward");
    }

    /**
     * x · Wᵀ (+ bias), plus the LoRA update (alpha/r)·(x·Aᵀ)·Bᵀ when the projection has an adapter and
     * adapters are on.
     */
    private Tensor project(Tensor x, Block b, Projection p) {
        Tensor y = Nn.linear(x, b.weight(p));
        if (b.bias(p) != null) y = Nn.bias(y, b.bias(p));
        LoraAdapter adapter = adaptersOn ? b.adapter(p) : null;
        if (adapter == null) return y;
        Tensor in = trainingRng != null && lora.dropout() > 0 ? Ops.dropout(x, lora.dropout(), trainingRng) : x;
        return Ops.add(y, adapter.update(in));
    }

    /**
     * Gives every targeted projection a LoRA adapter: A ~ U(−1/√in, 1/√in) as PEFT's Kaiming init, B = 0,
     * so the adapted model starts equal to the base.
     */
    public void attachLora(LoraConfig lora, Rng rng) {
        if (this.lora != null) throw new IllegalStateException("LoRA adapters are already attached");
        for (Block b : blocks) {
            for (Projection p : Projection.values()) {
                if (!lora.targets().contains(p.module())) continue;
                Tensor w = b.weight(p);
                b.attach(p, LoraAdapter.fresh(w.dim(0), w.dim(1), lora, rng));
            }
        }
        this.lora = lora;
    }

    /** The attached adapters' configuration, or null. */
    public LoraConfig loraConfig() {
        return lora;
    }

    public boolean hasAdapters() {
        return lora != null;
    }

    /**
     * Runs the frozen base model (e.g. as the DPO or PPO reference) until the scope closes:
     * {@code try (var base = model.adaptersOff()) { ... }}. Scopes nest; closing one restores the state
     * it found.
     */
    public Scope adaptersOff() {
        boolean before = adaptersOn;
        adaptersOn = false;
        return new Scope(() -> adaptersOn = before);
    }

    /**
     * Training mode until the scope closes: LoRA dropout (if the adapters have any) draws its masks from
     * {@code rng}. Outside it, as in evaluation and generation, the adapters see their inputs whole.
     */
    public Scope training(Rng rng) {
        if (rng == null) throw new IllegalArgumentException("training mode needs an Rng for its dropout masks, got null");
        Rng before = trainingRng;
        trainingRng = rng;
        return new Scope(() -> trainingRng = before);
    }

    /** Leaves training mode until the scope closes, e.g. to validate in the middle of a training run. */
    public Scope evaluation() {
        Rng before = trainingRng;
        trainingRng = null;
        return new Scope(() -> trainingRng = before);
    }

    /**
     * A mode switched on for a try-with-resources block; close restores the mode it replaced, once.
     * subtle: each scope restores what it found, so scopes must close innermost first, as try-with-resources does.
     */
    public static final class Scope implements AutoCloseable {
        private Runnable restore;

        private Scope(Runnable restore) {
            this.restore = restore;
        }

        @Override
        public void close() {
            if (restore == null) return;
            restore.run();
            restore = null;
        }
    }

    /** LoRA tensors, named as PEFT does: {@code <projection>.lora_A.weight} and {@code .lora_B.weight}. */
    public Map<String, Tensor> adapterParameters() {
        return HfNames.adapters(this);
    }

    /**
     * What an optimizer should update: with adapters, the adapters and the scalar head if there is one (the
     * base stays frozen; the head is new to a reward or value model, so it trains in full, as PEFT's
     * {@code modules_to_save = ["score"]} does for TRL's reward trainer); without adapters, every weight.
     */
    public Map<String, Tensor> trainableParameters() {
        if (!hasAdapters()) return parameters();
        var trainable = new LinkedHashMap<>(adapterParameters());
        if (scoreHead != null) trainable.put(HfNames.SCORE, scoreHead);
        return trainable;
    }

    /**
     * The weight a projection computes with right now: W, or W + (alpha/r)·B·A when it has an adapter
     * and adapters are on. For inference code that reads weights directly.
     */
    float[] effectiveWeight(int layer, Projection p) {
        LoraAdapter adapter = activeAdapter(layer, p);
        Tensor w = blocks[layer].weight(p);
        return adapter == null ? w.data : adapter.mergedInto(w);
    }

    /** The projection's adapter when it has one and adapters are on, else null. */
    LoraAdapter activeAdapter(int layer, Projection p) {
        return adaptersOn ? blocks[layer].adapter(p) : null;
    }

    /**
     * Folds every adapter into its weight (W += (alpha/r)·B·A) and removes the adapters. A frozen 16-bit
     * weight with an adapter becomes a float32 parameter holding the merged values (rounded to 16 bits
     * again only if the model is saved in a 16-bit dtype).
     */
    public void mergeLora() {
        for (Block b : blocks) {
            for (Projection p : Projection.values()) {
                LoraAdapter adapter = b.adapter(p);
                if (adapter == null) continue;
                Tensor w = b.weight(p);
                float[] merged = adapter.mergedInto(w);
                if (w.frozenMatrix() != null) b.replaceWeight(p, Tensor.parameter(merged, w.shape()));
                else System.arraycopy(merged, 0, w.data, 0, merged.length);
            }
            b.detachAdapters();
        }
        lora = null;
    }

    /** Next-token logits (B·T, V). */
    public Tensor logits(int[] tokens, int B, int T) {
        return Nn.linear(hidden(tokens, B, T), lmHead);
    }

    /** Mean next-token cross-entropy of logits(inputs) against targets ({@link Nn#IGNORE_INDEX} skipped). */
    public Tensor loss(int[] inputs, int[] targets, int B, int T) {
        return Nn.linearCrossEntropy(hidden(inputs, B, T), lmHead, targets);
    }
}
