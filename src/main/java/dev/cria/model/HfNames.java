package dev.cria.model;

import dev.cria.autograd.Tensor;
import dev.cria.kernels.FrozenMatrix;
import dev.cria.kernels.QuantMatrix;
import dev.cria.util.CriaException;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Hugging Face names of a Llama's tensors, as {@code LlamaForCausalLM}, {@code LlamaForSequenceClassification}
 * and PEFT save them, e.g. {@code model.layers.0.self_attn.q_proj.weight} and its adapter's
 * {@code model.layers.0.self_attn.q_proj.lora_A.weight}. This is the one place they are spelled: checkpoint
 * code loads and saves through it, and the optimizer's state is keyed (and saved) by the same names. The
 * forward pass never builds a name.
 */
public final class HfNames {
    private static final String EMBED = "model.embed_tokens.weight";
    private static final String FINAL_NORM = "model.norm.weight";
    private static final String LM_HEAD = "lm_head.weight";
    /** The scalar head of reward and value models. */
    public static final String SCORE = "score.weight";
    /** PEFT's prefix for the tensor names in {@code adapter_model.safetensors}. */
    public static final String PEFT_PREFIX = "base_model.model.";
    /** A RoPE buffer some exports keep beside the weights; recomputed here, so skipped on load. */
    private static final String ROTARY_BUFFER = "rotary_emb.inv_freq";
    private static final String ATTN_NORM = "input_layernorm.weight";
    private static final String MLP_NORM = "post_attention_layernorm.weight";
    /** Qwen3's per-head norms of q and k. */
    private static final String Q_NORM = "self_attn.q_norm.weight";
    private static final String K_NORM = "self_attn.k_norm.weight";

    private HfNames() {
    }

    /**
     * The block layout weight {@code name} takes when a model is quantized to {@code kind}, or null for one
     * that stays as it is (norms, biases, a reward head). subtle: under Q4_0 the token embedding and the LM
     * head take Q8_0, as llama.cpp keeps its output tensor at a higher precision than the 4-bit layers: the
     * logits feel every error there directly.
     */
    public static QuantMatrix.Kind quantizeAs(String name, QuantMatrix.Kind kind) {
        if (name.equals(EMBED) || name.equals(LM_HEAD)) return QuantMatrix.Kind.Q8_0;
        boolean projection = name.startsWith("model.layers.") && name.endsWith("_proj.weight");
        return projection ? kind : null;
    }

    private static String layer(int l) {
        return "model.layers." + l + ".";
    }

    /** The token embedding's name. */
    public static String embedding() {
        return EMBED;
    }

    /** The final norm's name. */
    public static String finalNorm() {
        return FINAL_NORM;
    }

    /** The untied LM head's name. */
    public static String lmHead() {
        return LM_HEAD;
    }

    /** Layer {@code l}'s norm before attention. */
    public static String attnNorm(int l) {
        return layer(l) + ATTN_NORM;
    }

    /** Layer {@code l}'s norm before the MLP. */
    public static String mlpNorm(int l) {
        return layer(l) + MLP_NORM;
    }

    /** Layer {@code l}'s weight of projection {@code p}, e.g. {@code model.layers.0.self_attn.q_proj.weight}. */
    public static String weight(int l, Projection p) {
        return layer(l) + module(p) + ".weight";
    }

    /** The projection's module path inside a layer, e.g. {@code self_attn.q_proj} or {@code mlp.down_proj}. */
    private static String module(Projection p) {
        return (p.inAttention() ? "self_attn." : "mlp.") + p.module();
    }

    /**
     * Every weight under its name, in checkpoint order: the embedding; per layer input_layernorm, the
     * attention projections (each weight followed by its bias, if any), the q and k norms if any,
     * post_attention_layernorm, the MLP projections; the final norm; the LM head unless tied; the scalar
     * head if any.
     */
    static Map<String, Tensor> weights(Llama model) {
        var named = new LinkedHashMap<String, Tensor>();
        named.put(EMBED, model.embedding());
        for (int l = 0; l < model.config().layers(); l++) {
            String at = layer(l);
            Block b = model.block(l);
            named.put(at + ATTN_NORM, b.attnNorm());
            for (Projection p : Projection.values()) if (p.inAttention()) putProjection(named, at, b, p);
            if (b.qNorm() != null) {
                named.put(at + Q_NORM, b.qNorm());
                named.put(at + K_NORM, b.kNorm());
            }
            named.put(at + MLP_NORM, b.mlpNorm());
            for (Projection p : Projection.values()) if (!p.inAttention()) putProjection(named, at, b, p);
        }
        named.put(FINAL_NORM, model.finalNorm());
        if (!model.config().tieEmbeddings()) named.put(LM_HEAD, model.lmHead());
        if (model.scoreHead() != null) named.put(SCORE, model.scoreHead());
        return named;
    }

    private static void putProjection(Map<String, Tensor> named, String at, Block b, Projection p) {
        named.put(at + module(p) + ".weight", b.weight(p));
        if (b.bias(p) != null) named.put(at + module(p) + ".bias", b.bias(p));
    }

    /** Every adapter's A and B as PEFT names them (without {@link #PEFT_PREFIX}), layer by layer, in projection order. */
    static Map<String, Tensor> adapters(Llama model) {
        var named = new LinkedHashMap<String, Tensor>();
        for (int l = 0; l < model.config().layers(); l++) {
            Block b = model.block(l);
            for (Projection p : Projection.values()) {
                LoraAdapter adapter = b.adapter(p);
                if (adapter == null) continue;
                named.put(layer(l) + module(p) + ".lora_A.weight", adapter.a());
                named.put(layer(l) + module(p) + ".lora_B.weight", adapter.b());
            }
        }
        return named;
    }

