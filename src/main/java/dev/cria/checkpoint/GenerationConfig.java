package dev.cria.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cria.util.CriaException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The sampling defaults a model ships in {@code generation_config.json}, as transformers writes it.
 * Every field is null when absent; the command's own default applies then, and its flags win over
 * these. Not the whole of transformers' GenerationConfig: repetition penalties, beams and stop
 * strings are ignored.
 *
 * @param eosTokenIds end-of-sequence ids (transformers allows one or a list, e.g. Llama 3's two); empty when absent
 * @param doSample    false means greedy decoding whatever the temperature, as in transformers
 */
public record GenerationConfig(Float temperature, Float topP, Integer topK, Integer maxNewTokens, Boolean doSample,
                               List<Integer> eosTokenIds) {
    public static final String FILE = "generation_config.json";
    public static final GenerationConfig NONE = new GenerationConfig(null, null, null, null, null, List.of());

    public GenerationConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
    }

    /** The generation_config.json of a model directory, or {@link #NONE} when it has none. */
    public static GenerationConfig read(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.exists(file)) return NONE;
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new CriaException(file + ": not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) throw new CriaException(file + ": expected a JSON object");
        return new GenerationConfig(number(file, root, "temperature"), number(file, root, "top_p"), integer(file, root, "top_k"),
                integer(file, root, "max_new_tokens"), bool(file, root, "do_sample"), ids(file, root.get("eos_token_id")));
    }

    /** The temperature to sample at: 0 (greedy) when do_sample is false, else the file's temperature, else {@code fallback}. */
    public float temperatureOr(float fallback) {
        if (Boolean.FALSE.equals(doSample)) return 0f;
        return temperature != null ? temperature : fallback;
    }

    private static Float number(Path file, JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) return null;
        if (!node.isNumber()) throw new CriaException(file + ": field \"" + field + "\" must be a number, got " + node);
        return node.floatValue();
    }

    private static Integer integer(Path file, JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) return null;
        if (!node.canConvertToInt() || !node.isIntegralNumber()) {
            throw new CriaException(file + ": field \"" + field + "\" must be an integer, got " + node);
        }
        return node.intValue();
    }

    private static Boolean bool(Path file, JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) return null;
        if (!node.isBoolean()) throw new CriaException(file + ": field \"" + field + "\" must be true or false, got " + node);
        return node.booleanValue();
    }

    private static List<Integer> ids(Path file, JsonNode node) {
        if (node == null || node.isNull()) return List.of();
        List<Integer> ids = new ArrayList<>();
        for (JsonNode id : node.isArray() ? node : List.of(node)) {
            if (!id.isIntegralNumber() || !id.canConvertToInt()) {
                throw new CriaException(file + ": field \"eos_token_id\" must be an id or a list of ids, got " + node);
            }
            ids.add(id.intValue());
        }
        return ids;
    }
}
