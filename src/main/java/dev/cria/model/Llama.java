package dev.cria.model;

import dev.cria.autograd.Nn;
import dev.cria.autograd.Ops;
import dev.cria.autograd.Tensor;
import dev.cria.kernels.Rope;
import dev.cria.util.CriaException;
import dev.cria.util.Rng;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Llama decoder: token embedding, {@code layers} pre-norm blocks of grouped-query attention and a
 * SwiGLU MLP, a final RMSNorm and the LM head. Policy, reference, reward and value models are all this
 * one trunk; only the head they read differs.
 *
 * <p>Legend: B batch, T time, C = dim, H heads, KVH kv heads, HS head size, F hidden, V vocab.
 * Parameters are named as in Hugging Face's {@code LlamaForCausalLM}, since they are saved under those
 * names; with tied embeddings the head is the embedding tensor itself.
 */
public final class Llama {
    /** One decoder block's weights. */
    public record Block(
            Tensor attnNorm, // (C)        input_layernorm
            Tensor wq,       // (H·HS, C)  self_attn.q_proj
            Tensor wk,       // (KVH·HS, C) self_attn.k_proj
            Tensor wv,       // (KVH·HS, C) self_attn.v_proj
            Tensor wo,       // (C, H·HS)  self_attn.o_proj
            Tensor mlpNorm,  // (C)        post_attention_layernorm
            Tensor wGate,    // (F, C)     mlp.gate_proj
            Tensor wUp,      // (F, C)     mlp.up_proj
            Tensor wDown) {  // (C, F)     mlp.down_proj
    }

    /** A LoRA update of one projection: (alpha/r) · B·A, A (r, in), B (out, r). */
    public record LoraAdapter(Tensor a, Tensor b, double scale) {
    }

    private final LlamaConfig config;
    private final Tensor embed;     // (V, C)
    private final Block[] blocks;
    private final Tensor finalNorm; // (C)
    private final Tensor lmHead;    // (V, C); the same tensor as embed when tied
    private final Rope.Table rope;
    private Tensor scoreHead; // (1, C) "score.weight": a scalar head for reward and value models, or null
    private final Map<String, LoraAdapter> adapters = new LinkedHashMap<>(); // by projection name, e.g. model.layers.0.self_attn.q_proj
    private boolean adaptersEnabled = true;
    private double loraDropout;
    private LoraConfig lora;
    private Rng dropoutRng; // non-null while training with LoRA dropout

    private Llama(LlamaConfig config, Tensor embed, Block[] blocks, Tensor finalNorm, Tensor lmHead) {
        this.config = config;
        this.embed = embed;
        this.blocks = blocks;
        this.finalNorm = finalNorm;
        this.lmHead = lmHead;
        this.rope = Rope.Table.of(config.maxSeqLen(), config.headSize(), config.ropeTheta());
    }

    /**
     * Fresh weights as in llama2.c: N(0, 0.02) everywhere, the two residual output projections (o_proj,
     * down_proj) scaled by 1/sqrt(2·layers) so the residual stream's variance does not grow with depth;
     * norm weights start at 1.
     */
    public static Llama initialize(LlamaConfig c, Rng rng) {
        float std = 0.02f;
        float residualStd = (float) (std / Math.sqrt(2.0 * c.layers()));
        Tensor embed = normal(rng, std, c.vocab(), c.dim());
        Block[] blocks = new Block[c.layers()];
        for (int l = 0; l < c.layers(); l++) {
            blocks[l] = new Block(ones(c.dim()),
                    normal(rng, std, c.dim(), c.dim()),
                    normal(rng, std, c.kvDim(), c.dim()),
                    normal(rng, std, c.kvDim(), c.dim()),
                    normal(rng, residualStd, c.dim(), c.dim()),
                    ones(c.dim()),
                    normal(rng, std, c.hiddenDim(), c.dim()),
                    normal(rng, std, c.hiddenDim(), c.dim()),
                    normal(rng, residualStd, c.dim(), c.hiddenDim()));
        }
        Tensor head = c.tieEmbeddings() ? embed : normal(rng, std, c.vocab(), c.dim());
        return new Llama(c, embed, blocks, ones(c.dim()), head);
    }

