package dev.cria.checkpoint.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tokenizer.json and tokenizer_config.json rebuilt from small hand-made vocabularies. */
class VocabImportTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void sentencePieceMergesFollowTheScoresHighestFirst() throws Exception {
        // "▁ab" scores highest, so its two splits rank first, the longer left piece first (as transformers sorts
        // them); then "ab" from "a" + "b", then "▁a" from "▁" + "a".
        List<String> tokens = List.of("<unk>", "<s>", "</s>", "<0x0A>", "\u2581", "a", "b", "ab", "\u2581a", "\u2581ab");
        int[] types = {2, 3, 3, 6, 1, 1, 1, 1, 1, 1};
        float[] scores = {0, 0, 0, 0, -1, -2, -3, -5, -6, -4};
        Path file = dir.resolve("spm.gguf");
        new GgufWriter().putString("tokenizer.ggml.model", "llama").putStrings("tokenizer.ggml.tokens", tokens)
                .putF32s("tokenizer.ggml.scores", scores).putI32s("tokenizer.ggml.token_type", types)
                .putU32("tokenizer.ggml.bos_token_id", 1).putU32("tokenizer.ggml.eos_token_id", 2)
                .putU32("tokenizer.ggml.unknown_token_id", 0).putBool("tokenizer.ggml.add_bos_token", true).write(file);

        String[] files = VocabImport.files(GgufReader.open(file));
        JsonNode model = JSON.readTree(files[0]).path("model");
        List<String> merges = new ArrayList<>();
        model.path("merges").forEach(m -> merges.add(m.get(0).asText() + " " + m.get(1).asText()));
        assertThat(merges).containsExactly("\u2581a b", "\u2581 ab", "a b", "\u2581 a");
        assertThat(model.path("byte_fallback").asBoolean()).isTrue();
        assertThat(model.path("unk_token").asText()).isEqualTo("<unk>");
        JsonNode config = JSON.readTree(files[1]);
        assertThat(config.path("bos_token").asText()).isEqualTo("<s>");
        assertThat(JSON.readTree(files[0]).path("post_processor").path("type").asText()).isEqualTo("TemplateProcessing");
    }

    @Test
    void aBosThatIsNeitherAddedNorUsedByTheTemplateIsLeftOut() throws Exception {
        // llama.cpp's converter gives Qwen a bos id from config.json and add_bos_token false.
        Path file = dir.resolve("qwen.gguf");
        new GgufWriter().putString("tokenizer.ggml.model", "gpt2").putString("tokenizer.ggml.pre", "qwen2")
                .putStrings("tokenizer.ggml.tokens", List.of("a", "b", "ab", "<|endoftext|>", "<|im_end|>"))
                .putI32s("tokenizer.ggml.token_type", new int[] {1, 1, 1, 3, 3}).putStrings("tokenizer.ggml.merges", List.of("a b"))
                .putU32("tokenizer.ggml.bos_token_id", 3).putU32("tokenizer.ggml.eos_token_id", 4)
                .putBool("tokenizer.ggml.add_bos_token", false)
                .putString("tokenizer.chat_template", "{% for m in messages %}<|im_start|>{{ m.content }}<|im_end|>{% endfor %}").write(file);

        String[] files = VocabImport.files(GgufReader.open(file));
        JsonNode config = JSON.readTree(files[1]);
        assertThat(config.has("bos_token")).isFalse();
        assertThat(config.path("eos_token").asText()).isEqualTo("<|im_end|>");
        JsonNode root = JSON.readTree(files[0]);
        assertThat(root.path("normalizer").path("type").asText()).isEqualTo("NFC");
        assertThat(root.path("pre_tokenizer").path("pretokenizers").path(0).path("pattern").path("Regex").asText())
                .isEqualTo(PreTokenizerNames.QWEN2.regex);
    }
}
