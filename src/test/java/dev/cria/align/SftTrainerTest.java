package dev.cria.align;

import dev.cria.train.RunSettings;
import dev.cria.train.RunDirectory;
import static org.assertj.core.api.Assertions.assertThat;

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

class SftTrainerTest {
    private static final ByteTokenizer TOKENIZER = new ByteTokenizer();
    private static final LlamaConfig SHAPE = new LlamaConfig(32, 2, 4, 2, 48, TOKENIZER.vocabSize(), 64, 1e-5f, 10000f, true);

    @TempDir
    Path dir;

    /** "<bos>copy: abc<assistant>" → "abc<eos>": a task a small model learns in a few dozen steps. */
    private static List<TokenizedExample> copyTask(int n, long seed) {
        Rng rng = new Rng(seed);
        var out = new ArrayList<TokenizedExample>();
        for (int i = 0; i < n; i++) {
            var word = new StringBuilder();
            for (int j = 0; j < 3; j++) word.append((char) ('a' + rng.nextInt(5)));
            int[] prompt = TOKENIZER.encode("copy: " + word);
            int[] response = TOKENIZER.encode(word.toString());
            int[] tokens = new int[prompt.length + response.length + 3];
            tokens[0] = TOKENIZER.bosId();
            System.arraycopy(prompt, 0, tokens, 1, prompt.length);
            tokens[prompt.length + 1] = TOKENIZER.specials().assistant();
            System.arraycopy(response, 0, tokens, prompt.length + 2, response.length);
            tokens[tokens.length - 1] = TOKENIZER.eosId();
            out.add(new TokenizedExample(tokens, prompt.length + 2));
        }
        return out;
    }

    /** lr 2e-3 over 600 steps learns the copy task on every seed tried, on the SIMD and scalar paths alike;
     *  1e-2 over 300 steps made the outcome depend on rounding. */
    private static SftConfig config(int steps) {
        return new SftConfig(new RunSettings(8, steps, 2e-3, 2, 0.0, 1.0, 0, 0, 3));
    }

    @Test
    void everyParameterChangesAndTheResponseLossFalls() {
        Llama model = Llama.initialize(SHAPE, new Rng(1));
        var before = new HashMap<String, float[]>();
        model.parameters().forEach((n, t) -> before.put(n, t.data.clone()));
        var result = new SftTrainer(model, TOKENIZER, copyTask(64, 1), copyTask(16, 2), config(600), RunDirectory.at(dir)).run(StopSignal.manual());
        model.parameters().forEach((n, t) -> assertThat(t.data).as(n).isNotEqualTo(before.get(n)));
        assertThat(result.metric("val/loss")).isLessThan(0.5);
        assertThat(dir.resolve(SftTrainer.LOSS_PLOT)).exists();
    }

    @Test
    void withLoraOnlyTheAdaptersChangeAndTheyAreSaved() {
        Llama model = Llama.initialize(SHAPE, new Rng(1));
        model.attachLora(new LoraConfig(4, 8, 0.05, LoraConfig.MODULES), new Rng(2));
        var base = new HashMap<String, float[]>();
        model.parameters().forEach((n, t) -> base.put(n, t.data.clone()));
        var adapters = new HashMap<String, float[]>();
        model.adapterParameters().forEach((n, t) -> adapters.put(n, t.data.clone()));
        new SftTrainer(model, TOKENIZER, copyTask(32, 1), copyTask(8, 2), config(5), RunDirectory.at(dir)).run(StopSignal.manual());
        model.parameters().forEach((n, t) -> assertThat(t.data).as(n).containsExactly(base.get(n)));
        model.adapterParameters().forEach((n, t) -> assertThat(t.data).as(n).isNotEqualTo(adapters.get(n)));
        var loaded = dev.cria.checkpoint.ModelDirectory.load(dir);
        assertThat(loaded.model().hasAdapters()).isTrue();
        loaded.model().adapterParameters().forEach((n, t) -> assertThat(t.data).as(n).containsExactly(model.adapterParameters().get(n).data));
    }

    @Test
    void trainedModelStopsWithEos() {
        Llama model = Llama.initialize(SHAPE, new Rng(1));
        new SftTrainer(model, TOKENIZER, copyTask(64, 1), List.of(), config(600), RunDirectory.at(dir)).run(StopSignal.manual());
        var example = copyTask(1, 7).get(0);
        int[] prompt = java.util.Arrays.copyOf(example.tokens(), example.responseStart());
        var out = new dev.cria.generate.Generator(model).generate(List.of(prompt), 10, dev.cria.generate.Sampler.greedy(), new Rng(0),
                TOKENIZER.eosId(), null).get(0);
        assertThat(out.finish()).isEqualTo(dev.cria.generate.Generator.Finish.STOP_TOKEN);
        int responseLength = example.tokens().length - 1 - example.responseStart();
        assertThat(out.tokens()).hasSize(responseLength);
    }
}
