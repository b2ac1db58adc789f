package dev.cria.align;

import dev.cria.tokenizer.Tokenizer;

/** Test examples: {@code <bos> prompt response <eos>} with the response starting after the prompt. */
final class Examples {
    private Examples() {
    }

    static TokenizedExample of(Tokenizer tokenizer, String prompt, String response) {
        int[] p = tokenizer.encode(prompt), r = tokenizer.encode(response);
        int[] tokens = new int[p.length + r.length + 2];
        tokens[0] = tokenizer.bosId();
        System.arraycopy(p, 0, tokens, 1, p.length);
        System.arraycopy(r, 0, tokens, 1 + p.length, r.length);
        tokens[tokens.length - 1] = tokenizer.eosId();
        return new TokenizedExample(tokens, 1 + p.length);
    }
}
