package dev.cria.align;

import dev.cria.train.RunSettings;

/**
 * Supervised fine-tuning on (prompt, response) pairs: how the run steps, and nothing SFT-specific yet.
 *
 * @param run batch, steps, learning rate, clipping, schedule of evaluations and checkpoints, seed
 */
public record SftConfig(RunSettings run) {
    /** The one place SFT's defaults live. */
    public static SftConfig defaults() {
        return new SftConfig(RunSettings.defaults());
    }
}
