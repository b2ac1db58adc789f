package dev.cria.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cria.autograd.Grad;
import dev.cria.checkpoint.ModelDirectory;
import dev.cria.checkpoint.llama2c.Llama2cReader;
import dev.cria.checkpoint.llama2c.Llama2cTokenizerFile;
import dev.cria.model.HfNames;
import dev.cria.model.Llama;
import dev.cria.model.LlamaConfig;
import dev.cria.tokenizer.ByteTokenizer;
import dev.cria.tokenizer.SpecialTokens;
import dev.cria.util.Rng;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code cria export llama2c} and {@code cria import llama2c} on a saved model directory. */
class Llama2cCliTest {
    private static final ByteTokenizer TOKENIZER = new ByteTokenizer();
    private static final LlamaConfig SHAPE = new LlamaConfig(16, 2, 4, 2, 32, TOKENIZER.vocabSize(), 64, 1e-5f, 10000f, false);
    private static final int[] TOKENS = {256, 72, 105, 33, 10};

    @TempDir
    Path dir;

    @RegisterExtension
    final CapturedConsole console = new CapturedConsole();

    private Path saved() {
        Path model = dir.resolve("model");
        ModelDirectory.save(model, Llama.initialize(SHAPE, new Rng(3)), TOKENIZER);
        return model;
    }

    private static float[] logits(Llama model) {
        try (var off = Grad.off()) {
            return model.logits(TOKENS, 1, TOKENS.length).data;
        }
    }

    @Test
    void exportThenImportGivesAModelDirectoryWithTheSameLogits() {
        Path model = saved();
        Path bin = dir.resolve("model.bin"), tokenizerBin = dir.resolve("tokenizer.bin"), back = dir.resolve("back");
        assertThat(Main.execute("export", "llama2c", "--model", model.toString(), "--out", bin.toString(),
                "--version", "1", "--tokenizer-out", tokenizerBin.toString())).isZero();
        assertThat(Llama2cTokenizerFile.read(tokenizerBin).vocabSize()).isEqualTo(SHAPE.vocab());
        assertThat(Main.execute("import", "llama2c", "--bin", bin.toString(), "--out", back.toString(),
                "--tokenizer-json", model.resolve("tokenizer.json").toString())).isZero();

        ModelDirectory.Loaded loaded = ModelDirectory.load(back);
        assertThat(loaded.tokenizer()).isInstanceOf(ByteTokenizer.class);
        assertThat(loaded.model().config()).isEqualTo(SHAPE);
        assertThat(logits(loaded.model())).containsExactly(logits(ModelDirectory.load(model).model()));
    }

    @Test
    void withoutATokenizerOnlyConfigAndWeightsAreWritten() {
        Path bin = dir.resolve("model.bin"), back = dir.resolve("back");
        assertThat(Main.execute("export", "llama2c", "--model", saved().toString(), "--out", bin.toString())).isZero();
        assertThat(Main.execute("import", "llama2c", "--bin", bin.toString(), "--out", back.toString())).isZero();
        assertThat(console.out()).contains("copy the model's tokenizer.json into " + back);
        assertThat(Files.exists(back.resolve("tokenizer.json"))).isFalse();
        assertThat(ModelDirectory.loadModel(back).config()).isEqualTo(SHAPE);
    }

    @Test
    void bosAsOneSwapsTheTwoIdsRows() {
        Path model = saved();
        Path bin = dir.resolve("model.bin"), tokenizerBin = dir.resolve("tokenizer.bin");
        assertThat(Main.execute("export", "llama2c", "--model", model.toString(), "--out", bin.toString(),
                "--tokenizer-out", tokenizerBin.toString(), "--bos-as-1")).isZero();

        int bos = TOKENIZER.bosId(), C = SHAPE.dim();
        float[] original = ModelDirectory.load(model).model().parameters().get(HfNames.embedding()).data;
        float[] swapped = Llama2cReader.read(bin).model().parameters().get(HfNames.embedding()).data;
        assertThat(Arrays.copyOfRange(swapped, C, 2 * C)).containsExactly(Arrays.copyOfRange(original, bos * C, (bos + 1) * C));
        assertThat(Arrays.copyOfRange(swapped, bos * C, (bos + 1) * C)).containsExactly(Arrays.copyOfRange(original, C, 2 * C));
        byte[][] tokens = Llama2cTokenizerFile.read(tokenizerBin).tokens();
        assertThat(new String(tokens[1], StandardCharsets.UTF_8)).isEqualTo(SpecialTokens.BOS);
        assertThat(tokens[bos]).containsExactly(1);
    }

    @Test
    void helpWorksBesideTheFormatsVersionFlag() {
        assertThat(Main.execute("export", "llama2c", "--help")).isZero();
        assertThat(console.out()).contains("--version=<version>").contains("--bos-as-1");
    }

    @Test
    void aBadFileIsOneLineWithoutATrace() throws Exception {
        Path bin = dir.resolve("model.bin");
        assertThat(Main.execute("export", "llama2c", "--model", saved().toString(), "--out", bin.toString())).isZero();
        byte[] all = Files.readAllBytes(bin);
        Files.write(bin, Arrays.copyOf(all, all.length - 4));
        assertThat(Main.execute("import", "llama2c", "--bin", bin.toString(), "--out", dir.resolve("back").toString())).isEqualTo(1);
        assertThat(console.err()).startsWith("cria: error: " + bin + ": truncated at byte " + (all.length - 4) + ", expected")
                .contains("floats of output.weight").hasLineCount(1);
        assertThat(Files.exists(dir.resolve("back"))).isFalse();
    }
}
