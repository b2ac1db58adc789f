package dev.cria.align.judge;

import dev.cria.chat.ChatFormat;
import dev.cria.model.Decoder;
import dev.cria.model.KvCache;
import dev.cria.model.Llama;
import dev.cria.tokenizer.Tokenizer;
import dev.cria.util.CriaException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An AI judge (RLAIF, Bai et al. 2022; Lee et al. 2023): a chat model is shown the request and both
 * answers ({@link JudgePrompt}) in its own chat format, and its verdict is read from the logits of its
 * reply's first token, P(A) = softmax(logit "A", logit "B")[0]. Asked in both orders
 * ({@link BothOrders}), since small models favour a position.
 *
 * <p>Answers too long for the judge's context are cut at the end, both by the same share of their
 * tokens. What it is not: a generator; it reads one row of logits per question, from one prefill.
 */
public final class ModelJudge implements PairJudge {
    /** Questions prefilled together. */
    private static final int BATCH = 8;

    private final Llama model;
    private final ChatFormat chat;
    private final String name;
    private final int tokenA;
    private final int tokenB;

    public ModelJudge(Llama model, ChatFormat chat, String name) {
        this.model = model;
        this.chat = chat;
        this.name = name;
        Tokenizer tokenizer = chat.tokenizer();
        this.tokenA = firstToken(tokenizer, JudgePrompt.A);
        this.tokenB = firstToken(tokenizer, JudgePrompt.B);
        if (tokenA == tokenB) throw new CriaException(name + ": the judge's tokenizer gives \"A\" and \"B\" the same first token " + tokenA);
    }

    private static int firstToken(Tokenizer tokenizer, String letter) {
        int[] ids = tokenizer.encode(letter);
        if (ids.length == 0) throw new CriaException("the judge's tokenizer encodes \"" + letter + "\" as no tokens");
        return ids[0];
    }

    @Override
    public double[] probabilityAWins(List<String> prompts, List<String> a, List<String> b) {
        return BothOrders.probabilityAWins(this::firstWins, prompts, a, b);
    }

    /** P(first is better) for each question, in batches of {@link #BATCH}. */
    double[] firstWins(List<String> prompts, List<String> first, List<String> second) {
        var questions = new ArrayList<int[]>();
        for (int i = 0; i < prompts.size(); i++) questions.add(question(prompts.get(i), first.get(i), second.get(i)));
        double[] out = new double[questions.size()];
        for (int i = 0; i < questions.size(); i += BATCH) {
            var slice = questions.subList(i, Math.min(questions.size(), i + BATCH));
            float[][] letters = letterLogits(slice);
            for (int j = 0; j < slice.size(); j++) out[i + j] = JudgePrompt.probabilityA(letters[j][0], letters[j][1]);
        }
        return out;
    }

    /** The question's tokens, with both answers cut by the same share until it fits the context (one token left for the verdict). */
    int[] question(String prompt, String first, String second) {
        int limit = model.config().maxSeqLen() - 1;
        int[] tokens = chat.promptTokens(JudgePrompt.of(prompt, first, second));
        if (tokens.length <= limit) return tokens;
        Tokenizer tokenizer = chat.tokenizer();
        int[] firstIds = tokenizer.encode(first), secondIds = tokenizer.encode(second);
        for (double keep = 0.9; keep > 0.01; keep *= 0.9) {
            String f = tokenizer.decode(Arrays.copyOf(firstIds, (int) (firstIds.length * keep))) + " ...";
            String s = tokenizer.decode(Arrays.copyOf(secondIds, (int) (secondIds.length * keep))) + " ...";
            tokens = chat.promptTokens(JudgePrompt.of(prompt, f, s));
            if (tokens.length <= limit) return tokens;
        }
        throw new CriaException(name + ": the request alone does not fit the judge's context of " + model.config().maxSeqLen() + " tokens");
    }

    /** Logits of "A" and "B" after each question: [question][0 = A, 1 = B]. */
    private float[][] letterLogits(List<int[]> questions) {
        int B = questions.size(), total = 0, longest = 0;
        for (int[] q : questions) {
            total += q.length;
            longest = Math.max(longest, q.length);
        }
        int[] tokens = new int[total], slots = new int[total], lastRows = new int[B];
        int row = 0;
        for (int b = 0; b < B; b++) {
            for (int t : questions.get(b)) {
                tokens[row] = t;
                slots[row++] = b;
            }
            lastRows[b] = row - 1;
        }
        int V = model.config().vocab();
        float[] logits = new Decoder(model).forward(tokens, slots, new KvCache(model.config(), B, longest), lastRows);
        float[][] out = new float[B][];
        for (int b = 0; b < B; b++) out[b] = new float[] {logits[b * V + tokenA], logits[b * V + tokenB]};
        return out;
    }

    @Override
    public String name() {
        return name;
    }
}
