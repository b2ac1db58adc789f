package dev.cria.checkpoint;

import dev.cria.io.Io;
import dev.cria.io.AtomicFiles;
import dev.cria.io.Safetensors;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cria.kernels.Rope;
import dev.cria.model.LlamaConfig;
import dev.cria.model.Projection;
import dev.cria.model.Variant;
import dev.cria.util.CriaException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@link LlamaConfig} to and from the {@code config.json} of a Hugging Face checkpoint of the Llama
 * family and the cousins Cria computes with the same decoder: model_type llama, mistral, qwen2 (biases on
 * q, k and v) and qwen3 (per-head q/k norms, head_dim apart from hidden_size / heads).
 *
 * <p>Reading refuses what Cria does not compute rather than loading it wrongly, in one line naming the
 * field: another model_type, an activation other than SiLU, RoPE scaling other than linear and llama3, a
 * sliding window shorter than the context, mixture-of-experts and Gemma-style fields. Defaults for absent
 * fields follow transformers' configs (num_key_value_heads = num_attention_heads, rope_theta = 10000,
 * tie_word_embeddings = false, head_dim = hidden_size / num_attention_heads, or 128 for qwen3); the sizes, rms_norm_eps and
 * max_position_embeddings have no default here, since guessing them silently gives a different model.
 * Other fields (dropout, initializer_range, pretraining_tp, transformers_version) are ignored.
 */
public final class HfConfig {
    private static final String SUPPORTED = "llama, mistral, qwen2, qwen3";
    private static final List<String> DTYPES = List.of("float32", "bfloat16", "float16");
    /** Fields of mixture-of-experts configs; any positive value means experts Cria's MLP does not have. */
    private static final List<String> MOE_FIELDS = List.of("num_experts", "num_local_experts", "n_routed_experts", "num_experts_per_tok");
    /** Fields of Gemma-style models (soft-capped logits, scaled queries, post-norms) that change the math. */
    private static final List<String> GEMMA_FIELDS = List.of("attn_logit_softcapping", "final_logit_softcapping",
            "query_pre_attn_scalar", "hidden_activation", "use_post_norm");

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private HfConfig() {
    }

    /**
     * The special token ids stored beside the architecture. Each may be one id or several (Llama 3.1
     * lists three eos ids); an empty list means "not set" and is written as JSON null, as transformers does.
     */
    public record TokenIds(List<Integer> bos, List<Integer> eos, List<Integer> pad) {
        public static final TokenIds NONE = new TokenIds(List.of(), List.of(), List.of());

        public TokenIds {
            bos = List.copyOf(bos);
            eos = List.copyOf(eos);
            pad = List.copyOf(pad);
        }

        /** One id each, null for "not set". */
        public TokenIds(Integer bos, Integer eos, Integer pad) {
            this(listOf(bos), listOf(eos), listOf(pad));
        }

        private static List<Integer> listOf(Integer id) {
            return id == null ? List.of() : List.of(id);
        }
    }

    /**
     * Everything Cria takes from a config.json.
     *
     * @param dtype the torch_dtype (transformers 5: dtype) the weights were saved in, or null if absent
     */
    public record Contents(LlamaConfig model, TokenIds tokens, String dtype) {
        public Contents(LlamaConfig model, TokenIds tokens) {
            this(model, tokens, null);
        }
    }

    /** Reads the model shape from a config.json. */
    public static LlamaConfig read(Path file) {
        return readContents(file).model();
    }

    /** Reads the model shape and the special token ids from a config.json. */
    public static Contents readContents(Path file) {
        if (file == null) throw new IllegalArgumentException("file is null");
        String json;
        try {
            json = Files.readString(file);
        } catch (IOException e) {
            throw Io.failure("read", file, e);
        }
        return parse(json, file.toString());
    }

    /** Writes a config.json atomically, pretty-printed with sorted keys like transformers' save_pretrained. */
    public static void write(Path file, LlamaConfig config, TokenIds tokens) {
        if (file == null) throw new IllegalArgumentException("file is null");
        AtomicFiles.writeString(file, toJson(config, tokens));
    }

