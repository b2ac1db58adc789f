package dev.cria.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cria.util.CriaException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pieces of another model's tokenizer.json on small hand-made files, each worked out by hand from the
 * Hugging Face {@code tokenizers} semantics; the real files are checked in HfTokenizerReferenceTest.
 */
class HfTokenizerJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** SentencePiece-style: vocab of '▁', a, b, ab, ▁ab, <unk>, <s>, bytes <0x00>..<0xFF> at 7..262. */
    private ObjectNode sentencePiece() {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode added = root.putArray("added_tokens");
        added.addObject().put("id", 5).put("content", "<unk>").put("special", true);
        added.addObject().put("id", 6).put("content", "<s>").put("special", true).put("rstrip", true);
        ObjectNode normalizer = root.putObject("normalizer").put("type", "Sequence");
        normalizer.putArray("normalizers").addObject().put("type", "Prepend").put("prepend", "▁");
        ObjectNode replace = ((ArrayNode) normalizer.get("normalizers")).addObject().put("type", "Replace").put("content", "▁");
        replace.putObject("pattern").put("String", " ");
        ObjectNode post = root.putObject("post_processor").put("type", "TemplateProcessing");
        post.putArray("single").add(JSON.createObjectNode().set("SpecialToken", JSON.createObjectNode().put("id", "<s>")))
                .add(JSON.createObjectNode().set("Sequence", JSON.createObjectNode().put("id", "A")));
        post.putObject("special_tokens").putObject("<s>").putArray("ids").add(6);
        ObjectNode decoder = root.putObject("decoder").put("type", "Sequence");
        ArrayNode steps = decoder.putArray("decoders");
        steps.addObject().put("type", "Replace").put("content", " ").putObject("pattern").put("String", "▁");
        steps.addObject().put("type", "ByteFallback");
        steps.addObject().put("type", "Fuse");
        steps.addObject().put("type", "Strip").put("content", " ").put("start", 1).put("stop", 0);
        ObjectNode model = root.putObject("model").put("type", "BPE").put("unk_token", "<unk>")
                .put("byte_fallback", true).put("fuse_unk", true);
        ObjectNode vocab = model.putObject("vocab");
        String[] tokens = {"▁", "a", "b", "ab", "▁ab", "<unk>", "<s>"};
        for (int i = 0; i < tokens.length; i++) vocab.put(tokens[i], i);
        for (int b = 0; b < 256; b++) vocab.put(String.format("<0x%02X>", b), 7 + b);
        model.putArray("merges").add("a b").add(JSON.createArrayNode().add("▁").add("ab"));
        return root;
    }

    private Tokenizer load(ObjectNode root) throws Exception {
        Path file = dir.resolve("tokenizer.json");
        JSON.writeValue(file.toFile(), root);
        return Tokenizers.load(file);
    }

    @Test
    void sentencePieceStyleMergesPrependsAndFallsBackToBytes() throws Exception {
        Tokenizer t = load(sentencePiece());

        // "ab ab" -> "▁ab▁ab": a+b first (rank 0), then ▁+ab
        assertThat(t.encode("ab ab")).containsExactly(4, 4);
        // 'é' is not in the vocab: its UTF-8 bytes C3 A9 as <0xC3> <0xA9>
        assertThat(t.encode("é")).containsExactly(0, 7 + 0xC3, 7 + 0xA9);
        assertThat(t.decode(t.encode("ab é b"))).isEqualTo("ab é b");
        assertThat(t.tokenBytes(4)).isEqualTo(" ab".getBytes());
    }

    @Test
    void specialTokensAreMatchedOnlyWhenAllowedAndTheTemplateAddsBos() throws Exception {
        Tokenizer t = load(sentencePiece());

        // <s> has rstrip: the space after it is swallowed; the text after it is its own stretch, so "▁" again
        assertThat(t.encodeAllowingSpecials("<s> ab", false)).containsExactly(6, 4);
        assertThat(t.encodeAllowingSpecials("ab", true)).containsExactly(6, 4);
        assertThat(t.encode("<s>")).doesNotContain(6);
    }

    @Test
    void lstripAndSingleWordAddedTokens() throws Exception {
        ObjectNode root = sentencePiece();
        ArrayNode added = (ArrayNode) root.get("added_tokens");
        ((ObjectNode) root.at("/model/vocab")).put("<m>", 263).put("bb", 264);
        added.addObject().put("id", 263).put("content", "<m>").put("special", true).put("lstrip", true);
        added.addObject().put("id", 264).put("content", "bb").put("single_word", true).put("normalized", false);

        Tokenizer t = load(root);

        // lstrip swallows the spaces before <m>; "ab" then starts its own stretch and gets its '▁'
        assertThat(t.encodeAllowingSpecials("ab  <m>ab", false)).containsExactly(4, 263, 4);
        // "bb" alone is the added token; inside "abba" it is not a word, so BPE sees ▁, ab, b, a
        assertThat(t.encode("bb")).containsExactly(264);
        assertThat(t.encode("abba")).containsExactly(4, 2, 1);
    }

    @Test
    void normalizedAddedTokensAreFoundInTheNormalizedText() throws Exception {
        ObjectNode root = sentencePiece();
        ((ObjectNode) root.at("/model/vocab")).put("▁b", 263).put("▁B", 264);
        ArrayNode added = (ArrayNode) root.get("added_tokens");
        added.addObject().put("id", 263).put("content", "▁b").put("normalized", true);
        added.addObject().put("id", 264).put("content", "▁B").put("normalized", false);

        Tokenizer t = load(root);

        // " b" becomes "▁b" only after the Replace normalizer, so only the normalized token matches it
        assertThat(t.encode("ab b")).containsExactly(4, 263);
        // the raw text holds no "▁B"; after normalizing, "▁B" is not looked for, so it is ▁ then <0x42>
        assertThat(t.encode("ab B")).containsExactly(4, 0, 7 + 'B');
        assertThat(t.encode("ab▁B")).containsExactly(4, 264);
    }

    @Test
    void withoutByteFallbackUnknownCharactersFuseIntoOneUnk() throws Exception {
        ObjectNode root = sentencePiece();
        ((ObjectNode) root.get("model")).put("byte_fallback", false);
        Tokenizer t = load(root);

        assertThat(t.encode("éé ab")).containsExactly(0, 5, 4);
    }

    @Test
    void splitBehaviorsCutAsHuggingFaceDoes() {
        TextPattern comma = new TextPattern(java.util.regex.Pattern.compile(","));
        String text = "a,,b,c";
        assertThat(split(comma, PreTokenizer.Behavior.REMOVED, false, text)).containsExactly("a", "b", "c");
        assertThat(split(comma, PreTokenizer.Behavior.ISOLATED, false, text)).containsExactly("a", ",", ",", "b", ",", "c");
        assertThat(split(comma, PreTokenizer.Behavior.CONTIGUOUS, false, text)).containsExactly("a", ",,", "b", ",", "c");
        assertThat(split(comma, PreTokenizer.Behavior.MERGED_WITH_PREVIOUS, false, text)).containsExactly("a,", ",", "b,", "c");
        assertThat(split(comma, PreTokenizer.Behavior.MERGED_WITH_NEXT, false, text)).containsExactly("a", ",", ",b", ",c");
        TextPattern letters = new TextPattern(java.util.regex.Pattern.compile("[a-z]+"));
        assertThat(split(letters, PreTokenizer.Behavior.REMOVED, true, "ab, cd")).containsExactly("ab", "cd");
    }

    private static List<String> split(TextPattern p, PreTokenizer.Behavior behavior, boolean invert, String text) {
        return new PreTokenizer.Split(p, behavior, invert).split(text, true);
    }

    @Test
    void metaspacePrependsByScheme() {
        var always = new PreTokenizer.Metaspace("▁", PreTokenizer.Metaspace.PrependScheme.ALWAYS, true);
        var first = new PreTokenizer.Metaspace("▁", PreTokenizer.Metaspace.PrependScheme.FIRST, true);
        var never = new PreTokenizer.Metaspace("▁", PreTokenizer.Metaspace.PrependScheme.NEVER, false);

        assertThat(always.split("hi you", false)).containsExactly("▁hi", "▁you");
        assertThat(first.split("hi you", false)).containsExactly("hi", "▁you");
        assertThat(first.split("hi you", true)).containsExactly("▁hi", "▁you");
        assertThat(never.split("hi you", true)).containsExactly("hi▁you");
        assertThat(new Decoder.Metaspace("▁", true).decode(List.of("▁hi", "▁you"))).isEqualTo("hi you");
    }

    @Test
    void gpt2StyleByteLevelWithItsOwnRegexGivesTheIdsTokenizersGave() throws Exception {
        // The file TokenizerJsonTest loads as Cria's own, made by tokenizers 0.23.2 with a lone GPT-2
        // ByteLevel pre-tokenizer; without Cria's specials it goes through HfTokenizer, and must give the
        // ids tokenizers returned (quoted there).
        ObjectNode root = (ObjectNode) JSON.readTree(getClass().getResourceAsStream("hf-gpt2-style.json"));
        root.putArray("added_tokens");

        Tokenizer t = load(root);

        assertThat(t).isInstanceOf(HfTokenizer.class);
        assertThat(t.encode("The little cat played in the garden."))
                .containsExactly(278, 274, 273, 289, 275, 227, 288, 268, 227, 282, 266, 292, 280, 20);
        assertThat(t.encode("A dog named Lily! 🐶"))
                .containsExactly(39, 269, 287, 227, 84, 71, 83, 268, 227, 276, 285, 7, 227, 179, 260, 245, 121);
        assertThat(t.decode(t.encode("A dog named Lily! 🐶"))).isEqualTo("A dog named Lily! 🐶");
        assertThat(new String(t.tokenBytes(227), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(" ");
    }

    @Test
    void unigramIsRefusedNamingModelType() throws Exception {
        ObjectNode root = sentencePiece();
        ((ObjectNode) root.get("model")).put("type", "Unigram");

        assertThatThrownBy(() -> load(root))
                .isInstanceOf(CriaException.class)
                .hasMessageContaining("tokenizer.json: model.type: \"Unigram\" is not supported; Cria reads BPE models only");
    }

    @Test
    void unknownComponentsAreRefusedNamingTheField() throws Exception {
        ObjectNode root = sentencePiece();
        root.putObject("pre_tokenizer").put("type", "BertPreTokenizer");

        assertThatThrownBy(() -> load(root))
                .hasMessageContaining("tokenizer.json: pre_tokenizer.type: \"BertPreTokenizer\" is not supported");
    }
}
