package dev.cria.align;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cria.data.TokenPacker;
import dev.cria.model.Llama;
import dev.cria.model.LlamaConfig;
import dev.cria.model.LoraConfig;
import dev.cria.tokenizer.HfTokenizer;
import dev.cria.tokenizer.Tokenizer;
import dev.cria.tokenizer.Tokenizers;
import dev.cria.train.RunDirectory;
import dev.cria.train.RunSettings;
import dev.cria.train.StopSignal;
import dev.cria.util.CriaException;
import dev.cria.util.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trainers with another model's tokenizer: a hand-made tokenizer.json in the Llama 3 style (byte-level
 * BPE behind Llama 3's split regex, {@code <|begin_of_text|>} and {@code <|end_of_text|>} as added
 * tokens) whose tokenizer_config.json names bos and eos but no pad, so {@code padId()} is -1.
 */
class ForeignTokenizerSftTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LLAMA3_SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    private static final String[] MERGES = {"Ġ t", "h e", "Ġt he", "Ġ c", "a t", "Ġc at", "Ġ s", "a y", "Ġs ay"};

    @TempDir
    Path dir;

    @Test
    void loraSftWithoutAPadIdChangesOnlyTheAdaptersWithFiniteLosses() throws Exception {
        Tokenizer tokenizer = llama3Style(dir.resolve("tok"), true);
        assertThat(tokenizer).isInstanceOf(HfTokenizer.class);
        assertThat(tokenizer.padId()).isEqualTo(-1);
        assertThat(SequenceBatch.padId(tokenizer)).isEqualTo(0);
        var shape = new LlamaConfig(32, 2, 4, 2, 48, tokenizer.vocabSize(), 64, 1e-5f, 10000f, true);
        Llama model = Llama.initialize(shape, new Rng(1));
        model.attachLora(new LoraConfig(4, 8, 0.0, LoraConfig.MODULES), new Rng(2));
        var base = snapshot(model.parameters());
        var adapters = snapshot(model.adapterParameters());

        var result = new SftTrainer(model, tokenizer, examples(tokenizer, 12, 1), examples(tokenizer, 4, 2),
                new SftConfig(new RunSettings(4, 3, 1e-2, 0, 0.0, 1.0, 0, 0, 7)), RunDirectory.at(dir.resolve("run")))
                .run(StopSignal.manual());

        model.parameters().forEach((n, t) -> assertThat(t.data).as(n).containsExactly(base.get(n)));
        model.adapterParameters().forEach((n, t) -> assertThat(t.data).as(n).isNotEqualTo(adapters.get(n)));
        assertThat(result.metric("train/loss")).isFinite();
        assertThat(result.metric("val/loss")).isFinite();
    }

    @Test
    void aMissingBosOrEosFailsNamingIt() throws Exception {
        Tokenizer noSpecials = llama3Style(dir.resolve("bare"), false);
        assertThat(noSpecials.bosId()).isEqualTo(-1);

        assertThatThrownBy(() -> TokenPacker.pack(noSpecials, List.of("the cat")))
                .isInstanceOf(CriaException.class)
                .hasMessage("the tokenizer has no bos token (its tokenizer_config.json names no bos_token); "
                        + "packing documents as <bos> doc <eos> needs one");
        assertThatThrownBy(() -> noSpecials.requireEos("RL"))
                .hasMessageContaining("no eos token").hasMessageContaining("RL needs one");
    }

    /**
     * {@code <bos> the cat say W} then {@code " W W" <eos>}: "say" is one token and "hat" three, so
     * examples differ in length and batches are padded.
     */
    private static List<TokenizedExample> examples(Tokenizer tokenizer, int n, long seed) {
        String[] words = {"the", "cat", "say", "hat", "sat"};
        Rng rng = new Rng(seed);
        var out = new ArrayList<TokenizedExample>();
        for (int i = 0; i < n; i++) {
            int[] prompt = tokenizer.encode("the cat say " + words[rng.nextInt(words.length)]);
            int[] response = tokenizer.encode(" " + words[rng.nextInt(words.length)] + " " + words[rng.nextInt(words.length)]);
            int[] tokens = new int[1 + prompt.length + response.length + 1];
            tokens[0] = tokenizer.bosId();
            System.arraycopy(prompt, 0, tokens, 1, prompt.length);
            System.arraycopy(response, 0, tokens, 1 + prompt.length, response.length);
            tokens[1 + prompt.length + response.length] = tokenizer.eosId();
            out.add(new TokenizedExample(tokens, 1 + prompt.length));
        }
        return out;
    }

    private static Map<String, float[]> snapshot(Map<String, dev.cria.autograd.Tensor> params) {
        var out = new HashMap<String, float[]>();
        params.forEach((n, t) -> out.put(n, t.data.clone()));
        return out;
    }

    /** Writes tokenizer.json (and, with specials, tokenizer_config.json naming bos and eos only) and loads it. */
    private static Tokenizer llama3Style(Path dir, boolean withConfig) throws Exception {
        Files.createDirectories(dir);
        ObjectNode root = JSON.createObjectNode().put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        var vocab = JSON.createObjectNode();
        for (int b = 0; b < 256; b++) vocab.put(byteChar(b), b);
        ArrayNode merges = JSON.createArrayNode();
        for (String m : MERGES) {
            merges.add(m);
            vocab.put(m.replace(" ", ""), vocab.size());
        }
        int bos = vocab.size(), eos = bos + 1;
        ArrayNode added = root.putArray("added_tokens");
        added.add(special(bos, "<|begin_of_text|>"));
        added.add(special(eos, "<|end_of_text|>"));
        root.putNull("normalizer");
        ObjectNode pre = root.putObject("pre_tokenizer").put("type", "Sequence");
        ArrayNode steps = pre.putArray("pretokenizers");
        ObjectNode split = steps.addObject().put("type", "Split");
        split.putObject("pattern").put("Regex", LLAMA3_SPLIT);
        split.put("behavior", "Isolated").put("invert", false);
        steps.addObject().put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", true).put("use_regex", false);
        root.putObject("post_processor").put("type", "ByteLevel").put("add_prefix_space", true).put("trim_offsets", false).put("use_regex", true);
        root.putObject("decoder").put("type", "ByteLevel").put("add_prefix_space", true).put("trim_offsets", true).put("use_regex", true);
        ObjectNode model = root.putObject("model").put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.put("fuse_unk", false).put("byte_fallback", false).put("ignore_merges", true);
        model.set("vocab", vocab);
        model.set("merges", merges);
        Files.writeString(dir.resolve("tokenizer.json"), JSON.writeValueAsString(root));
        if (withConfig) {
            Files.writeString(dir.resolve("tokenizer_config.json"),
                    "{\"bos_token\": \"<|begin_of_text|>\", \"eos_token\": \"<|end_of_text|>\", \"tokenizer_class\": \"PreTrainedTokenizerFast\"}");
        }
        return Tokenizers.load(dir.resolve("tokenizer.json"));
    }

    private static ObjectNode special(int id, String content) {
        return JSON.createObjectNode().put("id", id).put("content", content).put("single_word", false).put("lstrip", false)
                .put("rstrip", false).put("normalized", false).put("special", true);
    }

    /** GPT-2's bytes_to_unicode: printable bytes stand for themselves, the rest map to U+0100 onwards. */
    private static String byteChar(int b) {
        boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        if (printable) return String.valueOf((char) b);
        int n = 0;
        for (int c = 0; c < b; c++) {
            if (!((c >= '!' && c <= '~') || (c >= 0xA1 && c <= 0xAC) || (c >= 0xAE && c <= 0xFF))) n++;
        }
        return String.valueOf((char) (256 + n));
    }
}
