package dev.cria.tokenizer;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cria.util.CriaException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.PatternSyntaxException;

/**
 * Reads and writes Hugging Face {@code tokenizer.json} files for byte-level BPE, the kind GPT-2 and
 * Llama 3 ship, so Cria's tokenizers load in the {@code tokenizers} library and back. Written layout:
 * <ul>
 *   <li>{@code pre_tokenizer}: a {@code Sequence} of {@code Split} (our regex, {@code Isolated}) and
 *       {@code ByteLevel} without its own regex; {@code decoder}: {@code ByteLevel};</li>
 *   <li>{@code model}: {@code BPE} with {@code vocab} (token string to id, bytes spelled with
 *       {@link ByteLevelAlphabet}) and {@code merges} as {@code [left, right]} pairs in rank order;</li>
 *   <li>{@code added_tokens}: the seven specials, {@code special: true}.</li>
 * </ul>
 * Reading also accepts merges in the old {@code "left right"} form, specials that are also in
 * {@code model.vocab} (as in GPT-2), and a lone {@code ByteLevel} pre-tokenizer with its GPT-2 regex.
 * Every problem names the file and the field: {@code tokenizer.json: model.merges[12]: token 'xy' not
 * in vocab}. Checked by hand against {@code tokenizers} 0.23: files we write give the same ids there on
 * 2,000 paragraphs, and files it trains give the same ids here (a small one is a test fixture).
 *
 * <p>Not supported: normalizers, post-processors (a Cria caller adds bos/eos by id), BPE dropout,
 * unknown tokens, byte fallback, and added tokens other than the specials. {@link Tokenizers#load} sends
 * files without Cria's seven specials (other models' files) to {@link HfTokenizerJson}, which reads all of
 * these.
 */
