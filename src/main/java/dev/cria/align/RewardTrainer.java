package dev.cria.align;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cria.autograd.Grad;
import dev.cria.autograd.Tensor;
import dev.cria.checkpoint.ModelDirectory;
import dev.cria.checkpoint.TrainingState;
import dev.cria.io.TensorData;
import dev.cria.model.Llama;
import dev.cria.tokenizer.Tokenizer;
import dev.cria.train.RunDirectory;
import dev.cria.train.AdamW;
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
 * Trains a reward model: the Llama trunk with a scalar head, scored at the final eos of prompt + response
 * (the same position in training, evaluation and PPO), on the Bradley–Terry loss
 * {@code −logσ(r_chosen − r_rejected − margin) + coef·mean((r_c + r_r)²)} (Ouyang et al. 2022).
 * Reports accuracy and mean margin on held-out pairs, and saves the mean and standard deviation of its
 * scores ({@link RewardScores}) so later stages can normalise rewards. On a model with LoRA adapters
 * only the adapters and the head train ({@link Llama#trainableParameters()}), as TRL's reward trainer with PEFT.
 */
public final class RewardTrainer {
    public static final String PLOT = "reward_accuracy.png";
    public static final String LOSS_PLOT = "reward_loss.png";
    private static final ObjectMapper JSON = new ObjectMapper();


    private final Llama model;
    private final List<PreferencePair> train;
    private final RunDirectory run;
    private final int pad;
    private final TrainingLoop loop;

    public RewardTrainer(Llama model, Tokenizer tokenizer, List<PreferencePair> train, List<PreferencePair> val, RewardConfig config,
                         RunDirectory run) {
        if (train.isEmpty()) throw new CriaException("no training pairs");
        if (!model.hasScoreHead()) model.addScoreHead(new Rng(config.run().seed()), (float) (1 / Math.sqrt(model.config().dim() + 1)));
        this.model = model;
        this.train = train;
        this.run = run;
        this.pad = SequenceBatch.padId(tokenizer);
        var settings = new TrainingLoop.Settings("reward", config.run().steps(), config.run().schedule(), config.run().gradClip(), AdamW.BETA1, AdamW.BETA2,
                config.run().weightDecay(), config.run().evalEvery(), config.run().saveEvery(), List.of(
                new RunDirectory.Plot(LOSS_PLOT, "Cria reward model", "Bradley–Terry loss", List.of("train/loss", "eval/loss")),
                new RunDirectory.Plot(PLOT, "Cria reward model", "pairwise accuracy", List.of("train/accuracy", "eval/accuracy"))));
        var runConfig = JSON.createObjectNode();
        runConfig.set("reward", JSON.valueToTree(config));
        loop = new TrainingLoop(model, tokenizer, new PairwiseLoss(model, train, val, config, pad), settings, run, runConfig,
                new Rng(config.run().seed() ^ 0xBEEFL));
    }

    public RewardTrainer resumeFrom(TrainingState state, Map<String, TensorData> optimizer, Path source) {
        loop.resumeFrom(state, optimizer, source);
        return this;
    }

    /** Trains, then writes the score statistics beside the checkpoint. */
    public TrainingLoop.Result run(StopSignal stop) {
        TrainingLoop.Result result = loop.run(stop);
        RewardScores.write(run.path().resolve(ModelDirectory.RUN_CHECKPOINT), scoreStats(model, train.subList(0, Math.min(train.size(), 256)), pad));
        return result;
    }

    static RewardScores.Stats scoreStats(Llama model, List<PreferencePair> pairs, int pad) {
        var all = new ArrayList<TokenizedExample>();
        for (PreferencePair p : pairs) {
            all.add(p.chosen());
            all.add(p.rejected());
        }
        return RewardScores.Stats.of(RewardScores.score(model, all, pad, 16));
    }

    private record PairwiseLoss(Llama model, List<PreferencePair> train, List<PreferencePair> val, RewardConfig config, int pad)
            implements TrainingLoop.Objective {
        @Override
        public TrainingLoop.StepResult step(Rng rng) {
            var chosen = new ArrayList<TokenizedExample>();
            var rejected = new ArrayList<TokenizedExample>();
            for (int i = 0; i < config.run().batchSize(); i++) {
                PreferencePair p = train.get(rng.nextInt(train.size()));
                chosen.add(p.chosen());
                rejected.add(p.rejected());
            }
            SequenceBatch c = SequenceBatch.ofExamples(chosen, pad), r = SequenceBatch.ofExamples(rejected, pad);
            Tensor rc = model.scores(c.tokens, c.B, c.T, c.lastIndex());
            Tensor rr = model.scores(r.tokens, r.B, r.T, r.lastIndex());
            Tensor loss = BradleyTerry.loss(rc, rr, config.margin(), config.centeringCoef());
            var metrics = new LinkedHashMap<String, Double>();
            metrics.put("train/accuracy", BradleyTerry.accuracy(rc, rr));
            metrics.put("train/margin", BradleyTerry.meanMargin(rc, rr));
            float value = loss.item();
            loss.backward();
            return new TrainingLoop.StepResult(value, c.tokenCount() + r.tokenCount(), metrics);
        }

        @Override
        public Map<String, Double> evaluate() {
            if (val.isEmpty()) return Map.of();
            var chosen = new ArrayList<TokenizedExample>();
            var rejected = new ArrayList<TokenizedExample>();
            for (PreferencePair p : val) {
                chosen.add(p.chosen());
                rejected.add(p.rejected());
            }
            float[] rc = RewardScores.score(model, chosen, pad, config.run().batchSize()), rr = RewardScores.score(model, rejected, pad, config.run().batchSize());
            Tensor c = Tensor.of(rc, rc.length), r = Tensor.of(rr, rr.length);
            var metrics = new LinkedHashMap<String, Double>();
            try (var off = Grad.off()) {
                metrics.put("eval/loss", (double) BradleyTerry.loss(c, r, config.margin(), config.centeringCoef()).item());
            }
            metrics.put("eval/accuracy", BradleyTerry.accuracy(c, r));
            metrics.put("eval/margin", BradleyTerry.meanMargin(c, r));
            return metrics;
        }
    }
}
