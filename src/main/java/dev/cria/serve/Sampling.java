package dev.cria.serve;

import dev.cria.util.CriaException;

/**
 * How the server samples answers for labelling: a length limit, temperature and nucleus.
 *
 * @param maxNewTokens longest answer, in tokens
 * @param temperature  sampling temperature (pairs need randomness: two greedy answers are the same)
 * @param topP         nucleus mass, 1 = off
 * @param seed         seed of the generation jobs (each job adds its number); 0 draws one from the clock
 */
public record Sampling(int maxNewTokens, float temperature, float topP, long seed) {
    public Sampling {
        if (maxNewTokens <= 0) throw new CriaException("--max-new-tokens must be positive: " + maxNewTokens);
        if (!(temperature > 0)) throw new CriaException("--temperature must be positive for labelling pairs: " + temperature);
        if (!(topP > 0 && topP <= 1)) throw new CriaException("--top-p must be in (0, 1]: " + topP);
    }
}
