package dev.cria.cli;

import dev.cria.model.LlamaConfig;
import dev.cria.train.PretrainConfig;
import dev.cria.util.CriaException;
import picocli.CommandLine.Option;

/** Optimisation flags of a training run. */
final class TrainingOptions {
    /** The flags start from pretraining's own defaults. */
    private static final PretrainConfig DEFAULTS = PretrainConfig.defaults();

    @Option(names = "--steps", description = "Optimizer steps. Default: 1000 (with --resume: the run's own, or this to extend it).")
    Integer steps;

    @Option(names = "--batch", description = "Sequences per micro-batch. Default: ${DEFAULT-VALUE}.")
    int batch = DEFAULTS.batchSize();

    @Option(names = "--seq-len", description = "Tokens per sequence. Default: 256, or the model's max if smaller.")
    Integer seqLen;

    @Option(names = "--grad-accum", description = "Micro-batches per optimizer step. Default: ${DEFAULT-VALUE}.")
    int gradAccum = DEFAULTS.gradAccum();

    @Option(names = "--lr", description = "Peak learning rate. Default: ${DEFAULT-VALUE}.")
    double lr = DEFAULTS.lr();

    @Option(names = "--min-lr", description = "Final learning rate of the cosine decay. Default: lr/10.")
    Double minLr;

    @Option(names = "--warmup", description = "Linear warmup steps. Default: ${DEFAULT-VALUE}.")
    int warmup = DEFAULTS.warmupSteps();

    @Option(names = "--weight-decay", description = "AdamW weight decay (not on norms or embeddings). Default: ${DEFAULT-VALUE}.")
    double weightDecay = DEFAULTS.weightDecay();

    @Option(names = "--beta1", description = "AdamW beta1. Default: ${DEFAULT-VALUE}.")
    double beta1 = DEFAULTS.beta1();

    @Option(names = "--beta2", description = "AdamW beta2. Default: ${DEFAULT-VALUE}.")
    double beta2 = DEFAULTS.beta2();

    @Option(names = "--grad-clip", description = "Global gradient-norm clip, 0 = off. Default: ${DEFAULT-VALUE}.")
    double gradClip = DEFAULTS.gradClip();

    @Option(names = "--eval-every", description = "Steps between validation passes, 0 = only at the end. Default: ${DEFAULT-VALUE}.")
    int evalEvery = DEFAULTS.evalEvery();

    @Option(names = "--eval-batches", description = "Validation batches per pass. Default: ${DEFAULT-VALUE}.")
    int evalBatches = DEFAULTS.evalBatches();

    @Option(names = "--save-every", description = "Steps between checkpoints, 0 = only at the end. Default: ${DEFAULT-VALUE}.")
    int saveEvery = DEFAULTS.saveEvery();

    @Option(names = "--seed", description = "Seed of initialisation and batch sampling. Default: ${DEFAULT-VALUE}.")
    long seed = DEFAULTS.seed();

    /** The run's config for a model of this shape; the record refuses a bad value, naming its flag. */
    PretrainConfig resolve(LlamaConfig model) {
        if (seqLen != null && seqLen > model.maxSeqLen()) {
            throw new CriaException("--seq-len must be at most the model's --max-seq-len " + model.maxSeqLen() + ": " + seqLen);
        }
        int T = seqLen != null ? seqLen : Math.min(DEFAULTS.seqLen(), model.maxSeqLen());
        return new PretrainConfig(batch, T, gradAccum, steps != null ? steps : DEFAULTS.steps(), lr, minLr != null ? minLr : lr / 10, warmup,
                weightDecay, beta1, beta2, gradClip, evalEvery, evalBatches, saveEvery, seed);
    }

    PretrainConfig withSteps(PretrainConfig c, int newSteps) {
        return new PretrainConfig(c.batchSize(), c.seqLen(), c.gradAccum(), newSteps, c.lr(), c.minLr(), c.warmupSteps(),
                c.weightDecay(), c.beta1(), c.beta2(), c.gradClip(), c.evalEvery(), c.evalBatches(), c.saveEvery(), c.seed());
    }
}
