package dev.cria.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cria.checkpoint.ModelDirectory;
import dev.cria.model.Llama;
import dev.cria.model.LlamaConfig;
import dev.cria.tokenizer.BpeTokenizer;
import dev.cria.tokenizer.Tokenizer;
import dev.cria.util.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code cria export gguf}, {@code cria import gguf}, and a .gguf file given to generate and eval as --model. */
class GgufCliTest {
    @TempDir
    Path dir;
    @RegisterExtension
    final CapturedConsole console = new CapturedConsole();

    @Test
    void exportRunAndImportFromTheCommandLine() throws Exception {
        Tokenizer tokenizer = BpeTokenizer.train(List.of("Once upon a time there was a cat.", "The cat sat on a mat."), 300);
        Llama model = Llama.initialize(new LlamaConfig(32, 1, 4, 2, 64, tokenizer.vocabSize(), 32, 1e-5f, 10000f, true), new Rng(2));
        Path original = dir.resolve("model");
        ModelDirectory.save(original, model, tokenizer);
        Path file = dir.resolve("model.gguf");

        assertThat(Main.execute("export", "gguf", "--model", original.toString(), "--out", file.toString(), "--type", "q8_0")).isZero();
        assertThat(console.out()).contains("wrote " + file);
        assertThat(Main.execute("generate", "--model", file.toString(), "--prompt", "Once upon", "--max-new-tokens", "3",
                "--temperature", "0")).isZero();
        Path text = Files.writeString(dir.resolve("held-out.jsonl"), "{\"text\": \"The cat sat on a mat.\"}\n");
        assertThat(Main.execute("eval", "--model", file.toString(), "--data", text.toString(), "--json")).isZero();
        assertThat(console.out()).contains("\"perplexity\"");
        Path back = dir.resolve("back");
        assertThat(Main.execute("import", "gguf", "--gguf", file.toString(), "--out", back.toString())).isZero();
        assertThat(ModelDirectory.load(back).tokenizer().encode("The cat sat.")).isEqualTo(tokenizer.encode("The cat sat."));
        assertThat(console.err()).doesNotContain("Exception");
    }

    @Test
    void aBrokenFileIsOneLineNamingIt() throws Exception {
        Path file = Files.writeString(dir.resolve("broken.gguf"), "GGUF");
        assertThat(Main.execute("import", "gguf", "--gguf", file.toString(), "--out", dir.resolve("out").toString())).isEqualTo(1);
        assertThat(console.err().strip()).isEqualTo("cria: error: " + file + ": at byte offset 4: file ends while reading the version (truncated: 4 bytes)");
        assertThat(Main.execute("export", "gguf", "--model", dir.toString(), "--out", file.toString(), "--type", "q5_k")).isEqualTo(1);
        assertThat(console.err()).contains("--type q5_k: choose f32, f16, bf16, q8_0 or q4_0");
        assertThat(Main.execute("generate", "--model", file.toString(), "--quantize", "q4_0", "--prompt", "Hi")).isEqualTo(1);
        assertThat(console.err()).contains(file + ": a GGUF file runs in the types it stores; --quantize is for model directories");
    }
}
