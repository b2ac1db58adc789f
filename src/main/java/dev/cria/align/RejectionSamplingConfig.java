package dev.cria.align;

import dev.cria.train.RunSettings;
import dev.cria.util.CriaException;

/**
 * Rejection-sampling fine-tuning (Llama 2's rejection sampling, Touvron et al. 2023 §3.2.3; RAFT, Dong
 * et al. 2023): rounds of best-of-n sampling, then SFT on the kept answers.
 *
 * @param run          each round's SFT: batch, steps, learning rate, clipping, checkpoints, seed
 * @param samples      answers per prompt, the n of best-of-n (at least 2)
 * @param rounds       rounds of sampling and fine-tuning
 * @param maxNewTokens answer length limit while sampling
 * @param temperature  sampling temperature, above 0
 */
public record RejectionSamplingConfig(RunSettings run, int samples, int rounds, int maxNewTokens, float temperature) {
    public RejectionSamplingConfig {
        if (samples < 2) throw new CriaException("--samples must be at least 2: " + samples);
        if (rounds <= 0) throw new CriaException("--rounds must be positive: " + rounds);
        if (maxNewTokens <= 0) throw new CriaException("--max-new-tokens must be positive: " + maxNewTokens);
        if (!(temperature > 0) || Float.isInfinite(temperature)) {
            throw new CriaException("--temperature must be above 0, or every answer is the same: " + temperature);
        }
    }
}
