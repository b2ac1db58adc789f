package dev.cria.tokenizer;

import static dev.cria.tokenizer.HfTokenizerReferenceTest.ints;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * A tokenizer.json Cria writes loads in JavaScript (@lenml/tokenizers, a transformers.js fork, which rejects
 * the possessive quantifiers and {@code (?i:} of the GPT-4 regex) and gives the ids Cria gives.
 * {@code cria-tokenizer.json} was written by {@code cria tokenizer train}; {@code expected-cria.json} by
 * {@code make_expected.mjs}.
 */
class CriaTokenizerInJsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void javascriptGivesCriasIds() throws Exception {
        Path file = Path.of(getClass().getResource("/tokenizers/cria-tokenizer.json").toURI());
        Tokenizer cria = Tokenizers.load(file);
        JsonNode written = JSON.readTree(file.toFile());
        JsonNode cases = JSON.readTree(getClass().getResourceAsStream("/tokenizers/expected-cria.json")).get("cases");

        assertThat(cria).isInstanceOf(BpeTokenizer.class);
        assertThat(written.at("/pre_tokenizer/pretokenizers/0/pattern/Regex").asText()).isEqualTo(BpeTokenizer.SPLIT_PATTERN);
        SoftAssertions softly = new SoftAssertions();
        for (JsonNode c : cases) {
            String text = c.get("text").asText();
            softly.assertThat(cria.encode(text)).as("ids of %s", text).containsExactly(ints(c.get("ids")));
            softly.assertThat(cria.decode(ints(c.get("ids")))).as("decode of %s", text).isEqualTo(c.get("decoded").asText());
        }
        softly.assertAll();
    }
}