    /**
     * Parses config.json text.
     *
     * @param source names the file in error messages, e.g. {@code "ckpt/config.json"}
     */
    public static Contents parse(String json, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new CriaException(source + ": not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) throw new CriaException(source + ": expected a JSON object");
        Fields f = new Fields(root, source);

        String modelType = f.optionalString("model_type");
        Variant.Family family = modelType == null ? Variant.Family.LLAMA : Variant.Family.ofModelType(modelType);
        if (family == null) throw f.error("model_type", "is \"" + modelType + "\"; Cria reads " + SUPPORTED);
        String act = f.optionalString("hidden_act");
        if (act != null && !act.equals("silu")) {
            throw f.error("hidden_act", "is \"" + act + "\"; Cria's MLP is SwiGLU and needs \"silu\" (GELU models are not supported)");
        }
        for (String field : MOE_FIELDS) {
            Integer experts = f.optionalInt(field);
            if (experts != null && experts > 0) throw f.error(field, "is " + experts + "; Cria has no mixture-of-experts MLP");
        }
        for (String field : GEMMA_FIELDS) {
            JsonNode node = f.present(field);
            if (node != null && !(node.isBoolean() && !node.booleanValue())) {
                throw f.error(field, "is " + node + "; Cria does not compute Gemma-style models");
            }
        }

        int dim = f.requiredInt("hidden_size");
        int heads = f.requiredInt("num_attention_heads");
        Integer kvHeads = f.optionalInt("num_key_value_heads");
        Integer headDim = f.optionalInt("head_dim");
        // transformers' Qwen3Config defaults head_dim to 128 rather than hidden_size / num_attention_heads
        if (headDim == null && family == Variant.Family.QWEN3) headDim = 128;
        if (headDim == null && heads > 0 && dim % heads != 0) {
            throw f.error("head_dim", "is missing and hidden_size / num_attention_heads = " + dim + " / " + heads + " is not whole");
        }
        Double theta = f.optionalNumber("rope_theta");
        if (theta == null && root.get("rope_parameters") instanceof ObjectNode params) {
            // transformers 5 moved rope_theta into rope_parameters.
            theta = new Fields(params, source + ": rope_parameters").optionalNumber("rope_theta");
        }
        Rope.Scaling scaling = ropeScaling(f, "rope_scaling");
        if (scaling == Rope.Scaling.NONE) scaling = ropeScaling(f, "rope_parameters");
        Boolean tie = f.optionalBoolean("tie_word_embeddings");

        int layers = f.requiredInt("num_hidden_layers");
        int hiddenDim = f.requiredInt("intermediate_size");
        int vocab = f.requiredInt("vocab_size");
        int maxSeqLen = f.requiredInt("max_position_embeddings");
        float normEps = (float) f.requiredNumber("rms_norm_eps");
        requireWindowCoversContext(f, family, maxSeqLen);

        Variant variant = new Variant(family, biases(f, family), family == Variant.Family.QWEN3, scaling);
        LlamaConfig config;
        try {
            config = new LlamaConfig(dim, layers, heads, kvHeads != null ? kvHeads : heads, hiddenDim, vocab,
                    maxSeqLen, normEps, theta != null ? theta.floatValue() : 10000f, tie != null && tie,
                    headDim != null ? headDim : heads > 0 ? dim / heads : 0, variant);
        } catch (CriaException e) {
            // LlamaConfig names the field and value; add which file they came from.
            throw new CriaException(source + ": " + e.getMessage(), e);
        }
        TokenIds tokens = new TokenIds(f.optionalIds("bos_token_id"), f.optionalIds("eos_token_id"), f.optionalIds("pad_token_id"));
        String dtype = f.optionalString("torch_dtype");
        String dtypeField = "torch_dtype";
        if (dtype == null) {
            dtype = f.optionalString("dtype");
            dtypeField = "dtype";
        }
        if (dtype != null && !DTYPES.contains(dtype)) throw f.error(dtypeField, "is \"" + dtype + "\"; Cria reads " + DTYPES);
        return new Contents(config, tokens, dtype);
    }

    /**
     * The projections with biases, as transformers builds them: Qwen2 always has them on q, k and v (its
     * config has no field for it); Llama and Qwen3 put them on q, k, v and o when attention_bias is true,
     * and Llama on gate, up and down when mlp_bias is. A flag the family's transformers class ignores is
     * refused, since the checkpoint's biases would then be left over.
     */
    private static Set<Projection> biases(Fields f, Variant.Family family) {
        if (family == Variant.Family.QWEN2) return EnumSet.of(Projection.Q, Projection.K, Projection.V);
        var biased = EnumSet.noneOf(Projection.class);
        Boolean attention = f.optionalBoolean("attention_bias");
        if (attention != null && attention) {
            if (family == Variant.Family.MISTRAL) throw f.error("attention_bias", "is true; transformers' Mistral has no attention biases");
            biased.addAll(List.of(Projection.Q, Projection.K, Projection.V, Projection.O));
        }
        Boolean mlp = f.optionalBoolean("mlp_bias");
        if (mlp != null && mlp) {
            if (family != Variant.Family.LLAMA) throw f.error("mlp_bias", "is true; only model_type llama has MLP biases");
            biased.addAll(List.of(Projection.GATE, Projection.UP, Projection.DOWN));
        }
        return biased;
    }

    /**
     * Cria attends to the whole context, which equals sliding-window attention only when the window is
     * absent or at least max_position_embeddings long. Qwen2 and Qwen3 keep a window size even when
     * use_sliding_window is false, so it counts only when that flag is on.
     */
    private static void requireWindowCoversContext(Fields f, Variant.Family family, int maxSeqLen) {
        if (family == Variant.Family.LLAMA) return;
        if (family != Variant.Family.MISTRAL) {
            Boolean use = f.optionalBoolean("use_sliding_window");
            if (use == null || !use) return;
        }
        Integer window = f.optionalInt("sliding_window");
        if (window != null && window < maxSeqLen) {
            throw f.error("sliding_window", "is " + window + ", shorter than max_position_embeddings " + maxSeqLen
                    + "; Cria has no sliding-window attention (set it to null or lower max_position_embeddings to " + window + ")");
        }
    }

    /** The config.json text for {@code config}: sorted keys, two-space indent, trailing newline. */
    public static String toJson(LlamaConfig config, TokenIds tokens) {
        return toJson(config, tokens, Safetensors.Dtype.F32, null);
    }

    /**
     * The config.json text for {@code config} stored in {@code dtype}, keeping the fields of
     * {@code original} (the config.json the model came with, or null) that Cria does not set, and its
     * special token ids (which may be lists, e.g. Llama 3's two end tokens).
     */
    public static String toJson(LlamaConfig config, TokenIds tokens, Safetensors.Dtype dtype, ObjectNode original) {
        ObjectNode own = fields(config, tokens);
        own.put("torch_dtype", TORCH_DTYPES.get(dtype));
        ObjectNode root = JSON.createObjectNode();
        TreeMap<String, JsonNode> merged = new TreeMap<>();
        if (original != null) original.properties().forEach(e -> merged.put(e.getKey(), e.getValue()));
        own.properties().forEach(e -> {
            boolean keepToken = e.getKey().endsWith("_token_id") && original != null && original.hasNonNull(e.getKey());
            if (!keepToken) merged.put(e.getKey(), e.getValue());
        });
        // transformers 5 names the field dtype; keep both in step.
        if (merged.containsKey("dtype")) merged.put("dtype", own.get("torch_dtype"));
        merged.forEach(root::set);
        String text = print(root);
        // subtle: a Variant can hold combinations no transformers class computes (Mistral with biases,
        // Qwen2 without them, q/k norms outside Qwen3); the file must read back as the model it describes.
        LlamaConfig readBack = parse(text, "config.json").model();
        if (!readBack.equals(config)) {
            throw new IllegalArgumentException("config.json for model_type " + config.variant().family().modelType() + " cannot describe "
                    + config.variant() + "; it would read back as " + readBack.variant());
        }
        return text;
    }

    private static final java.util.Map<Safetensors.Dtype, String> TORCH_DTYPES = java.util.Map.of(
            Safetensors.Dtype.F32, "float32", Safetensors.Dtype.BF16, "bfloat16", Safetensors.Dtype.F16, "float16");

    /** Cria's own fields, in sorted order. */
    private static ObjectNode fields(LlamaConfig config, TokenIds tokens) {
        if (config == null) throw new IllegalArgumentException("config is null");
        if (tokens == null) throw new IllegalArgumentException("tokens is null; use TokenIds.NONE");
        ObjectNode root = JSON.createObjectNode();
        // A TreeMap of fields, inserted in order: transformers writes config.json with sorted keys.
        TreeMap<String, Object> fields = new TreeMap<>();
        Variant variant = config.variant();
        Variant.Family family = variant.family();
        fields.put("architectures", new String[] {family.architecture()});
        if (family == Variant.Family.LLAMA || family == Variant.Family.QWEN3) fields.put("attention_bias", variant.hasBias(Projection.Q));
        fields.put("bos_token_id", ids(tokens.bos()));
        fields.put("eos_token_id", ids(tokens.eos()));
        fields.put("head_dim", config.headSize());
        fields.put("hidden_act", "silu");
        fields.put("hidden_size", config.dim());
        fields.put("intermediate_size", config.hiddenDim());
        fields.put("max_position_embeddings", config.maxSeqLen());
        if (family == Variant.Family.LLAMA) fields.put("mlp_bias", variant.hasBias(Projection.GATE));
        fields.put("model_type", family.modelType());
        fields.put("num_attention_heads", config.heads());
        fields.put("num_hidden_layers", config.layers());
        fields.put("num_key_value_heads", config.kvHeads());
        fields.put("pad_token_id", ids(tokens.pad()));
        fields.put("rms_norm_eps", shortestDecimal(config.normEps()));
        fields.put("rope_scaling", ropeScalingJson(variant.ropeScaling()));
        fields.put("rope_theta", shortestDecimal(config.ropeTheta()));
        fields.put("tie_word_embeddings", config.tieEmbeddings());
        fields.put("torch_dtype", "float32");
        fields.put("vocab_size", config.vocab());
        fields.forEach((key, value) -> {
            switch (value) {
                case null -> root.putNull(key);
                case String s -> root.put(key, s);
                case Integer i -> root.put(key, i);
                case Double d -> root.put(key, d);
                case Boolean b -> root.put(key, b);
                case String[] strings -> {
                    var array = root.putArray(key);
                    for (String s : strings) array.add(s);
                }
                case int[] ints -> {
                    var array = root.putArray(key);
                    for (int i : ints) array.add(i);
                }
                case ObjectNode node -> root.set(key, node);
                default -> throw new IllegalStateException("unexpected value for " + key + ": " + value);
            }
        });
        return root;
    }

    private static String print(ObjectNode root) {
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                .withSeparators(Separators.createDefaultInstance()
                        .withObjectFieldValueSpacing(Separators.Spacing.AFTER));
        printer.indentArraysWith(new DefaultIndenter("  ", "\n"));
        printer.indentObjectsWith(new DefaultIndenter("  ", "\n"));
        String text;
        try {
            text = JSON.writer(printer).writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a tree of strings and numbers", e);
        }
        return text;
    }

    /** One id as an Integer, several as an int[], none as null: transformers' three spellings. */
    private static Object ids(List<Integer> ids) {
        if (ids.isEmpty()) return null;
        if (ids.size() == 1) return ids.getFirst();
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    private static ObjectNode ropeScalingJson(Rope.Scaling scaling) {
        return switch (scaling) {
            case Rope.Scaling.None none -> null;
            case Rope.Scaling.Linear linear -> {
                ObjectNode node = JSON.createObjectNode();
                node.put("factor", shortestDecimal(linear.factor()));
                node.put("rope_type", "linear");
                yield node;
            }
            case Rope.Scaling.Llama3 l3 -> {
                ObjectNode node = JSON.createObjectNode();
                node.put("factor", shortestDecimal(l3.factor()));
                node.put("high_freq_factor", shortestDecimal(l3.highFreqFactor()));
                node.put("low_freq_factor", shortestDecimal(l3.lowFreqFactor()));
                node.put("original_max_position_embeddings", l3.originalMax());
                node.put("rope_type", "llama3");
                yield node;
            }
        };
    }

    /**
     * The RoPE scaling in {@code field}: transformers 4 calls it rope_scaling, transformers 5
     * rope_parameters (which also holds rope_theta). Null, absent, or a rope type of "default" is plain
     * RoPE; "linear" and "llama3" are computed; dynamic, yarn and the rest are refused by name.
     */
    private static Rope.Scaling ropeScaling(Fields f, String field) {
        JsonNode node = f.root().get(field);
        if (node == null || node.isNull()) return Rope.Scaling.NONE;
        if (!node.isObject()) throw f.error(field, "must be an object or null, got " + node);
        Fields p = new Fields(node, f.source() + ": " + field);
        String type = p.optionalString("rope_type");
        if (type == null) type = p.optionalString("type");
        if (type == null) throw f.error(field, "is " + node + " with no rope_type");
        try {
            return switch (type) {
                case "default" -> Rope.Scaling.NONE;
                case "linear" -> new Rope.Scaling.Linear((float) p.requiredNumber("factor"));
                case "llama3" -> new Rope.Scaling.Llama3((float) p.requiredNumber("factor"),
                        (float) p.requiredNumber("low_freq_factor"), (float) p.requiredNumber("high_freq_factor"),
                        p.requiredInt("original_max_position_embeddings"));
                default -> throw f.error(field, "has rope_type \"" + type + "\"; Cria computes default, linear and llama3 RoPE");
            };
        } catch (IllegalArgumentException e) {
            throw f.error(field, "is " + node + ": " + e.getMessage());
        }
    }

    /**
     * The float as the double with the same shortest decimal, so 1e-5f is written as 1.0E-5 rather
     * than 9.999999747378752E-6 (and reads back as the same float).
     */
    private static double shortestDecimal(float value) {
        return Double.parseDouble(Float.toString(value));
    }

    /** Typed access to config.json fields, with errors that name the file and the field. */
    private record Fields(JsonNode root, String source) {
        CriaException error(String field, String problem) {
            return new CriaException(source + ": field \"" + field + "\" " + problem);
        }

        JsonNode present(String field) {
            JsonNode node = root.get(field);
            return node == null || node.isNull() ? null : node;
        }

        int requiredInt(String field) {
            Integer value = optionalInt(field);
            if (value == null) throw error(field, "is missing");
            return value;
        }

        Integer optionalInt(String field) {
            JsonNode node = present(field);
            if (node == null) return null;
            if (!node.isIntegralNumber() || !node.canConvertToInt()) {
                throw error(field, "must be an integer, got " + node);
            }
            return node.intValue();
        }

        /** An id or a list of ids; absent or null is the empty list. */
        List<Integer> optionalIds(String field) {
            JsonNode node = present(field);
            if (node == null) return List.of();
            if (!node.isArray()) return List.of(optionalInt(field));
            var ids = new ArrayList<Integer>();
            for (JsonNode id : node) {
                if (!id.isIntegralNumber() || !id.canConvertToInt()) throw error(field, "must be an integer or a list of integers, got " + node);
                ids.add(id.intValue());
            }
            return ids;
        }

        double requiredNumber(String field) {
            Double value = optionalNumber(field);
            if (value == null) throw error(field, "is missing");
            return value;
        }

        Double optionalNumber(String field) {
            JsonNode node = present(field);
            if (node == null) return null;
            if (!node.isNumber()) throw error(field, "must be a number, got " + node);
            return node.doubleValue();
        }

        Boolean optionalBoolean(String field) {
            JsonNode node = present(field);
            if (node == null) return null;
            if (!node.isBoolean()) throw error(field, "must be true or false, got " + node);
            return node.booleanValue();
        }

        String optionalString(String field) {
            JsonNode node = present(field);
            if (node == null) return null;
            if (!node.isTextual()) throw error(field, "must be a string, got " + node);
            return node.textValue();
        }
    }
}
