package dev.cria.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cria.tokenizer.Tokenizer;
import dev.cria.tokenizer.Tokenizers;
import dev.cria.util.CriaException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerateCommandTest {
    @TempDir
    Path dir;

    @Test
    void stopsAtTheTokenizersEosAndEveryEosOfTheConfig() {
        assertThat(GenerateCommand.stopTokens(List.of(2), List.of(2))).containsExactly(2);
        assertThat(GenerateCommand.stopTokens(List.of(128001), List.of(128001, 128008, 128009))).containsExactly(128001, 128008, 128009);
        assertThat(GenerateCommand.stopTokens(List.of(5), List.of())).containsExactly(5);
    }

    @Test
    void aTokenizerWithoutBosIsRefusedInsteadOfStartingThePromptWithMinusOne() throws Exception {
        // a GPT-2-style file with no added tokens and no tokenizer_config.json: bos is -1
        var mapper = new ObjectMapper();
        ObjectNode root = (ObjectNode) mapper.readTree(Tokenizer.class.getResourceAsStream("hf-gpt2-style.json"));
        root.putArray("added_tokens");
        Files.writeString(dir.resolve("tokenizer.json"), mapper.writeValueAsString(root));
        Tokenizer tokenizer = Tokenizers.load(dir.resolve("tokenizer.json"));
        assertThat(tokenizer.bosId()).isEqualTo(-1);

        assertThatThrownBy(() -> GenerateCommand.promptTokens(tokenizer, "Once upon a time"))
                .isInstanceOf(CriaException.class)
                .hasMessage("the tokenizer has no bos token (its tokenizer_config.json names no bos_token); "
                        + "generate (it starts the prompt with bos) needs one");
    }
}
