package dev.cria.align;

/** One preference as tokens: prompt + chosen response and prompt + rejected response, each ending in eos. */
public record PreferencePair(TokenizedExample chosen, TokenizedExample rejected) {
}
