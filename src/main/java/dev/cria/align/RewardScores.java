package dev.cria.align;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cria.autograd.Grad;
import dev.cria.io.AtomicFiles;
import dev.cria.model.Llama;
import dev.cria.util.CriaException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What a reward model says about answers: their scores, and the mean and spread of its scores on its
 * own training pairs, saved beside its weights as {@code reward_stats.json} so that later stages (PPO,
 * the web app's rounds) can normalise rewards. This is the one reader and writer of that file.
 */
public final class RewardScores {
    public static final String FILE = "reward_stats.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A spread below this is no spread: dividing by it would blow rewards up, so it counts as 1. */
    private static final double MIN_STD = 1e-6;

    /** The mean and standard deviation of a reward model's scores. */
    public record Stats(double mean, double std) {
        /** What a reward model without statistics is normalised with: nothing. */
        public static final Stats NONE = new Stats(0, 1);

        public static Stats of(float[] scores) {
            double mean = 0, sq = 0;
            for (float v : scores) mean += v;
            mean /= scores.length;
            for (float v : scores) sq += (v - mean) * (v - mean);
            return new Stats(mean, Math.sqrt(sq / Math.max(1, scores.length - 1)));
        }
    }

    private RewardScores() {
    }

    /** Scores of a list of examples, batched, without gradients. */
    public static float[] score(Llama model, List<TokenizedExample> examples, int pad, int batchSize) {
        float[] out = new float[examples.size()];
        try (var off = Grad.off()) {
            for (int i = 0; i < examples.size(); i += batchSize) {
                SequenceBatch batch = SequenceBatch.ofExamples(examples.subList(i, Math.min(examples.size(), i + batchSize)), pad);
                float[] s = model.scores(batch.tokens, batch.B, batch.T, batch.lastIndex()).data;
                System.arraycopy(s, 0, out, i, s.length);
            }
        }
        return out;
    }

    public static void write(Path modelDir, Stats stats) {
        var node = JSON.createObjectNode();
        node.put("mean", stats.mean());
        node.put("std", stats.std());
        AtomicFiles.writeString(modelDir.resolve(FILE), node.toPrettyString());
    }

    /**
     * The statistics saved in a model directory. A reward model made elsewhere may have none: then
     * {@link Stats#NONE}. A file that is there but unreadable is an error naming it.
     */
    public static Stats read(Path modelDir) {
        Path file = modelDir.resolve(FILE);
        if (!Files.exists(file)) return Stats.NONE;
        try {
            JsonNode node = JSON.readTree(file.toFile());
            double std = node.path("std").asDouble(1);
            return new Stats(node.path("mean").asDouble(0), std > MIN_STD ? std : 1);
        } catch (IOException e) {
            throw new CriaException(file + ": not valid JSON: " + e.getMessage(), e);
        }
    }
}
