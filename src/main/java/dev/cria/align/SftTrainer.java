package dev.cria.align;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cria.autograd.Grad;
import dev.cria.autograd.Tensor;
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
import java.util.List;
import java.util.Map;

/**
 * Supervised fine-tuning: next-token cross-entropy on the response tokens only (the prompt is context,
 * not a target), with the final eos trained so the model learns to stop. Works on all weights, or on
 * LoRA adapters when the model has them (the base then stays frozen).
 */
public final class SftTrainer {
    public static final String LOSS_PLOT = "sft_loss.png";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TrainingLoop loop;

    public SftTrainer(Llama model, Tokenizer tokenizer, List<TokenizedExample> train, List<TokenizedExample> val, SftConfig config,
                      RunDirectory run) {
        if (train.isEmpty()) throw new CriaException("no training examples");
        for (TokenizedExample e : train) {
            if (e.tokens().length > model.config().maxSeqLen()) {
                throw new CriaException("an example has " + e.tokens().length + " tokens, more than maxSeqLen " + model.config().maxSeqLen());
            }
        }
        if (tokenizer.padId() >= 0 && tokenizer.padId() == tokenizer.eosId()) throw new CriaException("the tokenizer's pad id equals its eos id; SFT needs them distinct");
        var settings = new TrainingLoop.Settings("sft", config.run().steps(), config.run().schedule(), config.run().gradClip(), AdamW.BETA1, AdamW.BETA2,
                config.run().weightDecay(), config.run().evalEvery(), config.run().saveEvery(),
                List.of(new RunDirectory.Plot(LOSS_PLOT, "Cria supervised fine-tuning", "loss on response tokens", List.of("train/loss", "val/loss"))));
        var runConfig = JSON.createObjectNode();
        runConfig.set("sft", JSON.valueToTree(config));
        if (model.loraConfig() != null) runConfig.set("lora", JSON.valueToTree(model.loraConfig()));
        loop = new TrainingLoop(model, tokenizer, new ResponseLoss(model, train, val, config.run().batchSize(), SequenceBatch.padId(tokenizer)),
                settings, run, runConfig, new Rng(config.run().seed() ^ 0x5F7L));
    }

    /** Continues from a checkpoint's state. */
    public SftTrainer resumeFrom(TrainingState state, Map<String, TensorData> optimizer, Path source) {
        loop.resumeFrom(state, optimizer, source);
        return this;
    }

    public TrainingLoop.Result run(StopSignal stop) {
        return loop.run(stop);
    }

    public TrainingLoop.Result runUntil(long step, StopSignal stop) {
        return loop.runUntil(step, stop);
    }

    /** Mean cross-entropy over response tokens of a random batch of examples. */
    private record ResponseLoss(Llama model, List<TokenizedExample> train, List<TokenizedExample> val, int batchSize, int pad)
            implements TrainingLoop.Objective {
        @Override
        public TrainingLoop.StepResult step(Rng rng) {
            var picked = new ArrayList<TokenizedExample>();
            for (int i = 0; i < batchSize; i++) picked.add(train.get(rng.nextInt(train.size())));
            SequenceBatch batch = SequenceBatch.ofExamples(picked, pad);
            Tensor loss = model.loss(batch.tokens, batch.responseTargets(), batch.B, batch.T);
            float value = loss.item();
            loss.backward();
            return new TrainingLoop.StepResult(value, batch.tokenCount());
        }

        @Override
        public Map<String, Double> evaluate() {
            if (val.isEmpty()) return Map.of();
            double sum = 0;
            long count = 0;
            try (var off = Grad.off()) {
                for (int i = 0; i < val.size(); i += batchSize) {
                    SequenceBatch batch = SequenceBatch.ofExamples(val.subList(i, Math.min(val.size(), i + batchSize)), pad);
                    int[] targets = batch.responseTargets();
                    int counted = 0;
                    for (int t : targets) if (t != dev.cria.autograd.Nn.IGNORE_INDEX) counted++;
                    sum += (double) model.loss(batch.tokens, targets, batch.B, batch.T).item() * counted;
                    count += counted;
                }
            }
            return Map.of("val/loss", sum / Math.max(1, count));
        }
    }
}
