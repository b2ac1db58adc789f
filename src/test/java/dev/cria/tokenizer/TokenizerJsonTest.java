package dev.cria.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cria.util.CriaException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tokenizer.json in both directions: our files round-trip byte for byte, a Hugging Face file loads with the
 * ids tokenizers gives, and each kind of broken file is reported with its file and field.
 */
class TokenizerJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static BpeTokenizer trained;

    @TempDir
    Path dir;

    @BeforeAll
    static void train() {
        trained = BpeTokenizer.train(StoryText.stories(100, 3), 300);
    }

    private Path saved() {
        Path file = dir.resolve("tokenizer.json");
        trained.save(file);
        return file;
    }

    private ObjectNode savedTree() throws Exception {
        return (ObjectNode) JSON.readTree(saved().toFile());
    }

    private Path write(JsonNode tree) throws Exception {
        Path file = dir.resolve("edited.json");
        JSON.writeValue(file.toFile(), tree);
        return file;
    }

    @Test
    void saveThenLoadGivesTheSameTokenizer() throws Exception {
        Path file = saved();
        Tokenizer loaded = Tokenizers.load(file);
        String text = String.join("\n", StoryText.stories(5, 77)) + " 😀 猫 \uD800";

        assertThat(loaded).isInstanceOf(BpeTokenizer.class);
        assertThat(loaded.vocabSize()).isEqualTo(trained.vocabSize());
        assertThat(loaded.specials()).isEqualTo(trained.specials());
        assertThat(loaded.encode(text)).containsExactly(trained.encode(text));
        Path again = dir.resolve("again.json");
        loaded.save(again);
        assertThat(Files.readAllBytes(again)).isEqualTo(Files.readAllBytes(file));
    }

    @Test
    void writesHuggingFaceByteLevelBpe() throws Exception {
        ObjectNode root = savedTree();

        assertThat(root.get("version").asText()).isEqualTo("1.0");
        assertThat(root.get("normalizer").isNull()).isTrue();
        JsonNode steps = root.at("/pre_tokenizer/pretokenizers");
        assertThat(steps.get(0).at("/pattern/Regex").asText()).isEqualTo(BpeTokenizer.SPLIT_PATTERN);
        assertThat(steps.get(0).get("behavior").asText()).isEqualTo("Isolated");
        assertThat(steps.get(1).get("type").asText()).isEqualTo("ByteLevel");
        assertThat(steps.get(1).get("use_regex").asBoolean()).isFalse();
        assertThat(root.at("/decoder/type").asText()).isEqualTo("ByteLevel");
        JsonNode model = root.get("model");
        assertThat(model.get("type").asText()).isEqualTo("BPE");
        assertThat(model.get("vocab").size()).isEqualTo(300 - 7);
        assertThat(model.get("vocab").get("Ġ").asInt()).isEqualTo(32);
        assertThat(model.get("merges")).hasSize(300 - 263);
        JsonNode first = model.get("merges").get(0);
        String merged = first.get(0).asText() + first.get(1).asText();
        assertThat(model.get("vocab").get(merged).asInt()).isEqualTo(256);
        JsonNode eos = root.get("added_tokens").get(1);
        assertThat(eos.get("content").asText()).isEqualTo("<|eos|>");
        assertThat(eos.get("id").asInt()).isEqualTo(trained.eosId());
        assertThat(eos.get("special").asBoolean()).isTrue();
    }

    @Test
    void loadsAFileWrittenByHuggingFaceTokenizers() throws Exception {
        // Made by tokenizers 0.23.2: BpeTrainer(vocab_size=293, our specials first) with a GPT-2 ByteLevel
        // pre-tokenizer on four sentences. Its ids differ from ours (specials 0..6, bytes in alphabet order);
        // the expected ids are what tokenizers itself returned.
        Path file = Path.of(getClass().getResource("hf-gpt2-style.json").toURI());

        Tokenizer hf = Tokenizers.load(file);

        assertThat(hf).isInstanceOf(BpeTokenizer.class);
        assertThat(hf.vocabSize()).isEqualTo(293);
        assertThat(hf.specials()).isEqualTo(SpecialTokens.startingAt(0));
        assertThat(hf.encode("The little cat played in the garden."))
                .containsExactly(278, 274, 273, 289, 275, 227, 288, 268, 227, 282, 266, 292, 280, 20);
        assertThat(hf.encode("A dog named Lily! 🐶"))
                .containsExactly(39, 269, 287, 227, 84, 71, 83, 268, 227, 276, 285, 7, 227, 179, 260, 245, 121);
        assertThat(hf.decode(hf.encode("A dog named Lily! 🐶"))).isEqualTo("A dog named Lily! 🐶");
    }

    @Test
    void readsOldStyleMergeStrings() throws Exception {
        ObjectNode root = savedTree();
        ArrayNode merges = (ArrayNode) root.at("/model/merges");
        for (int i = 0; i < merges.size(); i++) {
            merges.set(i, merges.get(i).get(0).asText() + " " + merges.get(i).get(1).asText());
        }
        Tokenizer loaded = Tokenizers.load(write(root));

        assertThat(loaded.encode("Once upon a time")).containsExactly(trained.encode("Once upon a time"));
    }

    @Test
    void readsSpecialsThatAreAlsoInTheVocab() throws Exception {
        ObjectNode root = savedTree();
        ((ObjectNode) root.at("/model/vocab")).put("<|bos|>", trained.bosId());

        Tokenizer loaded = Tokenizers.load(write(root));

        assertThat(loaded.bosId()).isEqualTo(trained.bosId());
        assertThat(loaded.encode("<|bos|>")).doesNotContain(trained.bosId());
    }

    @Test
    void missingVocabNamesTheField() throws Exception {
        ObjectNode root = savedTree();
        ((ObjectNode) root.get("model")).remove("vocab");

        assertThatThrownBy(() -> Tokenizers.load(write(root)))
                .isInstanceOf(CriaException.class)
                .hasMessageContaining("edited.json: model.vocab: missing");
    }

    @Test
    void mergeOfUnknownTokenNamesTheMerge() throws Exception {
        ObjectNode root = savedTree();
        ArrayNode merges = (ArrayNode) root.at("/model/merges");
        merges.set(12, JSON.createArrayNode().add("xy").add("z"));

        assertThatThrownBy(() -> Tokenizers.load(write(root)))
                .isInstanceOf(CriaException.class)
                .hasMessageContaining("edited.json: model.merges[12]: token 'xy' not in vocab");
    }

    @Test
    void mergeWhoseResultIsMissingNamesTheMerge() throws Exception {
        ObjectNode root = savedTree();
        ((ArrayNode) root.at("/model/merges")).add(JSON.createArrayNode().add("q").add("q"));

        assertThatThrownBy(() -> Tokenizers.load(write(root)))
                .hasMessageContaining("model.merges[37]: merged token 'qq' not in vocab");
    }

    @Test
    void malformedMergeIsReported() throws Exception {
        ObjectNode root = savedTree();
        ((ArrayNode) root.at("/model/merges")).set(0, JSON.createArrayNode().add("a"));

        assertThatThrownBy(() -> Tokenizers.load(write(root)))
                .hasMessageContaining("model.merges[0]: expected [\"left\", \"right\"] or \"left right\", got [\"a\"]");
    }

    @Test
    void aFileWithoutAllCriaSpecialsLoadsAsAnotherModelsTokenizer() throws Exception {
        ObjectNode root = savedTree();
        ArrayNode added = (ArrayNode) root.get("added_tokens");
        added.remove(2);
        added.remove(0);

        Tokenizer loaded = Tokenizers.load(write(root));

        assertThat(loaded).isInstanceOf(HfTokenizer.class);
        assertThat(loaded.bosId()).isEqualTo(-1);
        String text = String.join("\n", StoryText.stories(5, 78));
        assertThat(loaded.encode(text)).containsExactly(trained.encode(text));
        assertThat(loaded.decode(loaded.encode(text))).isEqualTo(text);
    }

    @Test
    void gapsAndClashesInIdsAreReported() throws Exception {
        ObjectNode root = savedTree();
        ((ObjectNode) root.at("/model/vocab")).put("Ġ", 33);

        assertThatThrownBy(() -> Tokenizers.load(write(root)))
                .hasMessageContaining("model.vocab: id 33 is used by both");
    }

    @Test
    void missingByteTokenIsReported() throws Exception {
        ObjectNode root = savedTree();
        ObjectNode vocab = (ObjectNode) root.at("/model/vocab");
        vocab.remove("Ā");
        vocab.put("ĀĀ", 0); // id 0 stays taken, so only the byte 0x00 token is missing

        assertThatThrownBy(() -> Tokenizers.load(write(root)))
                .hasMessageContaining("model.vocab: missing byte token 'Ā' (byte 0x00)");
    }

    @Test
    void nonByteLevelTokenIsReported() throws Exception {
        ObjectNode root = savedTree();
        ((ObjectNode) root.at("/model/vocab")).put("a b", 300);

        assertThatThrownBy(() -> Tokenizers.load(write(root)))
                .hasMessageContaining("model.vocab['a b']: character ' ' (U+0020)");
    }

    @Test
    void unsupportedPreTokenizerIsReported() throws Exception {
        ObjectNode root = savedTree();
        root.putObject("pre_tokenizer").put("type", "Whitespace");

        assertThatThrownBy(() -> Tokenizers.load(write(root)))
                .hasMessageContaining("edited.json: pre_tokenizer: expected a Sequence of Split");
    }

    @Test
    void optionsOurEncoderLacksAreReported() throws Exception {
        ObjectNode root = savedTree();
        ((ObjectNode) root.get("model")).put("ignore_merges", true);

        assertThatThrownBy(() -> Tokenizers.load(write(root)))
                .hasMessageContaining("edited.json: model.ignore_merges: must be false");
    }

    @Test
    void notJsonAndMissingFilesAreReported() throws Exception {
        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{\"model\": ");

        assertThatThrownBy(() -> Tokenizers.load(broken))
                .isInstanceOf(CriaException.class)
                .hasMessageContaining("broken.json: not valid JSON");
        assertThatThrownBy(() -> Tokenizers.load(dir.resolve("nope.json")))
                .isInstanceOf(CriaException.class)
                .hasMessageContaining("nope.json: no such file");
    }

    @Test
    void saveReplacesAnExistingFileAndLeavesNoTemporaryFiles() throws Exception {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, "old");

        trained.save(file);

        assertThat(Files.readString(file)).startsWith("{");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).isEqualTo(List.of("tokenizer.json"));
        }
    }
}
