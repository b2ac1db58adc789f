package dev.cria.checkpoint.gguf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cria.tokenizer.Tokenizer;
import dev.cria.util.CriaException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A model directory's tokenizer as GGUF's {@code tokenizer.*} metadata, the way llama.cpp's converter writes
 * it, read from the directory's {@code tokenizer.json} (and {@code tokenizer_config.json}):
 * <ul>
 *   <li>byte-level BPE (Cria's own, Llama 3, Qwen) is {@code gpt2}: the tokens as the file spells them
 *       (bytes in GPT-2's alphabet), their types, the merges as {@code "left right"}, and the
 *       pre-tokenizer's name ({@link PreTokenizerNames});</li>
 *   <li>SentencePiece-style BPE with byte fallback (Llama 2, Mistral) is {@code llama}: tokens, types
 *       ({@code <0xNN>} are BYTE) and scores, no merges. subtle: llama.cpp merges such a vocabulary by
 *       score, highest first, so a token's score is minus the rank of the merge that makes it: the same
 *       order the file's merges give (a Llama 2 file's merges were made from its scores).</li>
 * </ul>
 * Ids the model's embedding has beyond the tokenizer's are filled with {@code [PADn]} tokens of type
 * UNUSED, as the converter does. Special ids, add_bos_token and the chat template come along.
 */
final class VocabExport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final Path file;

    private VocabExport(Path dir) {
        this.dir = dir;
        this.file = dir.resolve("tokenizer.json");
    }

    /** Puts the tokenizer of model directory {@code dir} into {@code gguf}, padded to {@code vocabSize} tokens. */
    static void write(Path dir, Tokenizer tokenizer, int vocabSize, GgufWriter gguf) {
        new VocabExport(dir).put(tokenizer, vocabSize, gguf);
    }

    private void put(Tokenizer tokenizer, int vocabSize, GgufWriter gguf) {
        JsonNode root = read(file);
        JsonNode model = root.path("model");
        if (!"BPE".equals(model.path("type").asText())) throw fail("model.type", "is " + model.path("type") + "; GGUF export needs a BPE tokenizer");
        Map<Integer, String> byId = new HashMap<>();
        model.path("vocab").properties().forEach(e -> byId.put(e.getValue().asInt(), e.getKey()));
        Map<Integer, Boolean> added = new HashMap<>();
        for (JsonNode t : root.path("added_tokens")) {
            byId.put(t.path("id").asInt(), t.path("content").asText());
            added.put(t.path("id").asInt(), t.path("special").asBoolean(false));
        }
        int size = byId.keySet().stream().mapToInt(i -> i + 1).max().orElse(0);
        if (size > vocabSize) throw fail("model.vocab", "has ids up to " + (size - 1) + " but the model's vocab_size is " + vocabSize);

        boolean sentencePiece = model.path("byte_fallback").asBoolean(false);
        String unkToken = model.path("unk_token").isTextual() ? model.path("unk_token").asText() : null;
        List<String> tokens = new ArrayList<>(vocabSize);
        int[] types = new int[vocabSize];
        for (int id = 0; id < vocabSize; id++) {
            String token = byId.get(id);
            if (token == null) {
                tokens.add("[PAD" + id + "]");
                types[id] = GgufKeys.UNUSED;
                continue;
            }
            tokens.add(token);
            if (added.containsKey(id)) types[id] = added.get(id) || looksSpecial(token) ? GgufKeys.CONTROL : GgufKeys.USER_DEFINED;
            else if (sentencePiece && token.matches("<0x[0-9A-F]{2}>")) types[id] = GgufKeys.BYTE;
            else types[id] = GgufKeys.NORMAL;
            if (token.equals(unkToken)) types[id] = GgufKeys.UNKNOWN;
        }
        List<String[]> merges = merges(model.path("merges"));
        if (sentencePiece) {
            gguf.putString(GgufKeys.TOKENIZER_MODEL, "llama");
            gguf.putStrings(GgufKeys.TOKENS, tokens);
            gguf.putF32s(GgufKeys.SCORES, scores(tokens, types, merges));
            gguf.putI32s(GgufKeys.TOKEN_TYPE, types);
            if (!prependsSpace(root)) gguf.putBool(GgufKeys.ADD_SPACE_PREFIX, false);
        } else {
            gguf.putString(GgufKeys.TOKENIZER_MODEL, "gpt2");
            gguf.putString(GgufKeys.TOKENIZER_PRE, preTokenizer(root).ggufName);
            gguf.putStrings(GgufKeys.TOKENS, tokens);
            gguf.putI32s(GgufKeys.TOKEN_TYPE, types);
            gguf.putStrings(GgufKeys.MERGES, merges.stream().map(m -> m[0] + " " + m[1]).toList());
        }
        putSpecials(root, tokenizer, unkToken == null ? -1 : tokens.indexOf(unkToken), gguf);
    }

    /** The special ids, whether bos and eos are added, and the chat template. */
    private void putSpecials(JsonNode root, Tokenizer tokenizer, int unk, GgufWriter gguf) {
        JsonNode config = tokenizerConfig();
        if (tokenizer.bosId() >= 0) gguf.putU32(GgufKeys.BOS_ID, tokenizer.bosId());
        if (tokenizer.eosId() >= 0) gguf.putU32(GgufKeys.EOS_ID, tokenizer.eosId());
        if (unk >= 0) gguf.putU32(GgufKeys.UNK_ID, unk);
        if (tokenizer.padId() >= 0) gguf.putU32(GgufKeys.PAD_ID, tokenizer.padId());
        JsonNode addBos = config.path("add_bos_token");
        gguf.putBool(GgufKeys.ADD_BOS, addBos.isBoolean() ? addBos.asBoolean() : addsBos(root, tokenizer));
        if (config.path("add_eos_token").isBoolean()) gguf.putBool(GgufKeys.ADD_EOS, config.path("add_eos_token").asBoolean());
        String template = chatTemplate(config);
        if (template != null) gguf.putString(GgufKeys.CHAT_TEMPLATE, template);
    }

    /**
     * Whether a SentencePiece-style file puts '▁' in front of the text (llama.cpp's add_space_prefix,
     * true unless written): Llama 2's Prepend normalizer, or a Metaspace pre-tokenizer that prepends.
     */
    private static boolean prependsSpace(JsonNode root) {
        List<JsonNode> steps = new ArrayList<>();
        for (String field : List.of("normalizer", "pre_tokenizer")) {
            JsonNode node = root.path(field);
            steps.add(node);
            node.path("normalizers").forEach(steps::add);
            node.path("pretokenizers").forEach(steps::add);
        }
        for (JsonNode step : steps) {
            String type = step.path("type").asText();
            if (type.equals("Prepend")) return true;
            if (type.equals("Metaspace")) {
                String scheme = step.path("prepend_scheme").asText(step.path("add_prefix_space").asBoolean(true) ? "always" : "never");
                return !scheme.equals("never");
            }
        }
        return false;
    }

    /**
     * Whether encoding puts bos in front: Cria's own tokenizers (generation always starts with bos), or a
     * post-processor whose template starts with the bos token (Llama 2's, Meta's Llama 3 files).
     */
    private static boolean addsBos(JsonNode root, Tokenizer tokenizer) {
        if (tokenizer.bosId() < 0) return false;
        if (tokenizer.specials().user() >= 0) return true;
        String bos = new String(tokenizer.tokenBytes(tokenizer.bosId()), java.nio.charset.StandardCharsets.UTF_8);
        JsonNode post = root.path("post_processor");
        List<JsonNode> steps = new ArrayList<>();
        if ("Sequence".equals(post.path("type").asText())) post.path("processors").forEach(steps::add);
        else steps.add(post);
        for (JsonNode step : steps) {
            JsonNode first = step.path("single").path(0).path("SpecialToken").path("id");
            if ("TemplateProcessing".equals(step.path("type").asText()) && bos.equals(first.asText())) return true;
        }
        return false;
    }

    /**
     * The converter's does_token_look_special: some models leave tokens that are control tokens unmarked
     * ({@code <|im_start|>}-style names, Gemma's and DeepSeek's), and llama.cpp should not print them.
     */
    private static boolean looksSpecial(String token) {
        return List.of("<pad>", "<mask>", "<2mass>", "[@BOS@]").contains(token)
                || (token.startsWith("<|") && token.endsWith("|>"))
                || (token.startsWith("<\uFF5C") && token.endsWith("\uFF5C>"));
    }

    /** The pre-tokenizer's llama.cpp name, from its split regex; a split llama.cpp does not have is refused. */
    private PreTokenizerNames preTokenizer(JsonNode root) {
        JsonNode pre = root.path("pre_tokenizer");
        boolean ignoreMerges = root.path("model").path("ignore_merges").asBoolean(false);
        String regex = null;
        if ("ByteLevel".equals(pre.path("type").asText()) && pre.path("use_regex").asBoolean(true) && !pre.path("add_prefix_space").asBoolean(false)) {
            regex = PreTokenizerNames.GPT2.regex;
        }
        JsonNode steps = pre.path("pretokenizers");
        if ("Sequence".equals(pre.path("type").asText()) && steps.size() == 2 && "Split".equals(steps.get(0).path("type").asText())
                && "ByteLevel".equals(steps.get(1).path("type").asText()) && !steps.get(1).path("use_regex").asBoolean(true)) {
            regex = steps.get(0).path("pattern").path("Regex").asText(null);
        }
        PreTokenizerNames name = regex == null ? null : PreTokenizerNames.of(regex, ignoreMerges);
        if (name == null) {
            throw fail("pre_tokenizer", "splits text in a way llama.cpp has no pre-tokenizer name for (it knows Llama 3's, Qwen2's and GPT-2's regex): " + pre);
        }
        return name;
    }

    private List<String[]> merges(JsonNode node) {
        List<String[]> merges = new ArrayList<>(node.size());
        for (int r = 0; r < node.size(); r++) {
            JsonNode m = node.get(r);
            String[] pair = m.isArray() ? new String[] {m.get(0).asText(), m.get(1).asText()} : m.asText().split(" ", 2);
            if (pair.length != 2) throw fail("model.merges[" + r + "]", "is " + m + ", not a pair");
            if (pair[0].contains(" ") || pair[1].contains(" ")) {
                throw fail("model.merges[" + r + "]", "holds a space, which GGUF's \"left right\" merges cannot spell: " + m);
            }
            merges.add(pair);
        }
        return merges;
    }

    /**
     * Scores for llama.cpp's SentencePiece merging: minus the rank of the first merge that makes the token;
     * tokens no merge makes (single characters, bytes, specials) keep 0, or -1e9 for a longer normal token,
     * so llama.cpp builds it only when nothing else applies.
     */
    static float[] scores(List<String> tokens, int[] types, List<String[]> merges) {
        Map<String, Integer> rank = new HashMap<>();
        for (int r = 0; r < merges.size(); r++) rank.putIfAbsent(merges.get(r)[0] + merges.get(r)[1], r);
        float[] scores = new float[tokens.size()];
        for (int id = 0; id < scores.length; id++) {
            Integer r = rank.get(tokens.get(id));
            if (r != null) scores[id] = -r;
            else if (types[id] == GgufKeys.NORMAL && tokens.get(id).codePointCount(0, tokens.get(id).length()) > 1) scores[id] = -1e9f;
        }
        return scores;
    }

    private JsonNode tokenizerConfig() {
        Path config = dir.resolve("tokenizer_config.json");
        return Files.isRegularFile(config) ? read(config) : JSON.createObjectNode();
    }

    /** The template tokenizer_config.json names (the "default" one of a list), or chat_template.jinja's. */
    private String chatTemplate(JsonNode config) {
        JsonNode t = config.path("chat_template");
        if (t.isTextual()) return t.asText();
        if (t.isArray()) {
            for (JsonNode named : t) if ("default".equals(named.path("name").asText())) return named.path("template").asText();
        }
        Path jinja = dir.resolve("chat_template.jinja");
        try {
            return Files.isRegularFile(jinja) ? Files.readString(jinja) : null;
        } catch (IOException e) {
            throw new CriaException(jinja + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static JsonNode read(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new CriaException(file + ": cannot read as JSON: " + e.getMessage(), e);
        }
    }

    private CriaException fail(String field, String problem) {
        return new CriaException(file + ": " + field + " " + problem);
    }
}
