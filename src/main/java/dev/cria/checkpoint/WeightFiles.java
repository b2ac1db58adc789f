package dev.cria.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cria.io.AtomicFiles;
import dev.cria.io.Io;
import dev.cria.io.Safetensors;
import dev.cria.io.Safetensors.Dtype;
import dev.cria.io.SafetensorsReader;
import dev.cria.io.TensorData;
import dev.cria.kernels.FrozenMatrix;
import dev.cria.kernels.HalfMatrix;
import dev.cria.kernels.QuantMatrix;
import dev.cria.util.CriaException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A model's weights on disk, as transformers' {@code save_pretrained} lays them out: one
 * {@code model.safetensors}, or shards {@code model-0000N-of-0000M.safetensors} with
 * {@code model.safetensors.index.json} mapping each tensor name to its shard
 * ({@code {"metadata": {"total_size": bytes}, "weight_map": {name: file}}}).
 *
 * <p>Loading refuses a shard the index names but that is missing, a tensor the index places in a
 * shard that lacks it, and a shard on disk that the index does not name: each would otherwise load
 * a model that is silently missing or mixing weights. Not a general loader: one dtype per save.
 */
public final class WeightFiles {
    public static final String SINGLE = "model.safetensors";
    public static final String INDEX = "model.safetensors.index.json";
    /** transformers' default for {@code max_shard_size}. */
    public static final long DEFAULT_MAX_SHARD_BYTES = 2_000_000_000L;

    private static final Pattern SHARD = Pattern.compile("model-\\d+-of-\\d+\\.safetensors");
    private static final JsonMapper JSON = new JsonMapper();

    /**
     * Every tensor as float32, except, when read {@code frozen}, the matrices stored in 16 bits, which are
     * kept as they are in the mapped file; and the dtype the files stored most of them in.
     */
    public record Weights(Map<String, TensorData> tensors, Map<String, FrozenMatrix> frozen, Dtype dtype) {
    }

    private WeightFiles() {
    }

    /** True when {@code dir} holds weights in either layout. */
    public static boolean present(Path dir) {
        return Files.exists(dir.resolve(SINGLE)) || Files.exists(dir.resolve(INDEX));
    }

    /** Reads the weights of {@code dir}: {@code model.safetensors} if present, else the shards of the index. */
    public static Weights read(Path dir) {
        return read(dir, false);
    }

    /**
     * Reads the weights of {@code dir}; with {@code frozen}, every 2-D tensor stored in BF16 or F16 stays
     * 16-bit, mapped from its file (see {@link SafetensorsReader#mapPersistent}), for a model that is only run.
     */
    public static Weights read(Path dir, boolean frozen) {
        return read(dir, frozen, name -> null);
    }

    /**
     * As {@link #read(Path, boolean)}, and each 2-D tensor for which {@code quantize} names a block layout
     * (and whose rows cut into whole blocks) is quantized as it is read, one tensor at a time, so the
     * model never holds more than one of them in float32.
     */
    public static Weights read(Path dir, boolean frozen, Function<String, QuantMatrix.Kind> quantize) {
        Path single = dir.resolve(SINGLE);
        if (Files.exists(single)) {
            try (SafetensorsReader reader = SafetensorsReader.open(single)) {
                Map<Dtype, Long> counts = new TreeMap<>();
                countDtypes(reader, reader.names(), counts);
                var tensors = new LinkedHashMap<String, TensorData>();
                var halves = new LinkedHashMap<String, FrozenMatrix>();
                for (String name : reader.names()) readInto(reader, name, frozen, quantize, tensors, halves);
                return new Weights(tensors, halves, majority(counts));
            }
        }
        Path index = dir.resolve(INDEX);
        if (!Files.exists(index)) {
            throw new CriaException(single + ": missing; a model directory needs " + SINGLE + " or " + INDEX + " with its shards");
        }
        return readShards(dir, index, frozen, quantize);
    }

