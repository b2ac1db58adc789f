package dev.cria.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cria.chat.ChatTemplate;
import dev.cria.checkpoint.ModelDirectory;
import dev.cria.model.Llama;
import dev.cria.model.LlamaConfig;
import dev.cria.tokenizer.ByteTokenizer;
import dev.cria.util.Rng;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cria template}: the rendered text exactly, and bad input named by file. */
class TemplateCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
    private PrintStream savedOut, savedErr;

    @TempDir
    Path dir;

    @BeforeEach
    void capture() throws Exception {
        savedOut = System.out;
        savedErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"bos_token": "<s>", "chat_template": "{{ bos_token }}{% for m in messages %}[{{ m.role }}] {{ m.content }}\\n{% endfor %}{% if add_generation_prompt %}[assistant] {% endif %}"}
                """);
    }

    @AfterEach
    void restore() {
        System.setOut(savedOut);
        System.setErr(savedErr);
    }

    @Test
    void printsTheRenderedText() throws Exception {
        Path messages = dir.resolve("m.json");
        Files.writeString(messages, "[{\"role\": \"user\", \"content\": \"héllo 🦙\"}]");
        assertThat(Main.execute("template", "--model", dir.toString(), "--messages", messages.toString())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("<s>[user] héllo 🦙\n");
        out.reset();
        Files.writeString(messages, "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");
        assertThat(Main.execute("template", "--model", dir.toString(), "--messages", messages.toString(), "--add-generation-prompt")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("<s>[user] hi\n[assistant] ");
    }

    @Test
    void aModelCriaSavedRendersCriasFormat() throws Exception {
        Path model = dir.resolve("cria-model");
        ByteTokenizer tokenizer = new ByteTokenizer();
        LlamaConfig shape = new LlamaConfig(16, 1, 2, 1, 32, tokenizer.vocabSize(), 64, 1e-5f, 10000f, true);
        ModelDirectory.save(model, Llama.initialize(shape, new Rng(1)), tokenizer);
        Path messages = dir.resolve("m.json");
        Files.writeString(messages, "[{\"role\": \"system\", \"content\": \"Be brief.\"}, {\"role\": \"user\", \"content\": \"Hi\"}]");
        assertThat(Main.execute("template", "--model", model.toString(), "--messages", messages.toString(), "--add-generation-prompt")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .isEqualTo(tokenizer.decode(ChatTemplate.promptTokens(tokenizer, "Be brief.", "Hi")))
                .isEqualTo("<|bos|><|system|>Be brief.<|end|><|user|>Hi<|end|><|assistant|>");
    }

    @Test
    void badJsonIsOneLineNamingTheFile() throws Exception {
        Path messages = dir.resolve("bad.json");
        Files.writeString(messages, "[{\"role\": \"user\",");
        assertThat(Main.execute("template", "--model", dir.toString(), "--messages", messages.toString())).isEqualTo(1);
        String message = err.toString(StandardCharsets.UTF_8).strip();
        assertThat(message).startsWith("cria: error: " + messages + ": not valid JSON").doesNotContain("\n");
    }

    @Test
    void aDirectoryWithoutATemplateIsNamed() throws Exception {
        Path messages = dir.resolve("m.json");
        Files.writeString(messages, "[]");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{}");
        assertThat(Main.execute("template", "--model", dir.toString(), "--messages", messages.toString())).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains(dir + ": no chat template");
    }
}
