package dev.cria.cli;

import dev.cria.model.LlamaConfig;
import dev.cria.train.PretrainConfig;
import dev.cria.util.CriaException;
import picocli.CommandLine.Option;

/** Optimisation flags of a training run. */
final class TrainingOptions {
    @Option(names = "--steps", description = "Optimizer steps. Default: 1000 (with --resume: the run's own, or this to extend it).")
    Integer steps;

    @Option(names = "--batch", defaultValue = "16", description = "Sequences per micro-batch. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--seq-len", description = "Tokens per sequence. Default: 256, or the model's max if smaller.")
    Integer seqLen;

    @Option(names = "--grad-accum", defaultValue = "1", description = "Micro-batches per optimizer step. Default: ${DEFAULT-VALUE}.")
    int gradAccum;

    @Option(names = "--lr", defaultValue = "3e-3", description = "Peak learning rate. Default: ${DEFAULT-VALUE}.")
    double lr;

    @Option(names = "--min-lr", description = "Final learning rate of the cosine decay. Default: lr/10.")
    Double minLr;

    @Option(names = "--warmup", defaultValue = "50", description = "Linear warmup steps. Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--weight-decay", defaultValue = "0.1", description = "AdamW weight decay (not on norms or embeddings). Default: ${DEFAULT-VALUE}.")
    double weightDecay;

    @Option(names = "--beta1", defaultValue = "0.9", description = "AdamW beta1. Default: ${DEFAULT-VALUE}.")
    double beta1;

    @Option(names = "--beta2", defaultValue = "0.95", description = "AdamW beta2. Default: ${DEFAULT-VALUE}.")
    double beta2;

    @Option(names = "--grad-clip", defaultValue = "1.0", description = "Global gradient-norm clip, 0 = off. Default: ${DEFAULT-VALUE}.")
    double gradClip;

    @Option(names = "--eval-every", defaultValue = "100", description = "Steps between validation passes, 0 = only at the end. Default: ${DEFAULT-VALUE}.")
    int evalEvery;

    @Option(names = "--eval-batches", defaultValue = "20", description = "Validation batches per pass. Default: ${DEFAULT-VALUE}.")
    int evalBatches;

    @Option(names = "--save-every", defaultValue = "200", description = "Steps between checkpoints, 0 = only at the end. Default: ${DEFAULT-VALUE}.")
    int saveEvery;

    @Option(names = "--seed", defaultValue = "1337", description = "Seed of initialisation and batch sampling. Default: ${DEFAULT-VALUE}.")
    long seed;

    /** The run's config for a model of this shape; the record refuses a bad value, naming its flag. */
    PretrainConfig resolve(LlamaConfig model) {
        if (seqLen != null && seqLen > model.maxSeqLen()) {
            throw new CriaException("--seq-len must be at most the model's --max-seq-len " + model.maxSeqLen() + ": " + seqLen);
        }
        int T = seqLen != null ? seqLen : Math.min(256, model.maxSeqLen());
        return new PretrainConfig(batch, T, gradAccum, steps != null ? steps : 1000, lr, minLr != null ? minLr : lr / 10, warmup,
                weightDecay, beta1, beta2, gradClip, evalEvery, evalBatches, saveEvery, seed);
    }

    PretrainConfig withSteps(PretrainConfig c, int newSteps) {
        return new PretrainConfig(c.batchSize(), c.seqLen(), c.gradAccum(), newSteps, c.lr(), c.minLr(), c.warmupSteps(),
                c.weightDecay(), c.beta1(), c.beta2(), c.gradClip(), c.evalEvery(), c.evalBatches(), c.saveEvery(), c.seed());
    }
}
