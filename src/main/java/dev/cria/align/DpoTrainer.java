package dev.cria.align;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cria.autograd.Grad;
import dev.cria.autograd.Ops;
import dev.cria.autograd.Tensor;
import dev.cria.checkpoint.TrainingState;
import dev.cria.io.TensorData;
import dev.cria.model.Llama;
import dev.cria.tokenizer.Tokenizer;
import dev.cria.train.RunDirectory;
import dev.cria.train.AdamW;
import dev.cria.train.ProgressBar;
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
 * DPO: trains the policy directly on preference pairs, with no reward model, against a frozen
 * {@link Reference} (a copy of the starting policy, or the same model with its LoRA adapters switched off). The reference's
 * sequence log-probabilities are computed once, before training. Logs TRL's {@code rewards/*} metrics.
 */
public final class DpoTrainer {
    public static final String PLOT = "dpo_rewards.png";
    public static final String LOSS_PLOT = "dpo_loss.png";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TrainingLoop loop;

    public DpoTrainer(Llama policy, Reference reference, Tokenizer tokenizer, List<PreferencePair> train, List<PreferencePair> val,
                      DpoConfig config, RunDirectory run) {
        if (train.isEmpty()) throw new CriaException("no training pairs");
        int pad = SequenceBatch.padId(tokenizer);
        var objective = new PreferenceObjective(policy, config, pad, train, referenceSums(reference, train, pad),
                val, referenceSums(reference, val, pad));
        var settings = new TrainingLoop.Settings("dpo", config.run().steps(), config.run().schedule(), config.run().gradClip(), AdamW.BETA1, AdamW.BETA2,
                config.run().weightDecay(), config.run().evalEvery(), config.run().saveEvery(), List.of(
                new RunDirectory.Plot(LOSS_PLOT, "Cria DPO", config.loss().name() + " loss", List.of("train/loss", "eval/loss")),
                new RunDirectory.Plot(PLOT, "Cria DPO", "implicit reward", List.of("rewards/chosen", "rewards/rejected", "rewards/margins"))));
        var runConfig = JSON.createObjectNode();
        runConfig.put("beta", config.beta());
        runConfig.put("loss", config.loss().name());
        runConfig.put("steps", config.run().steps());
        runConfig.put("batch", config.run().batchSize());
        runConfig.put("lr", config.run().lr());
        loop = new TrainingLoop(policy, tokenizer, objective, settings, run, runConfig, new Rng(config.run().seed() ^ 0xD90L));
    }

    public DpoTrainer resumeFrom(TrainingState state, Map<String, TensorData> optimizer, Path source) {
        loop.resumeFrom(state, optimizer, source);
        return this;
    }

    public TrainingLoop.Result run(StopSignal stop) {
        return loop.run(stop);
    }

    /** Reference log-probs of every pair's chosen and rejected response: [chosen sums, rejected sums]. */
    private static float[][] referenceSums(Reference reference, List<PreferencePair> pairs, int pad) {
        float[][] sums = new float[2][pairs.size()];
        var progress = new ProgressBar("reference log-probs", 0, pairs.size());
        for (int i = 0; i < pairs.size(); i += 16) {
            var slice = pairs.subList(i, Math.min(pairs.size(), i + 16));
            float[][] s = reference.read(model -> sums(model, slice, pad));
            System.arraycopy(s[0], 0, sums[0], i, slice.size());
            System.arraycopy(s[1], 0, sums[1], i, slice.size());
            progress.update(i + slice.size(), "pairs");
        }
        return sums;
    }

    private static float[][] sums(Llama model, List<PreferencePair> pairs, int pad) {
        Tensor[] t = TokenLogProbs.pairSums(model, pairs, pad);
        return new float[][] {t[0].data, t[1].data};
    }

    /**
     * The chosen responses' negative log-likelihood per token over the batch: RPO's term, which keeps
     * the chosen answers likely while DPO pushes the pair apart (plain DPO can lower both, and with them
     * how often the policy ends an answer well).
     */
    static Tensor chosenNll(Tensor chosenSums, List<PreferencePair> pairs) {
        int[] lengths = new int[pairs.size()];
        for (int i = 0; i < lengths.length; i++) lengths[i] = pairs.get(i).chosen().tokens().length - pairs.get(i).chosen().responseStart();
        return ReferenceFreeLoss.chosenNll(chosenSums, lengths);
    }

    private record PreferenceObjective(Llama policy, DpoConfig config, int pad, List<PreferencePair> train, float[][] trainRef,
                                       List<PreferencePair> val, float[][] valRef) implements TrainingLoop.Objective {
        @Override
        public TrainingLoop.StepResult step(Rng rng) {
            int B = config.run().batchSize();
            var picked = new ArrayList<PreferencePair>();
            float[] refChosen = new float[B], refRejected = new float[B];
            long tokens = 0;
            for (int i = 0; i < B; i++) {
                int k = rng.nextInt(train.size());
                picked.add(train.get(k));
                refChosen[i] = trainRef[0][k];
                refRejected[i] = trainRef[1][k];
                tokens += train.get(k).chosen().tokens().length + train.get(k).rejected().tokens().length;
            }
            Tensor[] pol = TokenLogProbs.pairSums(policy, picked, pad);
            Tensor rc = Tensor.of(refChosen, B), rr = Tensor.of(refRejected, B);
            Tensor loss = config.loss().loss(pol[0], pol[1], rc, rr, config.beta());
            var metrics = new LinkedHashMap<>(DpoMetrics.of(pol[0], pol[1], rc, rr, config.beta()).metrics());
            if (config.rpoAlpha() > 0) {
                Tensor nll = chosenNll(pol[0], picked);
                metrics.put("nll_loss", (double) nll.item());
                loss = Ops.add(loss, Ops.scale(nll, (float) config.rpoAlpha()));
            }
            float value = loss.item();
            loss.backward();
            return new TrainingLoop.StepResult(value, tokens, metrics);
        }

        @Override
        public Map<String, Double> evaluate() {
            if (val.isEmpty()) return Map.of();
            var metrics = new LinkedHashMap<String, Double>();
            try (var off = Grad.off()) {
                Tensor[] pol = TokenLogProbs.pairSums(policy, val, pad);
                Tensor rc = Tensor.of(valRef[0], val.size()), rr = Tensor.of(valRef[1], val.size());
                metrics.put("eval/loss", (double) config.loss().loss(pol[0], pol[1], rc, rr, config.beta()).item());
                DpoMetrics.of(pol[0], pol[1], rc, rr, config.beta()).metrics().forEach((k, v) -> metrics.put("eval/" + k, v));
            }
            return metrics;
        }
    }
}