    /**
     * Builds a model from weights named as in Hugging Face checkpoints. Every expected tensor must be
     * present with its exact shape; the message names the first one that is missing or wrong.
     */
    public static Llama fromWeights(LlamaConfig c, Map<String, float[]> weights, Map<String, int[]> shapes, String source) {
        var loader = new WeightLoader(weights, shapes, source);
        Tensor embed = loader.take("model.embed_tokens.weight", c.vocab(), c.dim());
        Block[] blocks = new Block[c.layers()];
        for (int l = 0; l < c.layers(); l++) {
            String p = "model.layers." + l + ".";
            blocks[l] = new Block(
                    loader.take(p + "input_layernorm.weight", c.dim()),
                    loader.take(p + "self_attn.q_proj.weight", c.dim(), c.dim()),
                    loader.take(p + "self_attn.k_proj.weight", c.kvDim(), c.dim()),
                    loader.take(p + "self_attn.v_proj.weight", c.kvDim(), c.dim()),
                    loader.take(p + "self_attn.o_proj.weight", c.dim(), c.dim()),
                    loader.take(p + "post_attention_layernorm.weight", c.dim()),
                    loader.take(p + "mlp.gate_proj.weight", c.hiddenDim(), c.dim()),
                    loader.take(p + "mlp.up_proj.weight", c.hiddenDim(), c.dim()),
                    loader.take(p + "mlp.down_proj.weight", c.dim(), c.hiddenDim()));
        }
        Tensor norm = loader.take("model.norm.weight", c.dim());
        Tensor head = c.tieEmbeddings() ? embed : loader.take("lm_head.weight", c.vocab(), c.dim());
        Tensor score = weights.containsKey(SCORE) ? loader.take(SCORE, 1, c.dim()) : null;
        loader.rejectLeftovers(c.tieEmbeddings() ? "lm_head.weight" : null);
        Llama model = new Llama(c, embed, blocks, norm, head);
        model.scoreHead = score;
        return model;
    }

    private static final class WeightLoader {
        private final Map<String, float[]> weights;
        private final Map<String, int[]> shapes;
        private final String source;
        private final java.util.Set<String> taken = new java.util.HashSet<>();

        WeightLoader(Map<String, float[]> weights, Map<String, int[]> shapes, String source) {
            this.weights = weights;
            this.shapes = shapes;
            this.source = source;
        }

        Tensor take(String name, int... shape) {
            float[] data = weights.get(name);
            if (data == null) throw new CriaException(source + ": tensor '" + name + "' is missing");
            int[] actual = shapes.get(name);
            if (!Arrays.equals(actual, shape)) {
                throw new CriaException(source + ": tensor '" + name + "' has shape " + Arrays.toString(actual)
                        + " but the config needs " + Arrays.toString(shape));
            }
            taken.add(name);
            return Tensor.parameter(data, shape);
        }

        /** Unknown tensors mean a config/weights mismatch; a tied checkpoint may still carry the head. */
        void rejectLeftovers(String allowed) {
            for (String name : weights.keySet()) {
                if (!taken.contains(name) && !name.equals(allowed) && !name.endsWith("rotary_emb.inv_freq")) {
                    throw new CriaException(source + ": unexpected tensor '" + name + "' (does config.json match the weights?)");
                }
            }
        }
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

