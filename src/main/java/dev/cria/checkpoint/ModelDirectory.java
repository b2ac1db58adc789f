package dev.cria.checkpoint;

import dev.cria.autograd.Tensor;
import dev.cria.chat.ChatFormat;
import dev.cria.chat.ChatTemplate;
import dev.cria.io.AtomicDirectory;
import dev.cria.io.AtomicFiles;
import dev.cria.checkpoint.HfConfig;
import dev.cria.checkpoint.gguf.GgufModel;
import dev.cria.io.Safetensors;
import dev.cria.io.Safetensors.Dtype;
import dev.cria.io.SafetensorsReader;
import dev.cria.io.TensorData;
import dev.cria.kernels.QuantMatrix;
import dev.cria.model.HfNames;
import dev.cria.model.Llama;
import dev.cria.model.LlamaConfig;
import dev.cria.model.LoraConfig;
import dev.cria.tokenizer.Tokenizer;
import dev.cria.tokenizer.Tokenizers;
import dev.cria.util.CriaException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cria.io.Io;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;

/**
 * A model directory in the Hugging Face layout: {@code config.json}, the weights (one
 * {@code model.safetensors} or shards with an index, F32, BF16 or F16; see {@link WeightFiles}) and
 * {@code tokenizer.json}; a training checkpoint adds {@code optimizer.safetensors} and
 * {@code trainer_state.json}. A directory written by {@code save_pretrained} for a
 * {@code LlamaForCausalLM} loads as it is.
 *
 * <p>A model saves in the dtype and with the config.json fields it was loaded with (models Cria
 * initialises are F32), unless {@link #saveAs} chose otherwise. subtle: that is remembered per model
 * object here, weakly, rather than in {@link Llama}, which holds only what the math needs.
 *
 * <p>A run directory keeps its checkpoint in {@code model/}, replaced as a whole on every save (see
 * {@link AtomicDirectory}), so a crash mid-save leaves the previous checkpoint intact. {@link #resolve}
 * accepts either a model directory or a run directory.
 */
public final class ModelDirectory {
    public static final String CONFIG = "config.json";
    public static final String WEIGHTS = "model.safetensors";
    public static final String TOKENIZER = "tokenizer.json";
    /** Written with Cria's chat template (as Jinja) when the tokenizer has Cria's chat tokens. */
    public static final String TOKENIZER_CONFIG = "tokenizer_config.json";
    public static final String OPTIMIZER = "optimizer.safetensors";
    public static final String STATE = "trainer_state.json";
    public static final String ADAPTER_CONFIG = "adapter_config.json";
    public static final String ADAPTER_WEIGHTS = "adapter_model.safetensors";
    /** A run checkpoint saved in BF16 or F16 keeps the float32 weights here too, so --resume continues exactly. */
    public static final String MASTER_WEIGHTS = "master_weights.safetensors";
    /** The checkpoint's name inside a run directory. */
    public static final String RUN_CHECKPOINT = "model";

    /** What a directory holds; the optimizer moments and training state only for a training checkpoint. */
    public record Loaded(Path dir, Llama model, Tokenizer tokenizer, Optional<TrainingState> state,
                         Map<String, TensorData> optimizer) {
        /** How this model frames a conversation: Cria's chat tokens, or the directory's own template. */
        public ChatFormat chat() {
            return chatFormat(dir, tokenizer);
        }
    }

    /** How a model is written: its dtype, the largest shard, and the config.json fields it came with (or null). */
    public record SaveFormat(Dtype dtype, long maxShardBytes, ObjectNode config) {
        public static final SaveFormat DEFAULT = new SaveFormat(Dtype.F32, WeightFiles.DEFAULT_MAX_SHARD_BYTES, null);

        public SaveFormat {
            if (dtype != Dtype.F32 && dtype != Dtype.BF16 && dtype != Dtype.F16) {
                throw new CriaException("dtype " + dtype + ": Cria saves f32, bf16 or f16");
            }
            if (maxShardBytes <= 0) throw new CriaException("max shard size must be positive: " + maxShardBytes);
        }
    }

    private static final Map<Llama, SaveFormat> FORMATS = Collections.synchronizedMap(new WeakHashMap<>());

    private ModelDirectory() {
    }

    /** How {@code model} will be saved: as loaded, or as {@link #saveAs} set. */
    public static SaveFormat formatOf(Llama model) {
        return FORMATS.getOrDefault(model, SaveFormat.DEFAULT);
    }

    /** Saves {@code model} from now on in {@code dtype} (null keeps the current one) and shards of at most {@code maxShardBytes}. */
    public static void saveAs(Llama model, Dtype dtype, long maxShardBytes) {
        SaveFormat now = formatOf(model);
        FORMATS.put(model, new SaveFormat(dtype != null ? dtype : now.dtype(), maxShardBytes, now.config()));
    }

