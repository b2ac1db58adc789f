package dev.cria.align;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cria.autograd.Grad;
import dev.cria.autograd.Tensor;
import dev.cria.checkpoint.TrainingState;
import dev.cria.io.TensorData;
import dev.cria.model.Llama;
import dev.cria.tokenizer.Tokenizer;
import dev.cria.train.AdamW;
import dev.cria.train.ProgressBar;
import dev.cria.train.RunDirectory;
import dev.cria.train.StopSignal;
import dev.cria.train.TrainingLoop;
import dev.cria.util.CriaException;
import dev.cria.util.Rng;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * KTO: trains the policy on single answers judged good or bad (a thumbs up or down), with no pairs and
 * no reward model, against a frozen {@link Reference}. Each example also gets a fixed partner, another
 * example whose completion follows its prompt, for the KL reference point ({@link KtoLoss}). The
 * reference's log-probs of both are computed once, before training; the policy's log-probs of the
 * partners are computed each step without gradients, as in TRL. Logs TRL's KTO metrics.
 */
public final class KtoTrainer {
    public static final String PLOT = "kto_rewards.png";
    public static final String LOSS_PLOT = "kto_loss.png";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TrainingLoop loop;

    /**
     * @param train examples to train on, good and bad mixed in any order; at least 2
     * @param val   held-out examples, scored at each evaluation (may be empty)
     */
    public KtoTrainer(Llama policy, Reference reference, Tokenizer tokenizer, List<LabelledExample> train, List<LabelledExample> val,
                      KtoConfig config, RunDirectory run) {
        if (train.size() < 2) throw new CriaException("KTO needs at least 2 training examples (its KL estimate pairs each prompt with another's completion), got " + train.size());
        if (val.size() == 1) throw new CriaException("KTO needs 0 or at least 2 held-out examples, got 1: raise --val-fraction or set it to 0");
        int pad = SequenceBatch.padId(tokenizer), maxLen = policy.config().maxSeqLen();
        var objective = new KtoObjective(policy, config, pad, Scored.of(reference, train, pad, maxLen), Scored.of(reference, val, pad, maxLen));
        var settings = new TrainingLoop.Settings("kto", config.run().steps(), config.run().schedule(), config.run().gradClip(), AdamW.BETA1, AdamW.BETA2,
                config.run().weightDecay(), config.run().evalEvery(), config.run().saveEvery(), List.of(
                new RunDirectory.Plot(LOSS_PLOT, "Cria KTO", "KTO loss", List.of("train/loss", "eval/loss")),
                new RunDirectory.Plot(PLOT, "Cria KTO", "implicit reward", List.of("rewards/chosen", "rewards/rejected", "kl"))));
        var runConfig = JSON.createObjectNode();
        runConfig.put("beta", config.beta());
        runConfig.put("desirable_weight", config.desirableWeight());
        runConfig.put("undesirable_weight", config.undesirableWeight());
        runConfig.put("steps", config.run().steps());
        runConfig.put("batch", config.run().batchSize());
        runConfig.put("lr", config.run().lr());
        loop = new TrainingLoop(policy, tokenizer, objective, settings, run, runConfig, new Rng(config.run().seed() ^ 0x4B70L));
    }

    public KtoTrainer resumeFrom(TrainingState state, Map<String, TensorData> optimizer, Path source) {
        loop.resumeFrom(state, optimizer, source);
        return this;
    }

    public TrainingLoop.Result run(StopSignal stop) {
        return loop.run(stop);
    }

    /** Prompt of {@code prompt}, then as much of {@code other}'s completion as fits in {@code maxLen} tokens. */
    static TokenizedExample mismatched(TokenizedExample prompt, TokenizedExample other, int maxLen) {
        int start = prompt.responseStart();
        int keep = Math.min(other.tokens().length - other.responseStart(), maxLen - start);
        int[] tokens = Arrays.copyOf(prompt.tokens(), start + keep);
        System.arraycopy(other.tokens(), other.responseStart(), tokens, start, keep);
        return new TokenizedExample(tokens, start);
    }

    /** Summed response log-probs of each example under a model, as a (B) tensor. */
    private static Tensor sums(Llama model, List<TokenizedExample> examples, int pad) {
        return TokenLogProbs.sequenceSums(model, examples, pad);
    }