    /**
     * One tensor into {@code halves} (quantized, if {@code quantize} names a layout for it; mapped, if {@code frozen}
     * and it is a 16-bit matrix) or {@code tensors} (as float32).
     */
    private static void readInto(SafetensorsReader reader, String name, boolean frozen, Function<String, QuantMatrix.Kind> quantize,
                                 Map<String, TensorData> tensors, Map<String, FrozenMatrix> halves) {
        var info = reader.info(name);
        int[] shape = info.shape();
        QuantMatrix.Kind quantized = quantize.apply(name);
        if (quantized != null && shape.length == 2 && QuantMatrix.quantizable(shape[1])) {
            QuantMatrix q = QuantMatrix.allocate(shape[0], shape[1], quantized);
            reader.readRows(name, (r, row) -> q.quantizeRow(r, row, 0));
            halves.put(name, q);
            return;
        }
        HalfMatrix.Kind kind = switch (info.dtype()) {
            case BF16 -> HalfMatrix.Kind.BF16;
            case F16 -> HalfMatrix.Kind.F16;
            default -> null;
        };
        if (frozen && kind != null && shape.length == 2) {
            halves.put(name, HalfMatrix.of(reader.mapPersistent(name), shape[0], shape[1], kind));
        } else {
            tensors.put(name, reader.read(name));
        }
    }

    /** The dtype the weights of {@code dir} are stored in, from the headers only. */
    public static Dtype storedDtype(Path dir) {
        Path single = dir.resolve(SINGLE);
        List<Path> files = Files.exists(single) ? List.of(single)
                : shardsOf(dir.resolve(INDEX)).keySet().stream().map(dir::resolve).toList();
        Map<Dtype, Long> counts = new TreeMap<>();
        for (Path file : files) {
            try (SafetensorsReader reader = SafetensorsReader.open(file)) {
                countDtypes(reader, reader.names(), counts);
            }
        }
        return majority(counts);
    }