    /** The model directory that {@code path} names: itself, or a run directory's (recovered) checkpoint. */
    public static Path resolve(Path path) {
        if (!Files.exists(path)) throw new CriaException(path + ": no such directory");
        if (Files.exists(path.resolve(CONFIG))) return path;
        Path checkpoint = AtomicDirectory.resolveComplete(path.resolve(RUN_CHECKPOINT));
        if (checkpoint != null && Files.exists(checkpoint.resolve(CONFIG))) return checkpoint;
        throw new CriaException(path + ": not a model directory (no " + CONFIG + ") and not a run directory (no "
                + RUN_CHECKPOINT + "/" + CONFIG + ")");
    }

    /** Loads weights and tokenizer (and training state, if present) from a model or run directory. */
    public static Loaded load(Path path) {
        return load(path, false, null);
    }

    /**
     * As {@link #load}, for a model that is only run, or whose base stays frozen under LoRA adapters: weight
     * matrices stored in BF16 or F16 stay 16-bit, mapped from the files (see {@link WeightFiles#read(Path, boolean)}),
     * so the model takes about the checkpoint's size in memory, not twice it. Norm weights, biases and
     * F32 checkpoints load as float32. subtle: a run checkpoint whose master weights hold matrices was
     * fully trained, and those float32 values are the model, so it loads float32 all the same.
     */
    public static Loaded loadFrozen(Path path) {
        return load(path, true, null);
    }

    /**
     * As {@link #loadFrozen(Path)}, with the weight matrices block-quantized to {@code quantize} as they are
     * read (null: none; see {@link HfNames#quantizeAs}). Matrices whose rows do not cut into whole blocks
     * stay as {@link #loadFrozen(Path)} would hold them.
     */
    public static Loaded loadFrozen(Path path, QuantMatrix.Kind quantize) {
        return load(path, true, quantize);
    }

    private static Loaded load(Path path, boolean frozen, QuantMatrix.Kind quantize) {
        if (GgufModel.isGguf(path)) {
            if (quantize != null) {
                throw new CriaException(path + ": a GGUF file runs in the types it stores; --quantize is for model directories"
                        + " (export with --type " + quantize.name().toLowerCase(java.util.Locale.ROOT) + " for a quantized file)");
            }
            return GgufModel.load(path, frozen);
        }
        Path dir = resolve(path);
        boolean trained = frozen && masterMatrices(dir);
        Llama model = trained ? loadModel(dir, false) : loadModel(dir, frozen, quantize);
        LlamaConfig config = model.config();
        Path tokenizerFile = dir.resolve(TOKENIZER);
        if (!Files.exists(tokenizerFile)) throw new CriaException(tokenizerFile + ": missing; a model directory needs " + TOKENIZER);
        Tokenizer tokenizer = Tokenizers.load(tokenizerFile);
        if (tokenizer.vocabSize() > config.vocab()) {
            throw new CriaException(dir + ": tokenizer has " + tokenizer.vocabSize() + " tokens but config.json vocab_size is " + config.vocab());
        }
        if (Files.exists(dir.resolve(ADAPTER_CONFIG))) loadAdapters(dir, model);
        Optional<TrainingState> state = Optional.empty();
        Map<String, TensorData> optimizer = Map.of();
        Path stateFile = dir.resolve(STATE);
        if (Files.exists(stateFile)) {
            state = Optional.of(TrainingState.parse(read(stateFile), stateFile.toString()));
            Path optimizerFile = dir.resolve(OPTIMIZER);
            if (Files.exists(optimizerFile)) optimizer = Safetensors.read(optimizerFile);
            Path masterFile = dir.resolve(MASTER_WEIGHTS);
            if (Files.exists(masterFile)) restoreMasterWeights(masterFile, model);
        }
        return new Loaded(dir, model, tokenizer, state, optimizer);
    }

    /**
     * The chat format of a model directory, its reply ending at the template's end of turn or at any
     * eos id that config.json or generation_config.json names.
     */
    public static ChatFormat chatFormat(Path dir, Tokenizer tokenizer) {
        var eos = new LinkedHashSet<Integer>(GenerationConfig.read(dir).eosTokenIds());
        eos.addAll(HfConfig.readContents(dir.resolve(CONFIG)).tokens().eos());
        return ChatFormat.of(dir, tokenizer, List.copyOf(eos));
    }

    /** Loads only config.json and the weights from a model directory (no tokenizer needed). */
    public static Llama loadModel(Path dir) {
        return loadModel(dir, false);
    }

    /** As {@link #loadModel(Path)}; with {@code frozen}, 16-bit weight matrices stay 16-bit (see {@link #loadFrozen}). */
    public static Llama loadModel(Path dir, boolean frozen) {
        return loadModel(dir, frozen, null);
    }