    /**
     * A set of examples with what stays fixed during training: their labels, their KL partners (each
     * example's prompt with another's completion), and the reference's log-probs of both.
     */
    private record Scored(List<TokenizedExample> examples, boolean[] desirable, List<TokenizedExample> mismatched,
                          float[] refSums, float[] refMismatchedSums) {
        static Scored of(Reference reference, List<LabelledExample> labelled, int pad, int maxLen) {
            var examples = new ArrayList<TokenizedExample>();
            var prompts = new ArrayList<int[]>();
            boolean[] desirable = new boolean[labelled.size()];
            for (int i = 0; i < labelled.size(); i++) {
                TokenizedExample e = labelled.get(i).example();
                if (e.tokens().length > maxLen) {
                    throw new CriaException("an example has " + e.tokens().length + " tokens, more than maxSeqLen " + maxLen);
                }
                examples.add(e);
                prompts.add(Arrays.copyOf(e.tokens(), e.responseStart()));
                desirable[i] = labelled.get(i).desirable();
            }
            var mismatched = new ArrayList<TokenizedExample>();
            if (examples.size() >= 2) {
                int[] partner = KtoLoss.mismatchedPartners(prompts);
                for (int i = 0; i < examples.size(); i++) mismatched.add(KtoTrainer.mismatched(examples.get(i), examples.get(partner[i]), maxLen));
            }
            return new Scored(examples, desirable, mismatched, referenceSums(reference, examples, pad), referenceSums(reference, mismatched, pad));
        }

        int size() {
            return examples.size();
        }

        private static float[] referenceSums(Reference reference, List<TokenizedExample> examples, int pad) {
            float[] out = new float[examples.size()];
            var progress = new ProgressBar("reference log-probs", 0, examples.size());
            for (int i = 0; i < examples.size(); i += 16) {
                var slice = examples.subList(i, Math.min(examples.size(), i + 16));
                System.arraycopy(reference.read(model -> sums(model, slice, pad).data), 0, out, i, slice.size());
                progress.update(i + slice.size(), "examples");
            }
            return out;
        }
    }

    /** A batch of examples as picked from a {@link Scored} set, rows in pick order. */
    private record Batch(List<TokenizedExample> examples, boolean[] desirable, List<TokenizedExample> mismatched,
                         float[] refSums, float[] refMismatchedSums, long tokens) {
        static Batch pick(Scored set, int[] rows) {
            var examples = new ArrayList<TokenizedExample>();
            var mismatched = new ArrayList<TokenizedExample>();
            boolean[] desirable = new boolean[rows.length];
            float[] ref = new float[rows.length], refMismatched = new float[rows.length];
            long tokens = 0;
            for (int i = 0; i < rows.length; i++) {
                int k = rows[i];
                examples.add(set.examples().get(k));
                mismatched.add(set.mismatched().get(k));
                desirable[i] = set.desirable()[k];
                ref[i] = set.refSums()[k];
                refMismatched[i] = set.refMismatchedSums()[k];
                tokens += set.examples().get(k).tokens().length + set.mismatched().get(k).tokens().length;
            }
            return new Batch(examples, desirable, mismatched, ref, refMismatched, tokens);
        }
    }

    private record KtoObjective(Llama policy, KtoConfig config, int pad, Scored train, Scored val) implements TrainingLoop.Objective {
        @Override
        public TrainingLoop.StepResult step(Rng rng) {
            int[] rows = new int[config.run().batchSize()];
            for (int i = 0; i < rows.length; i++) rows[i] = rng.nextInt(train.size());
            Batch batch = Batch.pick(train, rows);
            var out = lossAndMetrics(batch);
            float value = out.loss().item();
            out.loss().backward();
            return new TrainingLoop.StepResult(value, batch.tokens(), out.metrics());
        }

        @Override
        public Map<String, Double> evaluate() {
            if (val.size() == 0) return Map.of();
            var metrics = new LinkedHashMap<String, Double>();
            try (var off = Grad.off()) {
                int[] all = new int[val.size()];
                for (int i = 0; i < all.length; i++) all[i] = i;
                var out = lossAndMetrics(Batch.pick(val, all));
                metrics.put("eval/loss", (double) out.loss().item());
                out.metrics().forEach((k, v) -> metrics.put("eval/" + k, v));
            }
            return metrics;
        }

        private record LossAndMetrics(Tensor loss, Map<String, Double> metrics) {
        }

        /** 1. the KL reference point from the mismatched pairs, without gradients; 2. the policy's log-probs; 3. the loss. */
        private LossAndMetrics lossAndMetrics(Batch batch) {
            float[] policyMismatched;
            try (var off = Grad.off()) {
                policyMismatched = sums(policy, batch.mismatched(), pad).data;
            }
            double z0 = KtoLoss.referencePoint(policyMismatched, batch.refMismatchedSums());
            Tensor pol = sums(policy, batch.examples(), pad);
            Tensor ref = Tensor.of(batch.refSums(), batch.refSums().length);
            Tensor loss = KtoLoss.loss(pol, ref, batch.desirable(), z0, config.beta(), config.desirableWeight(), config.undesirableWeight());
            return new LossAndMetrics(loss, KtoMetrics.of(pol, ref, batch.desirable(), z0, config.beta()).metrics());
        }
    }
}
