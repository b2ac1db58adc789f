package dev.cria.cli;

import dev.cria.kernels.QuantMatrix;
import dev.cria.align.RewardScores;
import dev.cria.world.SimulatedAnnotator;
import dev.cria.align.reward.AnnotatorReward;
import dev.cria.align.reward.CopyReward;
import dev.cria.align.reward.EmbeddingReward;
import dev.cria.align.reward.KeywordReward;
import dev.cria.align.reward.Reward;
import dev.cria.align.reward.RewardModelReward;
import dev.cria.checkpoint.ModelDirectory;
import dev.cria.tokenizer.Tokenizer;
import dev.cria.util.CriaException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses {@code --reward}: comma-separated terms {@code name[:argument][=weight]}, e.g.
 * {@code model}, {@code keyword:cat}, {@code embedding:cat}, {@code copy}, {@code annotator},
 * {@code keyword:cat=1,annotator=0.1}. An {@code embedding:TEXT} cannot contain a comma or '='.
 */
final class RewardSpec {
    private RewardSpec() {
    }

    /** One term of the spec: a reward's name, its argument (or null) and its weight. */
    record Term(String name, String argument, double weight) {
    }

    /**
     * Checks the spec's syntax, names and arguments without loading anything, so a mistake is reported
     * before the models load.
     */
    static List<Term> terms(String spec) {
        var terms = new ArrayList<Term>();
        for (String term : spec.split(",")) {
            String t = term.strip();
            double weight = 1;
            int eq = t.indexOf('=');
            if (eq >= 0) {
                try {
                    weight = Double.parseDouble(t.substring(eq + 1));
                } catch (NumberFormatException e) {
                    throw new CriaException("--reward: weight of '" + t + "' is not a number");
                }
                t = t.substring(0, eq);
            }
            String name = t.contains(":") ? t.substring(0, t.indexOf(':')) : t;
            String arg = t.contains(":") ? t.substring(t.indexOf(':') + 1) : null;
            switch (name) {
                case "keyword" -> require(arg, "keyword:WORD");
                case "embedding" -> require(arg, "embedding:TEXT, e.g. embedding:cat");
                case "copy", "annotator", "model" -> { }
                default -> throw new CriaException("--reward: unknown reward '" + name + "'; use model, keyword:WORD, embedding:TEXT, copy or annotator");
            }
            terms.add(new Term(name, arg, weight));
        }
        return terms;
    }

    /** The reward {@code spec} names; a reward model is held quantized to {@code quantize} (null: as stored). */
    static Reward parse(String spec, Path rewardModel, Tokenizer policyTokenizer, QuantMatrix.Kind quantize) {
        var rewards = new ArrayList<Reward>();
        var weights = new ArrayList<Double>();
        for (Term t : terms(spec)) {
            rewards.add(switch (t.name()) {
                case "keyword" -> new KeywordReward(t.argument());
                case "embedding" -> new EmbeddingReward(t.argument());
                case "copy" -> new CopyReward(2, 2);
                case "annotator" -> new AnnotatorReward(new SimulatedAnnotator());
                case "model" -> rewardModel(rewardModel, policyTokenizer, quantize);
                default -> throw new IllegalStateException("terms() let through '" + t.name() + "'");
            });
            weights.add(t.weight());
        }
        if (rewards.size() == 1 && weights.get(0) == 1) return rewards.get(0);
        return new Reward.Weighted(List.copyOf(rewards), weights.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static void require(String arg, String form) {
        if (arg == null || arg.isBlank()) throw new CriaException("--reward: write it as " + form);
    }

    private static Reward rewardModel(Path dir, Tokenizer policyTokenizer, QuantMatrix.Kind quantize) {
        if (dir == null) throw new CriaException("--reward model needs --reward-model DIR (a directory written by ./cria reward)");
        var loaded = ModelDirectory.loadFrozen(dir, quantize);
        return new RewardModelReward(loaded.model(), loaded.chat(), policyTokenizer, RewardScores.read(loaded.dir()));
    }
}
