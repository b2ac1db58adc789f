package dev.cria.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Another model's tokenizer saves with the tokenizer_config.json it came with, so bos, eos and the chat template survive. */
class HfTokenizerSaveTest {
    @Test
    void savingKeepsTokenizerConfig(@TempDir Path dir) throws Exception {
        Path file = HfTokenizerReferenceTest.modelFile("llama3");
        Tokenizer tokenizer = Tokenizers.load(file);
        Path saved = dir.resolve("tokenizer.json");
        tokenizer.save(saved);
        assertThat(Files.readAllBytes(saved)).isEqualTo(Files.readAllBytes(file));
        assertThat(Files.readAllBytes(dir.resolve("tokenizer_config.json")))
                .isEqualTo(Files.readAllBytes(file.resolveSibling("tokenizer_config.json")));
        assertThat(Files.exists(dir.resolve("chat_template.jinja"))).isFalse();
        assertThat(Tokenizers.load(saved).specials()).isEqualTo(tokenizer.specials());
    }
}
