package dev.cria.align;

import dev.cria.train.RunSettings;
import dev.cria.train.RunDirectory;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cria.autograd.Grad;
import dev.cria.autograd.Tensor;
import dev.cria.checkpoint.ModelDirectory;
import dev.cria.model.HfNames;
import dev.cria.model.Llama;
import dev.cria.model.LlamaConfig;
import dev.cria.model.LoraConfig;
import dev.cria.tokenizer.ByteTokenizer;
import dev.cria.train.StopSignal;
import dev.cria.util.Rng;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RewardTrainerTest {
    private static final ByteTokenizer TOKENIZER = new ByteTokenizer();
    private static final LlamaConfig SHAPE = new LlamaConfig(32, 2, 4, 2, 48, TOKENIZER.vocabSize(), 64, 1e-5f, 10000f, true);

    @TempDir
    Path dir;

    private static TokenizedExample example(String prompt, String response) {
        return Examples.of(TOKENIZER, prompt, response);
    }

    /** People here prefer answers that mention a cat to answers that mention a dog. */
    private static List<PreferencePair> pairs(int n, long seed) {
        Rng rng = new Rng(seed);
        String[] fillers = {"the sun", "a ball", "my hat", "big tree", "red car"};
        var out = new ArrayList<PreferencePair>();
        for (int i = 0; i < n; i++) {
            String prompt = "tell me about " + fillers[rng.nextInt(5)];
            String rest = " and " + fillers[rng.nextInt(5)];
            out.add(new PreferencePair(example(prompt, "a cat" + rest), example(prompt, "a dog" + rest)));
        }
        return out;
    }

    @Test
    void learnsThePreferenceAndSavesItsScoreStatistics() throws Exception {
        Llama model = Llama.initialize(SHAPE, new Rng(1));
        var before = new HashMap<String, float[]>();
        var config = new RewardConfig(new RunSettings(8, 60, 3e-3, 5, 0.0, 1.0, 0, 0, 4), 0.0, 0.01);
        var trainer = new RewardTrainer(model, TOKENIZER, pairs(64, 1), pairs(32, 2), config, RunDirectory.at(dir));
        model.parameters().forEach((n, t) -> before.put(n, t.data.clone()));
        var result = trainer.run(StopSignal.manual());
        assertThat(result.metric("eval/accuracy")).isGreaterThanOrEqualTo(0.9);
        assertThat(result.metric("eval/margin")).isPositive();
        model.parameters().forEach((n, t) -> assertThat(t.data).as(n).isNotEqualTo(before.get(n)));
        var stats = new ObjectMapper().readTree(dir.resolve("model").resolve(RewardScores.FILE).toFile());
        assertThat(stats.get("std").asDouble()).isPositive();
        Llama loaded = ModelDirectory.load(dir).model();
        assertThat(loaded.hasScoreHead()).isTrue();
        var probe = List.of(pairs(1, 9).get(0).chosen(), pairs(1, 9).get(0).rejected());
        assertThat(RewardScores.score(loaded, probe, TOKENIZER.padId(), 2)).containsExactly(RewardScores.score(model, probe, TOKENIZER.padId(), 2));
        assertThat(dir.resolve(RewardTrainer.PLOT)).exists();
    }

    @Test
    void withLoraOnlyTheAdaptersAndTheScoreHeadTrainAndTheHeldOutPairsComeRight() {
        Llama model = Llama.initialize(SHAPE, new Rng(1));
        model.attachLora(new LoraConfig(4, 8, 0.05, LoraConfig.MODULES), new Rng(2));
        var config = new RewardConfig(new RunSettings(8, 60, 1e-2, 5, 0.0, 1.0, 0, 0, 4), 0.0, 0.01);
        List<PreferencePair> val = pairs(32, 2);
        var trainer = new RewardTrainer(model, TOKENIZER, pairs(64, 1), val, config, RunDirectory.at(dir));
        var before = new HashMap<String, float[]>();
        model.parameters().forEach((n, t) -> before.put(n, t.data.clone()));
        model.adapterParameters().forEach((n, t) -> before.put(n, t.data.clone()));
        assertThat(model.trainableParameters().keySet()).contains(HfNames.SCORE).containsAll(model.adapterParameters().keySet())
                .hasSize(model.adapterParameters().size() + 1);
        assertThat(model.trainableParameters().get(HfNames.SCORE).requiresGrad()).isTrue();
        double lossBefore = heldOutLoss(model, val, config);

        var result = trainer.run(StopSignal.manual());

        model.parameters().forEach((n, t) -> {
            if (n.equals(HfNames.SCORE)) assertThat(t.data).as(n).isNotEqualTo(before.get(n));
            else assertThat(t.data).as("base weight %s", n).containsExactly(before.get(n));
        });
        model.adapterParameters().forEach((n, t) -> {
            if (n.contains("lora_B")) assertThat(t.data).as(n).isNotEqualTo(before.get(n));
        });
        assertThat(result.metric("eval/accuracy")).isGreaterThanOrEqualTo(0.9);
        assertThat(result.metric("eval/loss")).isLessThan(lossBefore);
    }

    private static double heldOutLoss(Llama model, List<PreferencePair> val, RewardConfig config) {
        var chosen = new ArrayList<TokenizedExample>();
        var rejected = new ArrayList<TokenizedExample>();
        for (PreferencePair p : val) {
            chosen.add(p.chosen());
            rejected.add(p.rejected());
        }
        float[] rc = RewardScores.score(model, chosen, TOKENIZER.padId(), 8), rr = RewardScores.score(model, rejected, TOKENIZER.padId(), 8);
        try (var off = Grad.off()) {
            return BradleyTerry.loss(Tensor.of(rc, rc.length), Tensor.of(rr, rr.length), config.margin(), config.centeringCoef()).item();
        }
    }
}
