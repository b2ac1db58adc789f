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
import dev.cria.model.LlamaConfig;
import dev.cria.util.CriaException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeMap;

/**
 * {@link LlamaConfig} to and from the {@code config.json} of a Hugging Face {@code LlamaForCausalLM}
 * checkpoint, so Cria's checkpoints load in transformers and small Llama checkpoints load in Cria.
 *
 * <p>Reading refuses what Cria's Llama does not compute rather than loading it wrongly: RoPE scaling,
 * biases, an activation other than SiLU, a head_dim other than hidden_size / num_attention_heads.
 * Defaults for absent fields follow transformers' {@code LlamaConfig} (num_key_value_heads =
 * num_attention_heads, rope_theta = 10000, tie_word_embeddings = false); the sizes, rms_norm_eps and
 * max_position_embeddings have no default here, since guessing them silently gives a different model.
 * Other fields (dropout, initializer_range, pretraining_tp, transformers_version) are ignored.
 */
public final class HfConfig {
    private static final String ARCHITECTURE = "LlamaForCausalLM";

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private HfConfig() {
    }

    /**
     * The special token ids stored beside the architecture; {@code null} means "not set" and is
     * written as JSON null, as transformers does.
     */
    public record TokenIds(Integer bos, Integer eos, Integer pad) {
        public static final TokenIds NONE = new TokenIds(null, null, null);
    }

    /** Everything Cria takes from a config.json. */
    public record Contents(LlamaConfig model, TokenIds tokens) {
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
        if (modelType != null && !modelType.equals("llama")) {
            throw f.error("model_type", "is \"" + modelType + "\"; Cria reads only \"llama\" checkpoints");
        }
        String act = f.optionalString("hidden_act");
        if (act != null && !act.equals("silu")) {
            throw f.error("hidden_act", "is \"" + act + "\"; Cria's Llama uses SwiGLU and needs \"silu\"");
        }
        for (String bias : new String[] {"attention_bias", "mlp_bias"}) {
            Boolean value = f.optionalBoolean(bias);
            if (value != null && value) throw f.error(bias, "is true; Cria's Llama has no biases");
        }
        requirePlainRope(f, "rope_scaling");
        requirePlainRope(f, "rope_parameters");

        int dim = f.requiredInt("hidden_size");
        int heads = f.requiredInt("num_attention_heads");
        Integer kvHeads = f.optionalInt("num_key_value_heads");
        Integer headDim = f.optionalInt("head_dim");
        if (headDim != null && heads > 0 && (dim % heads != 0 || headDim != dim / heads)) {
            throw f.error("head_dim", "is " + headDim + "; Cria needs head_dim == hidden_size / num_attention_heads = "
                    + dim + " / " + heads);
        }
        Double theta = f.optionalNumber("rope_theta");
        if (theta == null && root.get("rope_parameters") instanceof ObjectNode params) {
            // transformers 5 moved rope_theta into rope_parameters.
            theta = new Fields(params, source + ": rope_parameters").optionalNumber("rope_theta");
        }
        Boolean tie = f.optionalBoolean("tie_word_embeddings");

        int layers = f.requiredInt("num_hidden_layers");
        int hiddenDim = f.requiredInt("intermediate_size");
        int vocab = f.requiredInt("vocab_size");
        int maxSeqLen = f.requiredInt("max_position_embeddings");
        float normEps = (float) f.requiredNumber("rms_norm_eps");

        LlamaConfig config;
        try {
            config = new LlamaConfig(dim, layers, heads, kvHeads != null ? kvHeads : heads, hiddenDim, vocab,
                    maxSeqLen, normEps, theta != null ? theta.floatValue() : 10000f, tie != null && tie);
        } catch (CriaException e) {
            // LlamaConfig names the field and value; add which file they came from.
            throw new CriaException(source + ": " + e.getMessage(), e);
        }
        TokenIds tokens = new TokenIds(f.optionalTokenId("bos_token_id"), f.optionalTokenId("eos_token_id"),
                f.optionalTokenId("pad_token_id"));
        return new Contents(config, tokens);
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
        return print(root);
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
        fields.put("architectures", new String[] {ARCHITECTURE});
        fields.put("attention_bias", false);
        fields.put("bos_token_id", tokens.bos());
        fields.put("eos_token_id", tokens.eos());
        fields.put("head_dim", config.headSize());
        fields.put("hidden_act", "silu");
        fields.put("hidden_size", config.dim());
        fields.put("intermediate_size", config.hiddenDim());
        fields.put("max_position_embeddings", config.maxSeqLen());
        fields.put("mlp_bias", false);
        fields.put("model_type", "llama");
        fields.put("num_attention_heads", config.heads());
        fields.put("num_hidden_layers", config.layers());
        fields.put("num_key_value_heads", config.kvHeads());
        fields.put("pad_token_id", tokens.pad());
        fields.put("rms_norm_eps", shortestDecimal(config.normEps()));
        fields.put("rope_scaling", null);
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
        try {
            return JSON.writer(printer).writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a tree of strings and numbers", e);
        }
    }

    /**
     * Refuses RoPE variants Cria does not compute (linear, dynamic, yarn, llama3 scaling...). Null,
     * absent, or a rope type of "default" is plain RoPE. transformers 4 calls this object
     * rope_scaling; transformers 5 calls it rope_parameters and keeps rope_theta in it.
     */
    private static void requirePlainRope(Fields f, String field) {
        JsonNode node = f.root().get(field);
        if (node == null || node.isNull()) return;
        JsonNode type = node.isObject() ? node.get("rope_type") : null;
        if (type == null && node.isObject()) type = node.get("type");
        if (type == null || !type.isTextual() || !type.textValue().equals("default")) {
            throw f.error(field, "is " + node + "; Cria supports only plain RoPE (rope_scaling null or absent)");
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

        private JsonNode present(String field) {
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

        /** An id, or the first of a list of ids (Llama 3 lists two end-of-sequence tokens). */
        Integer optionalTokenId(String field) {
            JsonNode node = present(field);
            if (node != null && node.isArray()) {
                if (node.isEmpty() || !node.get(0).canConvertToInt()) throw error(field, "must be an id or a list of ids, got " + node);
                return node.get(0).intValue();
            }
            return optionalInt(field);
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
