package dev.cria.align;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cria.autograd.Tensor;
import dev.cria.model.Llama;
import dev.cria.model.LlamaConfig;
import dev.cria.tokenizer.ByteTokenizer;
import dev.cria.train.RunDirectory;
import dev.cria.train.RunSettings;
import dev.cria.train.StopSignal;
import dev.cria.util.Rng;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** ORPO and SimPO end to end on a very small model, with no reference: each learns the pairs and moves every parameter. */
class ReferenceFreeTrainerTest {
    private static final ByteTokenizer TOKENIZER = new ByteTokenizer();
    private static final LlamaConfig SHAPE = new LlamaConfig(32, 2, 4, 2, 48, TOKENIZER.vocabSize(), 64, 1e-5f, 10000f, true);

    @TempDir
    Path dir;

    private static List<PreferencePair> pairs(int n, long seed) {
        Rng rng = new Rng(seed);
        String[] things = {"sun", "ball", "hat", "tree", "car"};
        var out = new ArrayList<PreferencePair>();
        for (int i = 0; i < n; i++) {
            String prompt = "a story: " + things[rng.nextInt(5)];
            out.add(new PreferencePair(Examples.of(TOKENIZER, prompt, " the cat"), Examples.of(TOKENIZER, prompt, " the dog")));
        }
        return out;
    }

    private static ReferenceFreeLoss loss(String name) {
        return name.equals("orpo") ? new ReferenceFreeLoss.Orpo(0.1) : new ReferenceFreeLoss.Simpo(2.0, 1.0);
    }

    private static ReferenceFreeConfig config(String name, int steps) {
        return new ReferenceFreeConfig(new RunSettings(8, steps, 5e-3, 2, 0.0, 1.0, 0, 0, 5), loss(name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"orpo", "simpo"})
    void learnsToPreferTheChosenAnswer(String name) {
        Llama policy = Llama.initialize(SHAPE, new Rng(1));
        var result = new ReferenceFreeTrainer(policy, TOKENIZER, pairs(32, 1), pairs(16, 2), config(name, 40), RunDirectory.at(dir))
                .run(StopSignal.manual());
        assertThat(result.metric("eval/rewards/accuracies")).isGreaterThanOrEqualTo(0.9);
        assertThat(result.metric("eval/rewards/margins")).isPositive();
        assertThat(dir.resolve(ReferenceFreeTrainer.rewardPlot(loss(name)))).exists();
    }

    @ParameterizedTest
    @ValueSource(strings = {"orpo", "simpo"})
    void everyTrainableParameterChangesAfterAFewSteps(String name) {
        Llama policy = Llama.initialize(SHAPE, new Rng(1));
        Map<String, float[]> before = new HashMap<>();
        policy.trainableParameters().forEach((key, t) -> before.put(key, t.data.clone()));
        new ReferenceFreeTrainer(policy, TOKENIZER, pairs(16, 1), List.of(), config(name, 3), RunDirectory.at(dir)).run(StopSignal.manual());
        for (Map.Entry<String, Tensor> p : policy.trainableParameters().entrySet()) {
            assertThat(p.getValue().data).as(p.getKey()).isNotEqualTo(before.get(p.getKey()));
        }
    }
}
