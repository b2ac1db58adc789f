package dev.cria.cli;

import dev.cria.model.Llama;
import dev.cria.train.RunSettings;
import dev.cria.model.LlamaConfig;
import dev.cria.util.CriaException;
import picocli.CommandLine.Option;

/** Optimisation flags shared by the alignment commands. */
final class AlignOptions {
    /** The flags start from the fine-tuning trainers' own defaults, which the reward model and DPO share. */
    private static final RunSettings DEFAULTS = RunSettings.defaults();

    @Option(names = "--steps", description = "Optimizer steps. Default: ${DEFAULT-VALUE}.")
    int steps = DEFAULTS.steps();

    @Option(names = "--batch", description = "Examples (or pairs) per step. Default: ${DEFAULT-VALUE}.")
    int batch = DEFAULTS.batchSize();

    @Option(names = "--lr", description = "Peak learning rate. Default: ${DEFAULT-VALUE}.")
    double lr = DEFAULTS.lr();

    @Option(names = "--warmup", description = "Warmup steps. Default: ${DEFAULT-VALUE}.")
    int warmup = DEFAULTS.warmupSteps();

    @Option(names = "--weight-decay", description = "AdamW weight decay. Default: ${DEFAULT-VALUE}.")
    double weightDecay = DEFAULTS.weightDecay();

    @Option(names = "--grad-clip", description = "Global gradient-norm clip, 0 = off. Default: ${DEFAULT-VALUE}.")
    double gradClip = DEFAULTS.gradClip();

    @Option(names = "--eval-every", description = "Steps between held-out evaluations. Default: ${DEFAULT-VALUE}.")
    int evalEvery = DEFAULTS.evalEvery();

    @Option(names = "--save-every", description = "Steps between checkpoints. Default: ${DEFAULT-VALUE}.")
    int saveEvery = DEFAULTS.saveEvery();

    @Option(names = "--seed", description = "Seed. Default: ${DEFAULT-VALUE}.")
    long seed = DEFAULTS.seed();

    @Option(names = "--max-len", defaultValue = "0",
            description = "Longest prompt + response in tokens; longer responses lose their end, eos included. Default: the model's context.")
    int maxLen;

    @Option(names = "--val-fraction", defaultValue = "0.1", description = "Share of the data held out for evaluation. Default: ${DEFAULT-VALUE}.")
    double valFraction;

    @Option(names = "--gradient-checkpointing",
            description = "Recompute each block's activations in the backward pass instead of keeping them: less memory for long sequences, about a third more time.")
    boolean gradientCheckpointing;

    /** Sets what these flags say about how the model trains (activation checkpointing). */
    void applyTo(Llama model) {
        model.checkpointActivations(gradientCheckpointing);
    }

    /** How the run steps, as the flags say. */
    RunSettings run() {
        return new RunSettings(batch, steps, lr, warmup, weightDecay, gradClip, evalEvery, saveEvery, seed);
    }

    /** The flags no trainer config checks; called before the model or the data is loaded. */
    void check() {
        if (maxLen < 0) throw new CriaException("--max-len must be positive, or 0 for the model's context: " + maxLen);
        Flags.nonNegative("--eval-every", evalEvery);
        Flags.nonNegative("--save-every", saveEvery);
        Flags.heldOutShare("--val-fraction", valFraction);
    }

    /**
     * {@code --max-len}, or the model's whole context when it is 0. subtle: a response cut short loses its
     * eos, and the reward model reads its score at the final eos; a default below the length of typical
     * answers hid every flaw at the end of a story from it.
     */
    int maxLen(LlamaConfig model) {
        if (maxLen < 0) throw new CriaException("--max-len must be positive, or 0 for the model's context: " + maxLen);
        if (maxLen > model.maxSeqLen()) throw new CriaException("--max-len " + maxLen + " exceeds the model's context of " + model.maxSeqLen() + " tokens");
        return maxLen == 0 ? model.maxSeqLen() : maxLen;
    }
}