final class TokenizerJson {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Two-space indent and {@code "key": value}, as Hugging Face writes; arrays stay on one line. */
    private static final DefaultPrettyPrinter PRETTY = new DefaultPrettyPrinter(
            Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER));

    private final Path file;

    private TokenizerJson(Path file) {
        this.file = file;
    }

    static void write(ByteLevelBpe bpe, Path file) {
        AtomicWrite.write(file, toJson(bpe));
    }

    static ByteLevelBpe read(Path file) {
        return new TokenizerJson(file).parse(readTree(file));
    }

    static byte[] toJson(ByteLevelBpe bpe) {
        byte[][] tokens = bpe.tokens();
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int id : bpe.specials().ids()) {
            ObjectNode token = added.addObject();
            token.put("id", id);
            token.put("content", new String(tokens[id], StandardCharsets.UTF_8));
            token.put("single_word", false);
            token.put("lstrip", false);
            token.put("rstrip", false);
            token.put("normalized", false);
            token.put("special", true);
        }
        root.putNull("normalizer");
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "Sequence");
        ArrayNode steps = pre.putArray("pretokenizers");
        ObjectNode split = steps.addObject();
        split.put("type", "Split");
        split.putObject("pattern").put("Regex", bpe.splitPattern());
        split.put("behavior", "Isolated");
        split.put("invert", false);
        byteLevel(steps.addObject(), false);
        root.putNull("post_processor");
        byteLevel(root.putObject("decoder"), true);

        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        for (int id = 0; id < tokens.length; id++) {
            if (bpe.isSpecial(id)) continue;
            String token = ByteLevelAlphabet.toToken(tokens[id]);
            if (vocab.has(token)) throw new IllegalStateException("two ids spell token '" + token + "', one is " + id);
            vocab.put(token, id);
        }
        ArrayNode merges = model.putArray("merges");
        for (ByteLevelBpe.Merge m : bpe.merges()) {
            merges.addArray()
                    .add(ByteLevelAlphabet.toToken(tokens[m.left()]))
                    .add(ByteLevelAlphabet.toToken(tokens[m.right()]));
        }
        try {
            return JSON.writer(PRETTY).writeValueAsBytes(root);
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot serialize a JSON tree", e);
        }
    }

    private static void byteLevel(ObjectNode node, boolean useRegex) {
        node.put("type", "ByteLevel");
        // The decoder ignores these flags; Hugging Face writes them as true there, and so do we.
        node.put("add_prefix_space", useRegex);
        node.put("trim_offsets", true);
        node.put("use_regex", useRegex);
    }

    static JsonNode readTree(Path file) {
        try {
            return JSON.readTree(Files.readAllBytes(file));
        } catch (JacksonException e) {
            throw new CriaException(file + ": not valid JSON: " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + ")", e);
        } catch (NoSuchFileException e) {
            throw new CriaException(file + ": no such file", e);
        } catch (IOException e) {
            throw new CriaException(file + ": cannot read: " + e, e);
        }
    }

    private ByteLevelBpe parse(JsonNode root) {
        if (!root.isObject()) throw fail("(root)", "expected a JSON object, got " + root.getNodeType());
        JsonNode normalizer = root.get("normalizer");
        if (normalizer != null && !normalizer.isNull()) {
            throw fail("normalizer", "must be null; Cria does not normalize text");
        }
        String splitPattern = splitPattern(root.get("pre_tokenizer"));

        JsonNode model = required(root, "model", "model");
        String type = text(required(model, "type", "model.type"), "model.type");
        if (!type.equals("BPE")) throw fail("model.type", "expected \"BPE\", got \"" + type + "\"");
        // Options that would change how text splits into tokens; our encoder implements none of them.
        for (String option : List.of("dropout", "unk_token", "continuing_subword_prefix", "end_of_word_suffix")) {
            JsonNode value = model.get(option);
            if (value != null && !value.isNull()) throw fail("model." + option, "must be null, got " + value);
        }
        for (String option : List.of("byte_fallback", "ignore_merges")) {
            if (model.path(option).asBoolean(false)) throw fail("model." + option, "must be false");
        }
        Map<String, Integer> vocab = vocab(required(model, "vocab", "model.vocab"));
        Map<String, Integer> added = addedTokens(root.get("added_tokens"), vocab);

        SpecialTokens specials = specials(added);
        byte[][] tokens = tokensById(vocab, added);
        for (int b = 0; b < 256; b++) {
            String token = String.valueOf(ByteLevelAlphabet.charOf(b));
            if (!vocab.containsKey(token)) {
                throw fail("model.vocab", String.format(
                        "missing byte token '%s' (byte 0x%02X); byte-level BPE needs all 256", token, b));
            }
        }
        return new ByteLevelBpe(tokens, merges(required(model, "merges", "model.merges"), vocab),
                specials, splitPattern);
    }

    private String splitPattern(JsonNode pre) {
        String field = "pre_tokenizer";
        if (pre != null && "ByteLevel".equals(pre.path("type").asText())) {
            if (pre.path("add_prefix_space").asBoolean(false)) throw fail(field + ".add_prefix_space", "must be false");
            if (!pre.path("use_regex").asBoolean(true)) {
                throw fail(field + ".use_regex", "must be true when ByteLevel is the only pre-tokenizer");
            }
            return PreTokenizer.ByteLevel.GPT2_SPLIT_PATTERN;
        }
        String expected = "expected a Sequence of Split (a Regex, behavior Isolated) and ByteLevel (use_regex false)";
        if (pre == null || !"Sequence".equals(pre.path("type").asText())) throw fail(field, expected);
        JsonNode steps = pre.path("pretokenizers");
        if (steps.size() != 2) throw fail(field + ".pretokenizers", expected);
        JsonNode split = steps.get(0);
        JsonNode byteLevel = steps.get(1);
        if (!"Split".equals(split.path("type").asText()) || !"Isolated".equals(split.path("behavior").asText())
                || split.path("invert").asBoolean(false)) {
            throw fail(field + ".pretokenizers[0]", expected);
        }
        if (!"ByteLevel".equals(byteLevel.path("type").asText()) || byteLevel.path("use_regex").asBoolean(true)
                || byteLevel.path("add_prefix_space").asBoolean(false)) {
            throw fail(field + ".pretokenizers[1]", expected);
        }
        String regexField = field + ".pretokenizers[0].pattern.Regex";
        String regex = text(split.path("pattern").path("Regex"), regexField);
        try {
            BpeTokenizer.compileSplit(regex);
        } catch (PatternSyntaxException e) {
            throw fail(regexField, "Java cannot compile this regex: " + e.getDescription());
        }
        return regex;
    }

    private Map<String, Integer> vocab(JsonNode node) {
        if (!node.isObject()) throw fail("model.vocab", "expected an object of token to id, got " + node.getNodeType());
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (var e : node.properties()) {
            String token = e.getKey();
            String field = "model.vocab['" + token + "']";
            int id = id(e.getValue(), field);
            try {
                ByteLevelAlphabet.toBytes(token);
            } catch (IllegalArgumentException notByteLevel) {
                throw fail(field, notByteLevel.getMessage());
            }
            vocab.put(token, id);
        }
        return vocab;
    }

    /** Added tokens by content; those also in the vocab must agree with it on the id. */
    private Map<String, Integer> addedTokens(JsonNode node, Map<String, Integer> vocab) {
        Map<String, Integer> added = new LinkedHashMap<>();
        if (node == null || node.isNull()) return added;
        if (!node.isArray()) throw fail("added_tokens", "expected an array, got " + node.getNodeType());
        List<String> ours = List.of(SpecialTokens.NAMES);
        for (int i = 0; i < node.size(); i++) {
            String field = "added_tokens[" + i + "]";
            int id = id(required(node.get(i), "id", field + ".id"), field + ".id");
            String content = text(required(node.get(i), "content", field + ".content"), field + ".content");
            Integer vocabId = vocab.get(content);
            if (vocabId != null && vocabId != id) {
                throw fail(field, "'" + content + "' has id " + id + " here but " + vocabId + " in model.vocab");
            }
            if (vocabId == null && !ours.contains(content)) {
                throw fail(field, "'" + content + "' is neither in model.vocab nor a Cria special token " + ours);
            }
            added.put(content, id);
        }
        return added;
    }

    private byte[][] tokensById(Map<String, Integer> vocab, Map<String, Integer> added) {
        Map<Integer, String> byId = new HashMap<>();
        for (var e : vocab.entrySet()) {
            String other = byId.put(e.getValue(), e.getKey());
            if (other != null) {
                throw fail("model.vocab", "id " + e.getValue() + " is used by both '" + other + "' and '" + e.getKey() + "'");
            }
        }
        for (var e : added.entrySet()) {
            if (vocab.containsKey(e.getKey())) continue;
            String other = byId.put(e.getValue(), e.getKey());
            if (other != null) {
                throw fail("added_tokens", "id " + e.getValue() + " of '" + e.getKey() + "' is also the id of '" + other + "'");
            }
        }
        byte[][] tokens = new byte[byId.size()][];
        for (var e : byId.entrySet()) {
            int id = e.getKey();
            if (id >= tokens.length) {
                throw fail("model.vocab", "ids must run from 0 to " + (tokens.length - 1) + " without gaps, but '"
                        + e.getValue() + "' has id " + id);
            }
            boolean inVocab = vocab.containsKey(e.getValue());
            tokens[id] = inVocab
                    ? ByteLevelAlphabet.toBytes(e.getValue())
                    : e.getValue().getBytes(StandardCharsets.UTF_8);
        }
        return tokens;
    }

    private List<ByteLevelBpe.Merge> merges(JsonNode node, Map<String, Integer> vocab) {
        if (!node.isArray()) throw fail("model.merges", "expected an array, got " + node.getNodeType());
        List<ByteLevelBpe.Merge> merges = new ArrayList<>(node.size());
        PairMap seen = new PairMap(node.size());
        for (int r = 0; r < node.size(); r++) {
            String field = "model.merges[" + r + "]";
            String[] pair = mergePair(node.get(r), field);
            int left = vocabId(vocab, pair[0], field, "token");
            int right = vocabId(vocab, pair[1], field, "token");
            int result = vocabId(vocab, pair[0] + pair[1], field, "merged token");
            if (!seen.putIfAbsent(left, right, r)) {
                throw fail(field, "duplicate merge '" + pair[0] + "' + '" + pair[1] + "', first at model.merges["
                        + seen.get(left, right) + "]");
            }
            merges.add(new ByteLevelBpe.Merge(left, right, result));
        }
        return merges;
    }

    /** {@code ["a", "b"]} (current format) or {@code "a b"} (old format; byte-level tokens hold no space). */
    private String[] mergePair(JsonNode merge, String field) {
        if (merge.isTextual()) {
            String[] parts = merge.asText().split(" ", -1);
            if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
                throw fail(field, "expected \"left right\" with one space, got \"" + merge.asText() + "\"");
            }
            return parts;
        }
        if (merge.isArray() && merge.size() == 2 && merge.get(0).isTextual() && merge.get(1).isTextual()) {
            return new String[] {merge.get(0).asText(), merge.get(1).asText()};
        }
        throw fail(field, "expected [\"left\", \"right\"] or \"left right\", got " + merge);
    }

    private int vocabId(Map<String, Integer> vocab, String token, String field, String what) {
        Integer id = vocab.get(token);
        if (id == null) throw fail(field, what + " '" + token + "' not in vocab");
        return id;
    }

    private SpecialTokens specials(Map<String, Integer> added) {
        List<String> missing = new ArrayList<>();
        int[] ids = new int[SpecialTokens.NAMES.length];
        for (int s = 0; s < ids.length; s++) {
            Integer id = added.get(SpecialTokens.NAMES[s]);
            if (id == null) missing.add(SpecialTokens.NAMES[s]);
            else ids[s] = id;
        }
        if (!missing.isEmpty()) {
            throw fail("added_tokens", "missing Cria special tokens " + missing + " (has " + added.keySet()
                    + "); retrain with Cria or add them as special added tokens");
        }
        return new SpecialTokens(ids[0], ids[1], ids[2], ids[3], ids[4], ids[5], ids[6]);
    }

    private JsonNode required(JsonNode parent, String name, String field) {
        JsonNode node = parent.get(name);
        if (node == null || node.isNull()) throw fail(field, "missing");
        return node;
    }

    private String text(JsonNode node, String field) {
        if (!node.isTextual()) {
            throw fail(field, "expected a string, got " + (node.isMissingNode() ? "nothing" : node.toString()));
        }
        return node.asText();
    }

    private int id(JsonNode node, String field) {
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < 0) {
            throw fail(field, "expected a non-negative integer id, got " + node);
        }
        return node.asInt();
    }

    private CriaException fail(String field, String problem) {
        return new CriaException(file + ": " + field + ": " + problem);
    }
}
