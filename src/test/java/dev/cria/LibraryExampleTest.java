package dev.cria;

// README:begin
import dev.cria.align.SftConfig;
import dev.cria.align.SftTrainer;
import dev.cria.align.TokenizedExample;
import dev.cria.checkpoint.ModelDirectory;
import dev.cria.generate.Generator;
import dev.cria.generate.Sampler;
import dev.cria.train.RunDirectory;
import dev.cria.train.RunSettings;
import dev.cria.train.StopSignal;
import dev.cria.util.Rng;
import java.nio.file.Path;
import java.util.List;
// README:end

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cria.model.Llama;
import dev.cria.model.LlamaConfig;
import dev.cria.tokenizer.ByteTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Using Cria from Java" example, compiled and run: the code between the README markers is
 * the README's snippet, and {@link #theReadmeShowsThisCode} checks that the README still shows it word
 * for word, so a change of the API that breaks the example breaks the build.
 */
class LibraryExampleTest {
    @TempDir
    Path dir;

    // README:begin
    static String storyThenFineTune(Path modelDir, Path runDir) {
        var loaded = ModelDirectory.load(modelDir);      // a model directory or a run directory
        var model = loaded.model();
        var tokenizer = loaded.tokenizer();

        var chat = loaded.chat();                         // Cria's chat tokens, or the model's own template

        // Generate: sample up to 100 tokens (temperature 0.8, top-p 0.95) until the end of the reply.
        int[] prompt = chat.promptTokens("Write a story about a cat named Tom.");
        var answer = new Generator(model).generate(List.of(prompt), 100, new Sampler(0.8f, 0, 0.95f),
                new Rng(42), chat.stopTokens(), null).get(0);
        String story = chat.decodeResponse(answer.tokens());

        // Fine-tune: 20 SFT steps on (prompt, response) pairs; writes runDir/model/ and runDir/metrics.jsonl.
        var pair = chat.encode("Say hello.", "Hello!", model.config().maxSeqLen());
        var examples = List.of(new TokenizedExample(pair.tokens(), pair.promptLength()));
        // SFT's defaults, changed by name: batch 4, 20 steps, no warmup, evaluate and save at the end
        var config = new SftConfig(RunSettings.defaults().toBuilder().batchSize(4).steps(20).warmupSteps(0).evalEvery(0).saveEvery(0).build());
        new SftTrainer(model, tokenizer, examples, List.of(), config, RunDirectory.at(runDir)).run(StopSignal.manual());
        return story;
    }
    // README:end

    /** A tiny random model with the byte tokenizer, saved as a Hugging Face model directory. */
    private static Path tinyModel(Path dir) {
        var tokenizer = new ByteTokenizer();
        var model = Llama.initialize(new LlamaConfig(16, 1, 2, 1, 32, tokenizer.vocabSize(), 128, 1e-5f, 10000f, true), new Rng(7));
        Path out = dir.resolve("model");
        ModelDirectory.save(out, model, tokenizer);
        return out;
    }

    @Test
    void generatesThenFineTunes() throws IOException {
        Path modelDir = tinyModel(dir);
        Path runDir = dir.resolve("sft");

        String story = storyThenFineTune(modelDir, runDir);

        assertThat(story).isNotNull();
        var before = ModelDirectory.load(modelDir).model().parameters();
        var after = ModelDirectory.load(runDir).model().parameters();
        assertThat(after.keySet()).isEqualTo(before.keySet());
        before.forEach((name, t) -> assertThat(after.get(name).data).as(name).isNotEqualTo(t.data));
        var json = new ObjectMapper();
        var losses = new ArrayList<Double>();
        for (String line : Files.readAllLines(runDir.resolve("metrics.jsonl"))) {
            var node = json.readTree(line);
            if (node.has("train/loss")) losses.add(node.get("train/loss").asDouble());
        }
        assertThat(losses).hasSize(20);
        assertThat(losses.getLast()).isLessThan(losses.getFirst());
    }

    /** Each block between the markers above appears in README.md as it is here, less its indentation. */
    @Test
    void theReadmeShowsThisCode() throws IOException {
        String source = Files.readString(Path.of("src/test/java/dev/cria/LibraryExampleTest.java"));
        String readme = Files.readString(Path.of("README.md"));
        var blocks = Pattern.compile("// README:begin\n(.*?)\n\\s*// README:end", Pattern.DOTALL).matcher(source);
        int found = 0;
        while (blocks.find()) {
            found++;
            assertThat(readme).as("README.md shows block %d of LibraryExampleTest", found).contains(blocks.group(1).stripIndent());
        }
        assertThat(found).isEqualTo(2);
    }
}