    /** Every trainable tensor under its Hugging Face name, in a fixed order (a tied head appears once). */
    public Map<String, Tensor> parameters() {
        var named = new LinkedHashMap<String, Tensor>();
        named.put("model.embed_tokens.weight", embed);
        for (int l = 0; l < blocks.length; l++) {
            String p = "model.layers." + l + ".";
            Block b = blocks[l];
            named.put(p + "input_layernorm.weight", b.attnNorm());
            named.put(p + "self_attn.q_proj.weight", b.wq());
            named.put(p + "self_attn.k_proj.weight", b.wk());
            named.put(p + "self_attn.v_proj.weight", b.wv());
            named.put(p + "self_attn.o_proj.weight", b.wo());
            named.put(p + "post_attention_layernorm.weight", b.mlpNorm());
            named.put(p + "mlp.gate_proj.weight", b.wGate());
            named.put(p + "mlp.up_proj.weight", b.wUp());
            named.put(p + "mlp.down_proj.weight", b.wDown());
        }
        named.put("model.norm.weight", finalNorm);
        if (!config.tieEmbeddings()) named.put("lm_head.weight", lmHead);
        if (scoreHead != null) named.put(SCORE, scoreHead);
        return named;
    }

    /** Final hidden states (B·T, C) for tokens (B·T), row b·T+t at position t. */
    public Tensor hidden(int[] tokens, int B, int T) {
        if (tokens.length != B * T) throw new IllegalArgumentException(tokens.length + " tokens for B=" + B + ", T=" + T);
        if (T > config.maxSeqLen()) {
            throw new CriaException("cannot forward a sequence of length " + T + ": maxSeqLen is only " + config.maxSeqLen());
        }
        int[] positions = new int[B * T];
        for (int i = 0; i < positions.length; i++) positions[i] = i % T;
        int H = config.heads(), KVH = config.kvHeads();
        float eps = config.normEps();

        Tensor x = Nn.embedding(embed, tokens);
        for (int l = 0; l < blocks.length; l++) {
            Block b = blocks[l];
            // x = x + attn(norm(x))
            Tensor h = Nn.rmsNorm(x, b.attnNorm(), eps);
            Tensor q = Nn.rope(project(h, l, "self_attn.q_proj", b.wq()), positions, H, rope);
            Tensor k = Nn.rope(project(h, l, "self_attn.k_proj", b.wk()), positions, KVH, rope);
            Tensor v = project(h, l, "self_attn.v_proj", b.wv());
            x = Ops.add(x, project(Nn.attention(q, k, v, B, T, H, KVH), l, "self_attn.o_proj", b.wo()));
            // x = x + mlp(norm(x))
            h = Nn.rmsNorm(x, b.mlpNorm(), eps);
            Tensor gated = Nn.swiGlu(project(h, l, "mlp.gate_proj", b.wGate()), project(h, l, "mlp.up_proj", b.wUp()));
            x = Ops.add(x, project(gated, l, "mlp.down_proj", b.wDown()));
        }
        return Nn.rmsNorm(x, finalNorm, eps);
    }

    /** Name of the scalar head's weight, as in Hugging Face's LlamaForSequenceClassification. */
    public static final String SCORE = "score.weight";

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
        if (scoreHead == null) throw new CriaException("this model has no scalar head (" + SCORE + "); train one with ./cria reward");
    }

    /** x · Wᵀ, plus the LoRA update (alpha/r)·(x·Aᵀ)·Bᵀ when the projection has an enabled adapter. */
    private Tensor project(Tensor x, int layer, String module, Tensor w) {
        Tensor y = Nn.linear(x, w);
        LoraAdapter adapter = adaptersEnabled ? adapters.get(projectionName(layer, module)) : null;
        if (adapter == null) return y;
        Tensor in = dropoutRng == null ? x : Ops.dropout(x, loraDropout, dropoutRng);
        return Ops.add(y, Ops.scale(Nn.linear(Nn.linear(in, adapter.a()), adapter.b()), (float) adapter.scale()));
    }

    private static String projectionName(int layer, String module) {
        return "model.layers." + layer + "." + module;
    }

    /** The weight tensor of a projection, by its Hugging Face name without ".weight". */
    private Tensor projectionWeight(String name) {
        Tensor w = parameters().get(name + ".weight");
        if (w == null) throw new IllegalArgumentException("no projection " + name);
        return w;
    }