    /** The shard files the index names, each with the tensors it places there. */
    private static Map<Path, List<String>> shardsOf(Path index) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(index));
        } catch (JsonProcessingException e) {
            throw new CriaException(index + ": not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw Io.failure("read", index, e);
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject() || map.isEmpty()) {
            throw new CriaException(index + ": field \"weight_map\" must be a non-empty object of tensor name to shard file");
        }
        Map<Path, List<String>> shards = new TreeMap<>();
        for (Map.Entry<String, JsonNode> entry : map.properties()) {
            JsonNode file = entry.getValue();
            if (!file.isTextual() || !SHARD.matcher(file.textValue()).matches()) {
                throw new CriaException(index + ": weight_map entry \"" + entry.getKey() + "\" names " + file
                        + ", not a model-0000N-of-0000M.safetensors file");
            }
            shards.computeIfAbsent(Path.of(file.textValue()), f -> new ArrayList<>()).add(entry.getKey());
        }
        return shards;
    }

    private static Weights readShards(Path dir, Path index, boolean frozen, Function<String, QuantMatrix.Kind> quantize) {
        Map<Path, List<String>> shards = shardsOf(index);
        for (Path onDisk : shardFilesIn(dir)) {
            if (!shards.containsKey(onDisk.getFileName())) {
                throw new CriaException(onDisk + ": a shard that " + INDEX + " does not name; remove it or fix the index");
            }
        }
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        Map<String, FrozenMatrix> halves = new LinkedHashMap<>();
        Map<Dtype, Long> counts = new TreeMap<>();
        for (Map.Entry<Path, List<String>> shard : shards.entrySet()) {
            Path file = dir.resolve(shard.getKey());
            if (!Files.exists(file)) {
                throw new CriaException(file + ": missing; " + INDEX + " places \"" + shard.getValue().getFirst()
                        + "\" (and " + (shard.getValue().size() - 1) + " more tensors) there");
            }
            try (SafetensorsReader reader = SafetensorsReader.open(file)) {
                for (String name : shard.getValue()) {
                    if (!reader.contains(name)) {
                        throw new CriaException(file + ": no tensor \"" + name + "\", which " + INDEX + " places there");
                    }
                }
                for (String name : reader.names()) {
                    if (!shard.getValue().contains(name)) {
                        throw new CriaException(file + ": tensor \"" + name + "\" is not in " + INDEX + "'s weight_map");
                    }
                }
                countDtypes(reader, shard.getValue(), counts);
                for (String name : shard.getValue()) readInto(reader, name, frozen, quantize, tensors, halves);
            }
        }
        return new Weights(tensors, halves, majority(counts));
    }

    private static List<Path> shardFilesIn(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> SHARD.matcher(f.getFileName().toString()).matches()).sorted().toList();
        } catch (IOException e) {
            throw Io.failure("list", dir, e);
        }
    }

    /** Elements per dtype, added up over the files of one checkpoint. */
    private static void countDtypes(SafetensorsReader reader, List<String> names, Map<Dtype, Long> counts) {
        for (String name : names) counts.merge(reader.info(name).dtype(), reader.info(name).elementCount(), Long::sum);
    }

    /**
     * The dtype most of the weights are stored in. subtle: checkpoints mostly in BF16 sometimes keep a
     * few small tensors (norms) in F32; the model as a whole is still BF16, and saves as such.
     */
    private static Dtype majority(Map<Dtype, Long> counts) {
        return counts.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(Dtype.F32);
    }

    /**
     * Writes {@code tensors} into {@code dir} in {@code dtype}: one {@code model.safetensors} when
     * they fit in {@code maxShardBytes}, else shards filled in order up to that size (a tensor larger
     * than the limit gets a shard of its own, as transformers does) plus the index.
     */
    public static void write(Path dir, Map<String, TensorData> tensors, Dtype dtype, long maxShardBytes) {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        tensors.forEach((name, t) -> shapes.put(name, t.shape()));
        write(dir, shapes, name -> tensors.get(name).data(), dtype, maxShardBytes);
    }

    /**
     * As {@link #write(Path, Map, Dtype, long)}, asking {@code values} for each tensor's float32 values
     * only as it is written (see {@link Safetensors#write(Path, Map, Function, Map, Dtype)}).
     */
    public static void write(Path dir, Map<String, int[]> tensors, Function<String, float[]> values, Dtype dtype,
                             long maxShardBytes) {
        if (maxShardBytes <= 0) throw new IllegalArgumentException("maxShardBytes <= 0: " + maxShardBytes);
        List<Map<String, int[]>> shards = new ArrayList<>();
        Map<String, int[]> current = new LinkedHashMap<>();
        long currentBytes = 0;
        long total = 0;
        for (Map.Entry<String, int[]> e : tensors.entrySet()) {
            long bytes = TensorData.elementCount(e.getValue()) * dtype.bytes;
            if (!current.isEmpty() && currentBytes + bytes > maxShardBytes) {
                shards.add(current);
                current = new LinkedHashMap<>();
                currentBytes = 0;
            }
            current.put(e.getKey(), e.getValue());
            currentBytes += bytes;
            total += bytes;
        }
        shards.add(current);
        if (shards.size() == 1) {
            Safetensors.write(dir.resolve(SINGLE), current, values, Map.of("format", "pt"), dtype);
            return;
        }
        Map<String, String> weightMap = new TreeMap<>();
        for (int i = 0; i < shards.size(); i++) {
            String name = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
            Safetensors.write(dir.resolve(name), shards.get(i), values, Map.of("format", "pt"), dtype);
            for (String tensor : shards.get(i).keySet()) weightMap.put(tensor, name);
        }
        ObjectNode root = JSON.createObjectNode();
        root.putObject("metadata").put("total_size", total);
        ObjectNode map = root.putObject("weight_map");
        weightMap.forEach(map::put);
        try {
            AtomicFiles.writeString(dir.resolve(INDEX), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a map of strings", e);
        }
    }
}
