package dev.cria.align;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cria.autograd.Tensor;
import dev.cria.model.Llama;
import dev.cria.model.LlamaConfig;
import dev.cria.tokenizer.ByteTokenizer;
import dev.cria.train.RunDirectory;
import dev.cria.train.RunSettings;
import dev.cria.train.StopSignal;
import dev.cria.util.CriaException;
import dev.cria.util.Rng;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** KTO end to end on a very small model: it learns the labels, moves every parameter, and refuses what cannot work. */
class KtoTrainerTest {
    private static final ByteTokenizer TOKENIZER = new ByteTokenizer();
    private static final LlamaConfig SHAPE = new LlamaConfig(32, 2, 4, 2, 48, TOKENIZER.vocabSize(), 64, 1e-5f, 10000f, true);

    @TempDir
    Path dir;

    /** Half good answers (" the cat"), half bad (" the dog"), to prompts about different things. */
    private static List<LabelledExample> examples(int n, long seed) {
        Rng rng = new Rng(seed);
        String[] things = {"sun", "ball", "hat", "tree", "car"};
        var out = new ArrayList<LabelledExample>();
        for (int i = 0; i < n; i++) {
            String prompt = "a story: " + things[rng.nextInt(5)];
            boolean good = i % 2 == 0;
            out.add(new LabelledExample(Examples.of(TOKENIZER, prompt, good ? " the cat" : " the dog"), good));
        }
        return out;
    }

    private static KtoConfig config(int steps) {
        return new KtoConfig(new RunSettings(8, steps, 5e-3, 2, 0.0, 1.0, 0, 0, 5), 0.1, 1.0, 1.0);
    }

    @Test
    void ktoRaisesTheGoodAnswersRewardAboveTheBadOnes() {
        Llama policy = Llama.initialize(SHAPE, new Rng(1));
        Llama reference = Llama.initialize(SHAPE, new Rng(1));
        var result = new KtoTrainer(policy, Reference.of(reference, policy), TOKENIZER, examples(32, 1), examples(16, 2), config(40), RunDirectory.at(dir))
                .run(StopSignal.manual());
        assertThat(result.metric("eval/rewards/margins")).isPositive();
        assertThat(result.metric("eval/rewards/chosen")).isPositive();
        assertThat(result.metric("eval/loss")).isLessThan(0.5);
        assertThat(result.metric("kl")).isGreaterThanOrEqualTo(0);
        assertThat(dir.resolve(KtoTrainer.PLOT)).exists();
    }

    @Test
    void everyTrainableParameterChangesAfterAFewSteps() {
        Llama policy = Llama.initialize(SHAPE, new Rng(1));
        Llama reference = Llama.initialize(SHAPE, new Rng(1));
        Map<String, float[]> before = new HashMap<>();
        policy.trainableParameters().forEach((name, t) -> before.put(name, t.data.clone()));
        new KtoTrainer(policy, Reference.of(reference, policy), TOKENIZER, examples(16, 1), List.of(), config(3), RunDirectory.at(dir))
                .run(StopSignal.manual());
        for (Map.Entry<String, Tensor> p : policy.trainableParameters().entrySet()) {
            assertThat(p.getValue().data).as(p.getKey()).isNotEqualTo(before.get(p.getKey()));
        }
    }

    @Test
    void theMismatchedPairIsOnePromptWithAnothersCompletionCutToFit() {
        var prompt = new TokenizedExample(new int[] {1, 2, 3, 9}, 3);
        var other = new TokenizedExample(new int[] {1, 5, 6, 7, 8}, 2);
        assertThat(KtoTrainer.mismatched(prompt, other, 64).tokens()).containsExactly(1, 2, 3, 6, 7, 8);
        assertThat(KtoTrainer.mismatched(prompt, other, 5).tokens()).containsExactly(1, 2, 3, 6, 7);
        assertThat(KtoTrainer.mismatched(prompt, other, 5).responseStart()).isEqualTo(3);
    }

    @Test
    void aBatchOfOneOrASingleExampleIsRefused() {
        assertThatThrownBy(() -> new KtoConfig(new RunSettings(1, 10, 1e-3, 0, 0, 1, 0, 0, 1), 0.1, 1, 1))
                .isInstanceOf(CriaException.class).hasMessageContaining("--batch must be at least 2");
        assertThatThrownBy(() -> new KtoConfig(new RunSettings(4, 10, 1e-3, 0, 0, 1, 0, 0, 1), 0.1, 0, 1))
                .isInstanceOf(CriaException.class).hasMessageContaining("--desirable-weight must be positive: 0.0");
        Llama policy = Llama.initialize(SHAPE, new Rng(1));
        assertThatThrownBy(() -> new KtoTrainer(policy, Reference.of(Llama.initialize(SHAPE, new Rng(1)), policy), TOKENIZER, examples(1, 1),
                List.of(), config(1), RunDirectory.at(dir))).isInstanceOf(CriaException.class).hasMessageContaining("at least 2 training examples");
    }
}
