package dev.cria.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cria.util.CriaException;

/**
 * Where a training run stands, saved beside the weights as {@code trainer_state.json} so a resumed run
 * continues exactly: the next step, the optimizer's step count, the data sampler's RNG state, and the
 * resolved run configuration (every flag after defaults were applied).
 *
 * @param stage        which trainer wrote it, e.g. {@code pretrain}
 * @param step         steps completed
 * @param optimizerStep AdamW's step count (for bias correction)
 * @param rngState     the training RNG's full state
 * @param tokensSeen   training tokens consumed so far
 * @param elapsedSeconds wall time spent training so far
 * @param runConfig    the resolved run configuration, as JSON
 */
public record TrainingState(String stage, long step, long optimizerStep, long[] rngState, long tokensSeen,
                            double elapsedSeconds, JsonNode runConfig) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public String toJson() {
        ObjectNode node = JSON.createObjectNode();
        node.put("stage", stage);
        node.put("step", step);
        node.put("optimizer_step", optimizerStep);
        var rng = node.putArray("rng_state");
        for (long word : rngState) rng.add(Long.toString(word));
        node.put("tokens_seen", tokensSeen);
        node.put("elapsed_seconds", elapsedSeconds);
        node.set("run_config", runConfig);
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses {@code trainer_state.json}; {@code source} names the file in error messages. */
    public static TrainingState parse(String json, String source) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new CriaException(source + ": not valid JSON: " + e.getMessage());
        }
        JsonNode rng = require(node, "rng_state", source);
        if (!rng.isArray() || rng.size() != 6) throw new CriaException(source + ": field \"rng_state\" must be an array of 6 words");
        long[] state = new long[6];
        for (int i = 0; i < 6; i++) {
            try {
                state[i] = Long.parseLong(rng.get(i).asText());
            } catch (NumberFormatException e) {
                throw new CriaException(source + ": rng_state[" + i + "] is not an integer: " + rng.get(i));
            }
        }
        return new TrainingState(require(node, "stage", source).asText(), require(node, "step", source).asLong(),
                require(node, "optimizer_step", source).asLong(), state, require(node, "tokens_seen", source).asLong(),
                require(node, "elapsed_seconds", source).asDouble(), require(node, "run_config", source));
    }

    private static JsonNode require(JsonNode node, String field, String source) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) throw new CriaException(source + ": field \"" + field + "\" is missing");
        return value;
    }
}