    /** As {@link #loadModel(Path, boolean)}, the weight matrices quantized to {@code quantize} (null: none). */
    public static Llama loadModel(Path dir, boolean frozen, QuantMatrix.Kind quantize) {
        Path configFile = dir.resolve(CONFIG);
        LlamaConfig config = HfConfig.read(configFile);
        WeightFiles.Weights weights = WeightFiles.read(dir, frozen, name -> quantize == null ? null : HfNames.quantizeAs(name, quantize));
        var data = new LinkedHashMap<String, float[]>();
        var shapes = new LinkedHashMap<String, int[]>();
        weights.tensors().forEach((name, t) -> {
            data.put(name, t.data());
            shapes.put(name, t.shape());
        });
        weights.frozen().forEach((name, w) -> shapes.put(name, new int[] {w.rows(), w.cols()}));
        Llama model = HfNames.load(config, data, weights.frozen(), shapes, dir.toString());
        FORMATS.put(model, new SaveFormat(weights.dtype(), WeightFiles.DEFAULT_MAX_SHARD_BYTES, configFields(configFile)));
        return model;
    }

    /** True when {@code dir} is a run checkpoint whose float32 master weights include matrices (it was fully trained). */
    private static boolean masterMatrices(Path dir) {
        Path master = dir.resolve(MASTER_WEIGHTS);
        if (!Files.exists(dir.resolve(STATE)) || !Files.exists(master)) return false;
        try (var reader = SafetensorsReader.open(master)) {
            return reader.names().stream().anyMatch(name -> reader.info(name).shape().length == 2);
        }
    }

    private static ObjectNode configFields(Path file) {
        try {
            return (ObjectNode) new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw Io.failure("read", file, e);
        }
    }

    /**
     * Writes config, weights, tokenizer (and tokenizer_config.json with Cria's chat template) into an existing, empty directory; LoRA adapters, if attached,
     * go beside them in PEFT's layout ({@code adapter_config.json}, {@code adapter_model.safetensors}).
     */
    public static void writeModel(Path dir, Llama model, Tokenizer tokenizer) {
        writeConfigAndWeights(dir, model, new HfConfig.TokenIds(tokenizer.bosId(), tokenizer.eosId(), tokenizer.padId()));
        tokenizer.save(dir.resolve(TOKENIZER));
        String tokenizerConfig = ChatTemplate.tokenizerConfigJson(tokenizer);
        if (tokenizerConfig != null) AtomicFiles.writeString(dir.resolve(TOKENIZER_CONFIG), tokenizerConfig);
        if (model.hasAdapters()) {
            var adapters = new LinkedHashMap<String, TensorData>();
            // the trained scalar head goes in the adapter file too, as PEFT's modules_to_save does, so the
            // adapters alone turn the untouched base into the reward model
            weightsOf(model.trainableParameters()).forEach((name, t) -> adapters.put(HfNames.PEFT_PREFIX + name, t));
            Safetensors.write(dir.resolve(ADAPTER_WEIGHTS), adapters, Map.of("format", "pt"));
            AtomicFiles.writeString(dir.resolve(ADAPTER_CONFIG), adapterConfigJson(model.loraConfig(), model.hasScoreHead()));
        }
    }

    private static void writeConfigAndWeights(Path dir, Llama model, HfConfig.TokenIds tokens) {
        SaveFormat format = formatOf(model);
        AtomicFiles.writeString(dir.resolve(CONFIG), HfConfig.toJson(model.config(), tokens, format.dtype(), format.config()));
        Map<String, Tensor> parameters = model.parameters();
        Map<String, int[]> shapes = new LinkedHashMap<>();
        parameters.forEach((name, t) -> shapes.put(name, t.shape()));
        // subtle: a frozen 16-bit weight is widened only as it is written, one at a time (and rounded back
        // exactly), so saving a frozen model never holds it whole in float32
        WeightFiles.write(dir, shapes, name -> floats(parameters.get(name)), format.dtype(), format.maxShardBytes());
    }

    /**
     * Saves only config.json (no special token ids) and the weights, replacing {@code dir} as a whole: a
     * directory that {@link #loadModel} reads but that needs a tokenizer.json before {@link #load} does.
     * For an imported model whose tokenizer comes separately.
     */
    public static void saveWithoutTokenizer(Path dir, Llama model) {
        AtomicDirectory.replace(dir, tmp -> writeConfigAndWeights(tmp, model, HfConfig.TokenIds.NONE));
    }

