package dev.cria.align;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cria.autograd.Grad;
import dev.cria.autograd.Tensor;
import dev.cria.checkpoint.TrainingState;
import dev.cria.io.TensorData;
import dev.cria.model.Llama;
import dev.cria.tokenizer.Tokenizer;
import dev.cria.train.AdamW;
import dev.cria.train.RunDirectory;
import dev.cria.train.StopSignal;
import dev.cria.train.TrainingLoop;
import dev.cria.util.CriaException;
import dev.cria.util.Rng;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ORPO and SimPO: train the policy on preference pairs with no reference model and no reward model, so
 * only the policy's weights are in memory and each step runs only the policy. The loss reads each
 * response's mean log-prob per token ({@link ReferenceFreeLoss}). Logs TRL's metrics.
 */
public final class ReferenceFreeTrainer {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TrainingLoop loop;

    public ReferenceFreeTrainer(Llama policy, Tokenizer tokenizer, List<PreferencePair> train, List<PreferencePair> val,
                                ReferenceFreeConfig config, RunDirectory run) {
        if (train.isEmpty()) throw new CriaException("no training pairs");
        String name = config.loss().name();
        var objective = new Objective(policy, config.loss(), config.run().batchSize(), SequenceBatch.padId(tokenizer), train, val);
        var settings = new TrainingLoop.Settings(name, config.run().steps(), config.run().schedule(), config.run().gradClip(), AdamW.BETA1, AdamW.BETA2,
                config.run().weightDecay(), config.run().evalEvery(), config.run().saveEvery(), List.of(
                new RunDirectory.Plot(lossPlot(config.loss()), "Cria " + name.toUpperCase(), name + " loss", List.of("train/loss", "eval/loss")),
                new RunDirectory.Plot(rewardPlot(config.loss()), "Cria " + name.toUpperCase(), "implicit reward",
                        List.of("rewards/chosen", "rewards/rejected", "rewards/margins"))));
        var runConfig = JSON.createObjectNode();
        runConfig.put("loss", name);
        runConfig.set("hyperparameters", JSON.valueToTree(config.loss()));
        runConfig.put("steps", config.run().steps());
        runConfig.put("batch", config.run().batchSize());
        runConfig.put("lr", config.run().lr());
        loop = new TrainingLoop(policy, tokenizer, objective, settings, run, runConfig, new Rng(config.run().seed() ^ 0x0F0L));
    }

    public static String lossPlot(ReferenceFreeLoss loss) {
        return loss.name() + "_loss.png";
    }

    public static String rewardPlot(ReferenceFreeLoss loss) {
        return loss.name() + "_rewards.png";
    }

    public ReferenceFreeTrainer resumeFrom(TrainingState state, Map<String, TensorData> optimizer, Path source) {
        loop.resumeFrom(state, optimizer, source);
        return this;
    }

    public TrainingLoop.Result run(StopSignal stop) {
        return loop.run(stop);
    }

    /** The policy's log-probs of a batch of pairs: summed per response, with each response's length. */
    private record PairLogProbs(Tensor chosen, Tensor rejected, int[] chosenLengths, int[] rejectedLengths) {
        static PairLogProbs of(Llama policy, List<PreferencePair> pairs, int pad) {
            var chosen = new ArrayList<TokenizedExample>();
            var rejected = new ArrayList<TokenizedExample>();
            for (PreferencePair p : pairs) {
                chosen.add(p.chosen());
                rejected.add(p.rejected());
            }
            return new PairLogProbs(sums(policy, chosen, pad), sums(policy, rejected, pad), lengths(chosen), lengths(rejected));
        }

        private static Tensor sums(Llama policy, List<TokenizedExample> examples, int pad) {
            return TokenLogProbs.sequenceSums(policy, examples, pad);
        }

        private static int[] lengths(List<TokenizedExample> examples) {
            int[] out = new int[examples.size()];
            for (int i = 0; i < out.length; i++) out[i] = examples.get(i).tokens().length - examples.get(i).responseStart();
            return out;
        }

        Tensor loss(ReferenceFreeLoss loss) {
            return loss.loss(chosen, rejected, chosenLengths, rejectedLengths);
        }

        Map<String, Double> metrics(ReferenceFreeLoss loss) {
            try (var off = Grad.off()) {
                return loss.metrics(chosen, rejected, chosenLengths, rejectedLengths);
            }
        }
    }

    private record Objective(Llama policy, ReferenceFreeLoss loss, int batchSize, int pad, List<PreferencePair> train,
                             List<PreferencePair> val) implements TrainingLoop.Objective {
        @Override
        public TrainingLoop.StepResult step(Rng rng) {
            var picked = new ArrayList<PreferencePair>();
            long tokens = 0;
            for (int i = 0; i < batchSize; i++) {
                PreferencePair p = train.get(rng.nextInt(train.size()));
                picked.add(p);
                tokens += p.chosen().tokens().length + p.rejected().tokens().length;
            }
            var logProbs = PairLogProbs.of(policy, picked, pad);
            Tensor value = logProbs.loss(loss);
            var metrics = logProbs.metrics(loss);
            float lossValue = value.item();
            value.backward();
            return new TrainingLoop.StepResult(lossValue, tokens, metrics);
        }

        @Override
        public Map<String, Double> evaluate() {
            if (val.isEmpty()) return Map.of();
            var metrics = new LinkedHashMap<String, Double>();
            try (var off = Grad.off()) {
                var logProbs = PairLogProbs.of(policy, val, pad);
                metrics.put("eval/loss", (double) logProbs.loss(loss).item());
                logProbs.metrics(loss).forEach((k, v) -> metrics.put("eval/" + k, v));
            }
            return metrics;
        }
    }
}
