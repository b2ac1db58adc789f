package dev.cria.align.judge;

import dev.cria.align.reward.Reward;
import dev.cria.align.reward.RewardModelReward;
import dev.cria.chat.ChatFormat;
import dev.cria.model.Llama;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A trained reward model as a judge: each answer gets a score, and A beats B with the Bradley–Terry
 * probability σ(r_A − r_B) the model was trained to fit. Answers are framed in the reward model's own
 * chat format and cut to fit its context.
 */
public final class RewardModelJudge implements ScoringJudge {
    private final RewardModelReward reward;
    private final ChatFormat chat;
    private final int context;
    private final String name;

    /** @param reward scores in the reward model's own tokens (its tokenizer given as the policy's) */
    public RewardModelJudge(Llama model, RewardModelReward reward, ChatFormat chat, String name) {
        this.reward = reward;
        this.chat = chat;
        this.context = model.config().maxSeqLen();
        this.name = name;
    }

    @Override
    public double[] probabilityAWins(List<String> prompts, List<String> a, List<String> b) {
        PairJudge.checkSizes(prompts, a, b);
        double[] ra = scores(prompts, a), rb = scores(prompts, b);
        double[] out = new double[ra.length];
        for (int i = 0; i < out.length; i++) out[i] = 1 / (1 + Math.exp(rb[i] - ra[i]));
        return out;
    }

    @Override
    public double[] scores(List<String> prompts, List<String> answers) {
        var samples = new ArrayList<Reward.Sample>();
        for (int i = 0; i < answers.size(); i++) {
            int[] prompt = chat.promptTokens(prompts.get(i));
            int[] response = chat.tokenizer().encode(answers.get(i));
            // room for the end-of-reply token the score is read at
            int room = Math.max(0, context - prompt.length - 1);
            samples.add(new Reward.Sample(prompts.get(i), answers.get(i), prompt, Arrays.copyOf(response, Math.min(room, response.length)), true));
        }
        float[] s = reward.score(samples);
        double[] out = new double[s.length];
        for (int i = 0; i < out.length; i++) out[i] = s[i];
        return out;
    }

    @Override
    public String name() {
        return name;
    }
}
