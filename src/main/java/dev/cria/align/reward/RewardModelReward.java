package dev.cria.align.reward;

import dev.cria.align.RewardScores;
import dev.cria.align.SequenceBatch;
import dev.cria.align.TokenizedExample;
import dev.cria.chat.ChatFormat;
import dev.cria.model.Llama;
import dev.cria.tokenizer.Tokenizer;
import dev.cria.util.CriaException;
import java.util.ArrayList;
import java.util.List;

/**
 * A trained reward model's score of prompt + response + the end of the reply (eos, or the chat template's end
 * of turn), read at that final token as in training,
 * optionally normalised by the mean and standard deviation saved with the model.
 */
public final class RewardModelReward implements Reward {
    private final Llama model;
    private final int eos;
    private final int pad;
    private final double mean;
    private final double std;

    public RewardModelReward(Llama model, ChatFormat chat, Tokenizer policyTokenizer, RewardScores.Stats stats) {
        Tokenizer tokenizer = chat.tokenizer();
        if (!model.hasScoreHead()) throw new CriaException("the reward model has no score head; train it with ./cria reward");
        if (policyTokenizer.vocabSize() != tokenizer.vocabSize() || policyTokenizer.eosId() != tokenizer.eosId()) {
            throw new CriaException("the reward model's tokenizer (" + tokenizer.vocabSize() + " tokens, eos " + tokenizer.eosId()
                    + ") differs from the policy's (" + policyTokenizer.vocabSize() + " tokens, eos " + policyTokenizer.eosId() + ")");
        }
        if (!(stats.std() > 0)) throw new CriaException("reward normalisation std must be positive: " + stats.std());
        this.model = model;
        this.eos = chat.stopTokens()[0];
        this.pad = SequenceBatch.padId(tokenizer);
        this.mean = stats.mean();
        this.std = stats.std();
    }

    @Override
    public float[] score(List<Sample> samples) {
        var examples = new ArrayList<TokenizedExample>();
        for (Sample s : samples) {
            int[] tokens = new int[s.promptTokens().length + s.responseTokens().length + 1];
            System.arraycopy(s.promptTokens(), 0, tokens, 0, s.promptTokens().length);
            System.arraycopy(s.responseTokens(), 0, tokens, s.promptTokens().length, s.responseTokens().length);
            tokens[tokens.length - 1] = eos;
            examples.add(new TokenizedExample(tokens, s.promptTokens().length));
        }
        float[] raw = RewardScores.score(model, examples, pad, 16);
        for (int i = 0; i < raw.length; i++) raw[i] = (float) ((raw[i] - mean) / std);
        return raw;
    }

    @Override
    public String name() {
        return "reward-model";
    }
}
