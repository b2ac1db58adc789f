package dev.cria.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cria.bench.DecodeBench;
import dev.cria.checkpoint.ModelDirectory;
import dev.cria.model.Llama;
import dev.cria.model.LlamaConfig;
import dev.cria.tensor.Parallel;
import dev.cria.tokenizer.ByteTokenizer;
import dev.cria.util.Rng;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code cria bench decode} on a model directory or a GGUF file: greedy B=1 from the fixed prompt, as the side-by-side script has llama.cpp do. */
class BenchDecodeTest {
    @TempDir
    Path dir;
    @RegisterExtension
    final CapturedConsole console = new CapturedConsole();

    private Path model() {
        var tokenizer = new ByteTokenizer();
        Llama model = Llama.initialize(new LlamaConfig(64, 1, 4, 2, 64, tokenizer.vocabSize(), 64, 1e-5f, 10000f, true), new Rng(3));
        Path out = dir.resolve("model");
        ModelDirectory.save(out, model, tokenizer);
        return out;
    }

    @Test
    void timesAModelDirectoryQuantizedAsItLoads() throws Exception {
        Path model = model();
        assertThat(Main.execute("bench", "decode", "--model", model.toString(), "--quantize", "q8_0", "--prompt-len", "4", "--tokens", "6",
                "--repeats", "1", "--threads", Integer.toString(Parallel.threads()), "--no-probe", "--json")).isZero();
        JsonNode r = new ObjectMapper().readTree(console.out().strip());
        assertThat(r.get("weights").asText()).isEqualTo("q8_0");
        assertThat(r.get("batch").asInt()).isEqualTo(1);
        assertThat(r.get("new_tokens").asInt()).isEqualTo(6);
        assertThat(r.get("tokens_per_sec").asDouble()).isPositive();
        assertThat(r.get("prefill_seconds").asDouble()).isLessThanOrEqualTo(r.get("seconds").asDouble());
    }

    @Test
    void timesAGgufFileAsStored() throws Exception {
        Path gguf = dir.resolve("model-q4_0.gguf");
        assertThat(Main.execute("export", "gguf", "--model", model().toString(), "--out", gguf.toString(), "--type", "q4_0")).isZero();
        console.clear();
        assertThat(Main.execute("bench", "decode", "--gguf", gguf.toString(), "--prompt-len", "4", "--tokens", "6", "--repeats", "1",
                "--no-probe", "--json")).isZero();
        JsonNode r = new ObjectMapper().readTree(console.out().strip());
        assertThat(r.get("weights").asText()).isEqualTo("q4_0");
        assertThat(r.get("tokens_per_sec").asDouble()).isPositive();
    }

    @Test
    void badFlagsSayWhatIsWrongInOneLine() {
        Path model = model();
        assertThat(Main.execute("bench", "decode", "--model", model.toString(), "--quantize", "q5_1")).isEqualTo(1);
        assertThat(console.err()).contains("--quantize must be q8_0 or q4_0, not 'q5_1'").doesNotContain("Exception");
        console.clear();
        assertThat(Main.execute("bench", "decode", "--quantize", "q8_0")).isEqualTo(1);
        assertThat(console.err()).contains("--quantize needs --model").doesNotContain("Exception");
        console.clear();
        assertThat(Main.execute("bench", "decode", "--gguf", model.resolve("config.json").toString())).isEqualTo(1);
        assertThat(console.err()).contains("not a .gguf file");
        console.clear();
        assertThat(Main.execute("bench", "decode", "--model", model.toString(), "--prompt-len", "60", "--tokens", "10")).isEqualTo(1);
        assertThat(console.err()).contains("exceeds the model's context of 64");
        console.clear();
        assertThat(Main.execute("bench", "decode", "--threads", Integer.toString(Parallel.threads() + 1))).isEqualTo(1);
        assertThat(console.err()).contains("this JVM already runs " + Parallel.threads() + " threads");
    }

    @Test
    void thePromptSpreadsOverTheVocabularyAndAvoidsTokenZero() {
        assertThat(DecodeBench.prompt(4, 32000)).containsExactly(1, 7920, 15839, 23758);
        for (int t : DecodeBench.prompt(100, 259)) assertThat(t).isBetween(1, 258);
    }
}
