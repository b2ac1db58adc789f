package dev.cria.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cria.checkpoint.MemoryEstimate;
import dev.cria.checkpoint.ModelDirectory;
import dev.cria.io.Safetensors.Dtype;
import dev.cria.model.Llama;
import dev.cria.model.LlamaConfig;
import dev.cria.tokenizer.ByteTokenizer;
import dev.cria.util.Rng;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cria info} on a saved model and a sharded one, and the memory formulas on a hand-worked example. */
class InfoCommandTest {
    private static final ByteTokenizer TOKENIZER = new ByteTokenizer();
    private static final LlamaConfig SHAPE = new LlamaConfig(16, 1, 2, 1, 32, 300, 256, 1e-5f, 10000f, true);

    @TempDir
    Path dir;

    @Test
    void memoryFormulasOnAHandWorkedExample() {
        // P = (2·16 + 16·16·2 + 16·8·2 + 3·16·32) + 300·16 + 16 = 2336 + 4800 + 16 = 7152; B = 1, T = 4, r = 2.
        assertThat(SHAPE.parameterCount()).isEqualTo(7152);
        var m = MemoryEstimate.of(SHAPE, 1, 4, 2);
        assertThat(m.kvCache()).isEqualTo(2 * 1 * 1 * 4 * 8 * 4);                          // 256
        assertThat(m.activations()).isEqualTo(4 * 4 * (7 * 16 + 2 * 8 + 3 * 32 + 2 * 4 + 2 * 300)); // 13312
        assertThat(m.adapterParameters()).isEqualTo(2 * (9 * 16 + 2 * 8 + 3 * 32));           // 512
        assertThat(m.inference()).isEqualTo(4 * 7152 + 256);
        assertThat(m.lora()).isEqualTo(4 * 7152 + 16 * 512 + 13312);
        assertThat(m.full()).isEqualTo(16 * 7152 + 13312);
        var bf16 = MemoryEstimate.of(SHAPE, Dtype.BF16, 1, 4, 2);
        assertThat(bf16.inference()).as("frozen weights stay 16-bit").isEqualTo(2 * 7152 + 256);
        assertThat(bf16.lora()).isEqualTo(2 * 7152 + 16 * 512 + 13312);
        assertThat(bf16.full()).isEqualTo(m.full());
    }

    @Test
    void describesASavedModel() throws Exception {
        Path model = save("plain", Dtype.F32, 2_000_000_000L);
        JsonNode json = infoJson(model);
        assertThat(json.get("family").asText()).isEqualTo("llama");
        assertThat(json.get("parameters").asLong()).isEqualTo(7152);
        assertThat(json.get("dtype").asText()).isEqualTo("F32");
        assertThat(json.get("context_length").asInt()).isEqualTo(256);
        assertThat(json.get("tokenizer_vocab").asInt()).isEqualTo(TOKENIZER.vocabSize());
        assertThat(json.get("chat_template").asBoolean()).as("Cria writes its chat template as Jinja").isTrue();
        assertThat(json.get("memory_bytes").get("full").asLong()).isEqualTo(MemoryEstimate.of(SHAPE, 1, 256, 8).full());

        String text = run("info", "--model", model.toString());
        assertThat(text).contains("parameters:       7,152").contains("context length:   256 tokens").contains("full fine-tuning");
    }

    @Test
    void describesAShardedBf16ModelWithAChatTemplate() throws Exception {
        Path model = save("sharded", Dtype.BF16, 4_000);
        assertThat(Files.exists(model.resolve("model.safetensors.index.json"))).isTrue();
        Files.writeString(model.resolve("tokenizer_config.json"), "{\"chat_template\": \"{{ messages }}\"}");
        JsonNode json = infoJson(model);
        assertThat(json.get("dtype").asText()).isEqualTo("BF16");
        assertThat(json.get("parameters").asLong()).isEqualTo(7152);
        assertThat(json.get("chat_template").asBoolean()).isTrue();
        JsonNode smaller = infoJson(model, "--batch", "2", "--seq-len", "4", "--lora-rank", "2");
        assertThat(smaller.get("memory_bytes").get("lora").asLong()).isEqualTo(MemoryEstimate.of(SHAPE, Dtype.BF16, 2, 4, 2).lora());
    }

    @Test
    void describesADirectoryWithoutATokenizer() throws Exception {
        JsonNode json = infoJson(Path.of("src/test/resources/fixtures/hf-untied"));
        assertThat(json.get("tokenizer").asText()).isEqualTo("none");
        assertThat(json.get("dtype").asText()).isEqualTo("F32");
    }

    @Test
    void aSeqLenBeyondTheContextIsRefused() {
        Path model = save("plain", Dtype.F32, 2_000_000_000L);
        assertThat(Main.execute("info", "--model", model.toString(), "--seq-len", "999")).isEqualTo(1);
    }

    private Path save(String name, Dtype dtype, long maxShard) {
        Llama llama = Llama.initialize(SHAPE, new Rng(1));
        ModelDirectory.saveAs(llama, dtype, maxShard);
        Path out = dir.resolve(name);
        ModelDirectory.save(out, llama, TOKENIZER);
        return out;
    }

    private static JsonNode infoJson(Path model, String... more) throws Exception {
        var args = new java.util.ArrayList<>(java.util.List.of("info", "--model", model.toString(), "--json"));
        args.addAll(java.util.List.of(more));
        return new ObjectMapper().readTree(run(args.toArray(String[]::new)));
    }

    private static String run(String... args) {
        PrintStream saved = System.out;
        var captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            assertThat(Main.execute(args)).isZero();
        } finally {
            System.setOut(saved);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