    /** PEFT's config; a model with a scalar head is a sequence classifier whose head trains in full, as TRL's reward model. */
    private static String adapterConfigJson(LoraConfig lora, boolean scoreHead) {
        var json = new ObjectMapper();
        var node = json.createObjectNode();
        node.put("peft_type", "LORA");
        node.put("task_type", scoreHead ? "SEQ_CLS" : "CAUSAL_LM");
        node.put("r", lora.rank());
        node.put("lora_alpha", lora.alpha());
        node.put("lora_dropout", lora.dropout());
        var targets = node.putArray("target_modules");
        lora.targets().stream().sorted().forEach(targets::add);
        if (scoreHead) node.putArray("modules_to_save").add("score");
        node.put("bias", "none");
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void loadAdapters(Path dir, Llama model) {
        Path configFile = dir.resolve(ADAPTER_CONFIG);
        LoraConfig lora;
        try {
            var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(configFile.toFile());
            var targets = new java.util.HashSet<String>();
            node.path("target_modules").forEach(t -> targets.add(t.asText()));
            lora = new LoraConfig(node.path("r").asInt(), node.path("lora_alpha").asDouble(), node.path("lora_dropout").asDouble(), targets);
        } catch (IOException e) {
            throw new CriaException(configFile + ": not a valid adapter config: " + e.getMessage(), e);
        }
        model.attachLora(lora, new dev.cria.util.Rng(0));
        Path weightsFile = dir.resolve(ADAPTER_WEIGHTS);
        Map<String, TensorData> saved = Safetensors.read(weightsFile);
        // an untouched base beside a reward model's adapters: the head is only in the adapter file
        if (saved.containsKey(HfNames.PEFT_PREFIX + HfNames.SCORE) && !model.hasScoreHead()) model.addScoreHead(new dev.cria.util.Rng(0), 0);
        model.trainableParameters().forEach((name, t) -> {
            TensorData d = saved.get(HfNames.PEFT_PREFIX + name);
            if (d == null && name.equals(HfNames.SCORE)) return; // saved before heads went in the adapter file: the weights hold it
            if (d == null || d.data().length != t.size()) {
                throw new CriaException(weightsFile + ": adapter tensor '" + HfNames.PEFT_PREFIX + name + "' is missing or has the wrong size");
            }
            System.arraycopy(d.data(), 0, t.data, 0, t.size());
        });
    }

    /** Saves a model directory (no training state), replacing {@code dir} as a whole. */
    public static void save(Path dir, Llama model, Tokenizer tokenizer) {
        AtomicDirectory.replace(dir, tmp -> writeModel(tmp, model, tokenizer));
    }

    /** Saves a training checkpoint into the run directory's {@code model/}, replacing it as a whole. */
    public static void saveCheckpoint(Path runDir, Llama model, Tokenizer tokenizer, Map<String, float[]> optimizerState,
                                      Map<String, int[]> optimizerShapes, TrainingState state) {
        AtomicDirectory.replace(runDir.resolve(RUN_CHECKPOINT), tmp -> {
            writeModel(tmp, model, tokenizer);
            // subtle: Cria trains in float32; resuming from rounded BF16 weights would not continue the same run.
            // Frozen 16-bit weights are saved exactly as they are, so only the float32 ones need a master copy.
            if (formatOf(model).dtype() != Dtype.F32) Safetensors.write(tmp.resolve(MASTER_WEIGHTS), weightsOf(floatParameters(model)));
            var moments = new LinkedHashMap<String, TensorData>();
            optimizerState.forEach((name, values) -> moments.put(name, TensorData.of(values, optimizerShapes.get(name))));
            Safetensors.write(tmp.resolve(OPTIMIZER), moments);
            AtomicFiles.writeString(tmp.resolve(STATE), state.toJson());
        });
    }

    /** The parameters held in float32: all but the frozen 16-bit weights. */
    private static Map<String, Tensor> floatParameters(Llama model) {
        var floats = new LinkedHashMap<String, Tensor>();
        model.parameters().forEach((name, t) -> {
            if (t.frozenMatrix() == null) floats.put(name, t);
        });
        return floats;
    }

    private static void restoreMasterWeights(Path file, Llama model) {
        Map<String, TensorData> saved = Safetensors.read(file);
        floatParameters(model).forEach((name, t) -> {
            TensorData d = saved.get(name);
            if (d == null || d.data().length != t.size()) {
                throw new CriaException(file + ": tensor '" + name + "' is missing or has the wrong size");
            }
            System.arraycopy(d.data(), 0, t.data, 0, t.size());
        });
    }

    /** Float32 tensors as the writers take them (the arrays shared, not copied). */
    private static Map<String, TensorData> weightsOf(Map<String, Tensor> tensors) {
        var out = new LinkedHashMap<String, TensorData>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) out.put(e.getKey(), TensorData.of(e.getValue().data, e.getValue().shape()));
        return out;
    }

    /** A tensor's values in float32: its own array, or a frozen 16-bit weight widened into a new one. */
    private static float[] floats(Tensor t) {
        return t.frozenMatrix() != null ? t.toFloats() : t.data;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new CriaException(file + ": cannot read: " + e.getMessage(), e);
        }
    }
}
