package dev.cria.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cria.tokenizer.ByteTokenizer;
import dev.cria.tokenizer.SpecialTokens;
import dev.cria.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cria's chat format written as Jinja renders the text that {@link ChatTemplate}'s token ids decode to
 * (special tokens decode to their names), with and without a system turn and a response.
 */
class CriaJinjaTemplateTest {
    private final Tokenizer tok = new ByteTokenizer();
    private final JinjaChatTemplate jinja = new JinjaChatTemplate(Path.of("cria"), ChatTemplate.jinja(), SpecialTokens.BOS, SpecialTokens.EOS);

    @Test
    void promptsEqualChatTemplates() {
        for (String prompt : List.of("Hi", "Ünïcödé 🦙\nline two\n", "{{ not jinja }} {% raw %}")) {
            assertThat(jinja.render(List.of(new ChatTurn("user", prompt)), true))
                    .isEqualTo(tok.decode(ChatTemplate.promptTokens(tok, prompt)));
            assertThat(jinja.render(List.of(new ChatTurn("system", "Be brief."), new ChatTurn("user", prompt)), true))
                    .isEqualTo(tok.decode(ChatTemplate.promptTokens(tok, "Be brief.", prompt)));
        }
    }

    @Test
    void promptAndResponseEqualChatTemplates() {
        String prompt = "What is 2+2?";
        String response = " 4, of course.\n";
        SftTokens example = ChatTemplate.encode(tok, prompt, response, 1000);
        assertThat(jinja.render(List.of(new ChatTurn("user", prompt), new ChatTurn("assistant", response)), false))
                .isEqualTo(tok.decode(example.tokens()));
    }

    /** Hugging Face's JS engine renders Cria's template as Cria does (expected.json, made by make_expected.mjs). */
    @Test
    void otherToolsRenderTheSameText() throws Exception {
        var conversations = HfChatTemplateReferenceTest.resource("conversations.json");
        var expected = HfChatTemplateReferenceTest.resource("expected.json").get("cria");
        for (int i = 0; i < conversations.size(); i++) {
            var c = conversations.get(i);
            assertThat(jinja.render(HfChatTemplateReferenceTest.turns(c.get("messages")), c.get("add_generation_prompt").asBoolean()))
                    .as(c.get("name").asText()).isEqualTo(expected.get(i).asText());
        }
    }

    @Test
    void anotherRoleIsRefusedByName() {
        assertThatThrownBy(() -> jinja.render(List.of(new ChatTurn("tool", "{}")), true))
                .hasMessageContaining("Cria chat roles are system, user and assistant, not tool");
    }

    @Test
    void tokenizerConfigCarriesTheTemplateForCriaTokenizersOnly(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("tokenizer_config.json"), ChatTemplate.tokenizerConfigJson(tok));
        assertThat(JinjaChatTemplate.read(dir).render(List.of(new ChatTurn("user", "Hi")), true))
                .isEqualTo(tok.decode(ChatTemplate.promptTokens(tok, "Hi")));
    }
}
