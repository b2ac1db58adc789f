package dev.cria.cli;

import dev.cria.align.RewardScores;
import dev.cria.world.SimulatedAnnotator;
import dev.cria.align.reward.AnnotatorReward;
import dev.cria.align.reward.CopyReward;
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
 * {@code model}, {@code keyword:cat}, {@code copy}, {@code annotator}, {@code keyword:cat=1,annotator=0.1}.
 */
final class RewardSpec {
    private RewardSpec() {
    }

    static Reward parse(String spec, Path rewardModel, Tokenizer policyTokenizer) {
        var rewards = new ArrayList<Reward>();
        var weights = new ArrayList<Double>();
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
            rewards.add(switch (name) {
                case "keyword" -> new KeywordReward(require(arg, "keyword:WORD"));
                case "copy" -> new CopyReward(2, 2);
                case "annotator" -> new AnnotatorReward(new SimulatedAnnotator());
                case "model" -> rewardModel(rewardModel, policyTokenizer);
                default -> throw new CriaException("--reward: unknown reward '" + name + "'; use model, keyword:WORD, copy or annotator");
            });
            weights.add(weight);
        }
        if (rewards.size() == 1 && weights.get(0) == 1) return rewards.get(0);
        return new Reward.Weighted(List.copyOf(rewards), weights.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static String require(String arg, String form) {
        if (arg == null || arg.isBlank()) throw new CriaException("--reward: write it as " + form);
        return arg;
    }

    private static Reward rewardModel(Path dir, Tokenizer policyTokenizer) {
        if (dir == null) throw new CriaException("--reward model needs --reward-model DIR (a directory written by ./cria reward)");
        var loaded = ModelDirectory.loadFrozen(dir);
        return new RewardModelReward(loaded.model(), loaded.chat(), policyTokenizer, RewardScores.read(loaded.dir()));
    }
}
