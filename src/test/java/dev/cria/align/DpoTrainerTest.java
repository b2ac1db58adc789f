package dev.cria.align;

import dev.cria.train.RunSettings;
import dev.cria.train.RunDirectory;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cria.model.Llama;
import dev.cria.model.LlamaConfig;
import dev.cria.model.LoraConfig;
import dev.cria.tokenizer.ByteTokenizer;
import dev.cria.train.StopSignal;
import dev.cria.util.CriaException;
import dev.cria.util.Rng;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DpoTrainerTest {
    private static final ByteTokenizer TOKENIZER = new ByteTokenizer();
    private static final LlamaConfig SHAPE = new LlamaConfig(32, 2, 4, 2, 48, TOKENIZER.vocabSize(), 64, 1e-5f, 10000f, true);

    @TempDir
    Path dir;

    private static TokenizedExample example(String prompt, String response) {
        return Examples.of(TOKENIZER, prompt, response);
    }

    private static List<PreferencePair> pairs(int n, long seed) {
        Rng rng = new Rng(seed);
        String[] things = {"sun", "ball", "hat", "tree", "car"};
        var out = new ArrayList<PreferencePair>();
        for (int i = 0; i < n; i++) {
            String prompt = "a story: " + things[rng.nextInt(5)];
            out.add(new PreferencePair(example(prompt, " the cat"), example(prompt, " the dog")));
        }
        return out;
    }

    private static DpoConfig config(PreferenceLoss loss, int steps) {
        return new DpoConfig(new RunSettings(8, steps, 5e-3, 2, 0.0, 1.0, 0, 0, 5), 0.1, loss, 0);
    }

    @Test
    void dpoMakesTheChosenResponseMoreLikelyThanTheReferenceDoes() {
        Llama policy = Llama.initialize(SHAPE, new Rng(1));
        Llama reference = Llama.initialize(SHAPE, new Rng(1));
        var result = new DpoTrainer(policy, Reference.of(reference, policy), TOKENIZER, pairs(32, 1), pairs(16, 2), config(new PreferenceLoss.Sigmoid(0), 40), RunDirectory.at(dir))
                .run(StopSignal.manual());
        assertThat(result.metric("eval/rewards/accuracies")).isGreaterThanOrEqualTo(0.9);
        assertThat(result.metric("eval/rewards/margins")).isPositive();
        assertThat(result.metric("eval/loss")).isLessThan(Math.log(2));
        assertThat(dir.resolve(DpoTrainer.PLOT)).exists();
    }

    @Test
    void rpoTermIsTheChosenAnswersMeanTokenNll() {
        var twoTokens = new TokenizedExample(new int[] {1, 2, 3, 4}, 2);
        var threeTokens = new TokenizedExample(new int[] {1, 2, 3, 4}, 1);
        var pairs = List.of(new PreferencePair(twoTokens, threeTokens), new PreferencePair(threeTokens, twoTokens));
        var sums = dev.cria.autograd.Tensor.parameter(new float[] {-2f, -4f}, 2);
        var nll = DpoTrainer.chosenNll(sums, pairs);
        assertThat(nll.item()).isCloseTo(1.2f, org.assertj.core.data.Offset.offset(1e-6f));
        nll.backward();
        assertThat(sums.grad()).containsExactly(-0.2f, -0.2f);
    }

    @Test
    void rpoKeepsTheChosenAnswerMoreLikelyThanPlainDpo() {
        double[] chosenLogProb = new double[2];
        for (int run = 0; run < 2; run++) {
            Llama policy = Llama.initialize(SHAPE, new Rng(1));
            Llama reference = Llama.initialize(SHAPE, new Rng(1));
            var config = new DpoConfig(new RunSettings(8, 40, 5e-3, 2, 0.0, 1.0, 0, 0, 5), 0.1, new PreferenceLoss.Sigmoid(0), run == 0 ? 0 : 1.0);
            var result = new DpoTrainer(policy, Reference.of(reference, policy), TOKENIZER, pairs(32, 1), pairs(16, 2), config, RunDirectory.at(dir.resolve("run" + run)))
                    .run(StopSignal.manual());
            chosenLogProb[run] = result.metric("eval/logps/chosen");
        }
        assertThat(chosenLogProb[1]).isGreaterThan(chosenLogProb[0]);
    }

    @Test
    void negativeRpoAlphaIsRefused() {
        assertThatThrownBy(() -> new DpoConfig(new RunSettings(8, 10, 1e-3, 0, 0, 1, 0, 0, 1), 0.1, new PreferenceLoss.Sigmoid(0), -1))
                .isInstanceOf(CriaException.class).hasMessageContaining("--rpo-alpha");
    }

    @Test
    void loraPolicyUsesItsOwnBaseAsReference() {
        Llama policy = Llama.initialize(SHAPE, new Rng(1));
        policy.attachLora(new LoraConfig(4, 8, 0, LoraConfig.MODULES), new Rng(2));
        var result = new DpoTrainer(policy, Reference.baseOf(policy), TOKENIZER, pairs(32, 1), pairs(16, 2), config(new PreferenceLoss.Ipo(), 40), RunDirectory.at(dir))
                .run(StopSignal.manual());
        assertThat(result.metric("eval/rewards/accuracies")).isGreaterThanOrEqualTo(0.9);
    }

    @Test
    void aReferenceOfAnotherShapeIsRefused() {
        Llama policy = Llama.initialize(SHAPE, new Rng(1));
        Llama other = Llama.initialize(new LlamaConfig(16, 1, 2, 1, 24, TOKENIZER.vocabSize(), 64, 1e-5f, 10000f, true), new Rng(1));
        assertThatThrownBy(() -> new DpoTrainer(policy, Reference.of(other, policy), TOKENIZER, pairs(4, 1), List.of(), config(new PreferenceLoss.Hinge(), 1), RunDirectory.at(dir)))
                .isInstanceOf(CriaException.class).hasMessageContaining("shape");
    }
}