    /**
     * Gives every targeted projection a LoRA adapter: A ~ U(−1/√in, 1/√in) as PEFT's Kaiming init, B = 0,
     * so the adapted model starts equal to the base.
     */
    public void attachLora(LoraConfig lora, Rng rng) {
        if (!adapters.isEmpty()) throw new IllegalStateException("LoRA adapters are already attached");
        for (int l = 0; l < blocks.length; l++) {
            for (String module : new String[] {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
                    "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"}) {
                if (!lora.targets().contains(module.substring(module.indexOf('.') + 1))) continue;
                Tensor w = projectionWeight(projectionName(l, module));
                int out = w.dim(0), in = w.dim(1);
                float bound = (float) (1 / Math.sqrt(in));
                float[] a = new float[lora.rank() * in];
                for (int i = 0; i < a.length; i++) a[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
                adapters.put(projectionName(l, module), new LoraAdapter(Tensor.parameter(a, lora.rank(), in),
                        Tensor.parameter(new float[out * lora.rank()], out, lora.rank()), lora.scale()));
            }
        }
        loraDropout = lora.dropout();
        this.lora = lora;
    }

    /** The attached adapters' configuration, or null. */
    public LoraConfig loraConfig() {
        return lora;
    }

    public boolean hasAdapters() {
        return !adapters.isEmpty();
    }

    /** Switches the adapters off (the frozen base model, e.g. as a PPO reference) or back on. */
    public void setAdaptersEnabled(boolean enabled) {
        adaptersEnabled = enabled;
    }

    /** Training mode draws LoRA dropout masks from rng; null turns dropout off (evaluation, generation). */
    public void setDropout(Rng rng) {
        dropoutRng = loraDropout > 0 ? rng : null;
    }

    /** LoRA tensors, named as PEFT does: {@code <projection>.lora_A.weight} and {@code .lora_B.weight}. */
    public Map<String, Tensor> adapterParameters() {
        var named = new LinkedHashMap<String, Tensor>();
        adapters.forEach((name, adapter) -> {
            named.put(name + ".lora_A.weight", adapter.a());
            named.put(name + ".lora_B.weight", adapter.b());
        });
        return named;
    }

    /** What an optimizer should update: the adapters when there are any (the base stays frozen), else all. */
    public Map<String, Tensor> trainableParameters() {
        return adapters.isEmpty() ? parameters() : adapterParameters();
    }

    /**
     * The weight a projection computes with right now: W, or W + (alpha/r)·B·A when it has an enabled
     * adapter. For inference code that reads weights directly.
     */
    public float[] effectiveWeight(int layer, String module, Tensor w) {
        LoraAdapter adapter = adaptersEnabled ? adapters.get(projectionName(layer, module)) : null;
        if (adapter == null) return w.data;
        float[] merged = w.data.clone();
        int out = w.dim(0), in = w.dim(1), r = adapter.a().dim(0);
        float[] delta = new float[out * in];
        dev.cria.kernels.Gemm.ab(delta, adapter.b().data, adapter.a().data, out, r, in, false);
        float scale = (float) adapter.scale();
        for (int i = 0; i < merged.length; i++) merged[i] += scale * delta[i];
        return merged;
    }

    /** Folds every adapter into its weight (W += (alpha/r)·B·A) and removes the adapters. */
    public void mergeLora() {
        for (int l = 0; l < blocks.length; l++) {
            for (String module : new String[] {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
                    "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"}) {
                if (!adapters.containsKey(projectionName(l, module))) continue;
                Tensor w = projectionWeight(projectionName(l, module));
                boolean enabled = adaptersEnabled;
                adaptersEnabled = true;
                float[] merged = effectiveWeight(l, module, w);
                adaptersEnabled = enabled;
                System.arraycopy(merged, 0, w.data, 0, merged.length);
            }
        }
        adapters.clear();
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