    /**
     * Builds a model from weights named as in Hugging Face checkpoints. Every expected tensor must be
     * present with its exact shape; the message names the first one, in checkpoint order, that is missing
     * or wrong, and any tensor left over.
     */
    public static Llama load(LlamaConfig c, Map<String, float[]> weights, Map<String, int[]> shapes, String source) {
        return load(c, weights, Map.of(), shapes, source);
    }

    /**
     * As {@link #load(LlamaConfig, Map, Map, String)}, with some matrices kept in 16 bits ({@code frozen}):
     * the embedding, projection and LM head weights among them stay 16-bit in the model (frozen, see
     * {@link Tensor#frozen}); any other tensor found there (a scalar head) is widened, since it may be trained.
     */
    public static Llama load(LlamaConfig c, Map<String, float[]> weights, Map<String, FrozenMatrix> frozen,
                             Map<String, int[]> shapes, String source) {
        var loader = new Loader(weights, frozen, shapes, source);
        Tensor embed = loader.takeMatrix(EMBED, c.vocab(), c.dim());
        Block[] blocks = new Block[c.layers()];
        for (int l = 0; l < c.layers(); l++) {
            String at = layer(l);
            var w = new EnumMap<Projection, Tensor>(Projection.class);
            var biases = new EnumMap<Projection, Tensor>(Projection.class);
            Tensor attnNorm = loader.take(at + ATTN_NORM, c.dim());
            for (Projection p : Projection.values()) if (p.inAttention()) takeProjection(loader, c, at, p, w, biases);
            boolean qkNorm = c.variant().qkNorm();
            Tensor qNorm = qkNorm ? loader.take(at + Q_NORM, c.headSize()) : null;
            Tensor kNorm = qkNorm ? loader.take(at + K_NORM, c.headSize()) : null;
            Tensor mlpNorm = loader.take(at + MLP_NORM, c.dim());
            for (Projection p : Projection.values()) if (!p.inAttention()) takeProjection(loader, c, at, p, w, biases);
            blocks[l] = new Block(attnNorm, mlpNorm, w, biases, qNorm, kNorm);
        }
        Tensor norm = loader.take(FINAL_NORM, c.dim());
        Tensor head = c.tieEmbeddings() ? embed : loader.takeMatrix(LM_HEAD, c.vocab(), c.dim());
        Tensor score = weights.containsKey(SCORE) || frozen.containsKey(SCORE) ? loader.take(SCORE, 1, c.dim()) : null;
        loader.rejectLeftovers(c.tieEmbeddings() ? LM_HEAD : null);
        return new Llama(c, embed, blocks, norm, head, score);
    }

    private static void takeProjection(Loader loader, LlamaConfig c, String at, Projection p,
                                       Map<Projection, Tensor> weights, Map<Projection, Tensor> biases) {
        weights.put(p, loader.takeMatrix(at + module(p) + ".weight", p.out(c), p.in(c)));
        if (c.variant().hasBias(p)) biases.put(p, loader.take(at + module(p) + ".bias", p.out(c)));
    }

    /** Takes named tensors out of a checkpoint, checking shapes, and remembers which were taken. */
    private static final class Loader {
        private final Map<String, float[]> weights;
        private final Map<String, FrozenMatrix> frozen;
        private final Map<String, int[]> shapes;
        private final String source;
        private final Set<String> taken = new HashSet<>();

        Loader(Map<String, float[]> weights, Map<String, FrozenMatrix> frozen, Map<String, int[]> shapes, String source) {
            this.weights = weights;
            this.frozen = frozen;
            this.shapes = shapes;
            this.source = source;
        }

        /** A float32 parameter; one stored in 16 bits is widened. */
        Tensor take(String name, int... shape) {
            check(name, shape);
            float[] data = weights.containsKey(name) ? weights.get(name) : frozen.get(name).toFloats();
            return Tensor.parameter(data, shape);
        }

        /** A weight matrix: frozen in 16 bits when it was stored so and loaded frozen, else a float32 parameter. */
        Tensor takeMatrix(String name, int rows, int cols) {
            if (!frozen.containsKey(name)) return take(name, rows, cols);
            check(name, rows, cols);
            return Tensor.frozen(frozen.get(name));
        }

        private void check(String name, int... shape) {
            if (!weights.containsKey(name) && !frozen.containsKey(name)) throw new CriaException(source + ": tensor '" + name + "' is missing");
            int[] actual = shapes.get(name);
            if (!Arrays.equals(actual, shape)) {
                throw new CriaException(source + ": tensor '" + name + "' has shape " + Arrays.toString(actual)
                        + " but the config needs " + Arrays.toString(shape));
            }
            taken.add(name);
        }

        /** Unknown tensors mean a config/weights mismatch; a tied checkpoint may still carry the head. */
        void rejectLeftovers(String allowed) {
            for (Set<String> names : List.of(weights.keySet(), frozen.keySet())) {
                for (String name : names) {
                    if (!taken.contains(name) && !name.equals(allowed) && !name.endsWith(ROTARY_BUFFER)) {
                        throw new CriaException(source + ": unexpected tensor '" + name + "' (does config.json match the weights?)");
                    }
                }
            }
        }
    }
}
