package dev.cria.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads any BPE {@code tokenizer.json} into an {@link HfTokenizer}; each component parses itself
 * ({@link Normalizer#parse} ...). What it is not: a writer (Cria writes only its own layout, see
 * {@link TokenizerJson}), nor a reader of Unigram, WordPiece or WordLevel models, which it refuses naming
 * {@code model.type}. Bos, eos and pad come from {@code tokenizer_config.json} beside the file, if any.
 */
final class HfTokenizerJson {
    private final Path file;
    private final JsonFields json;

    private HfTokenizerJson(Path file) {
        this.file = file;
        this.json = new JsonFields(file);
    }

    static HfTokenizer read(Path file, JsonNode root, byte[] source) {
        return new HfTokenizerJson(file).parse(root, source);
    }

    private HfTokenizer parse(JsonNode root, byte[] source) {
        if (!root.isObject()) throw json.fail("(root)", "expected a JSON object, got " + root.getNodeType());
        JsonNode model = json.required(root, "model", "(root)");
        String type = model.path("type").asText("(none)");
        if (!type.equals("BPE")) {
            throw json.fail("model.type", "\"" + type + "\" is not supported; Cria reads BPE models only "
                    + "(byte-level as in Llama 3, Qwen3, GPT-2, or SentencePiece-style as in Llama 2, Mistral)");
        }
        rejectUnsupported(model);
        Map<String, Integer> vocab = vocab(json.required(model, "vocab", "model"));
        List<AddedTokens.Token> added = addedTokens(root.get("added_tokens"));
        String[] tokens = tokensById(vocab, added);

        BpeModel bpe = bpeModel(model, vocab);
        return new HfTokenizer(new AddedTokens(added),
                Normalizer.parse(root.get("normalizer"), "normalizer", json),
                PreTokenizer.parse(root.get("pre_tokenizer"), "pre_tokenizer", json),
                bpe,
                PostProcessor.parse(root.get("post_processor"), "post_processor", json),
                Decoder.parse(root.get("decoder"), "decoder", json),
                tokens, specials(vocab, added), source, companions());
    }

    /** tokenizer_config.json and chat_template.jinja beside the file, by name, so a save keeps them. */
    private Map<String, byte[]> companions() {
        Map<String, byte[]> files = new java.util.LinkedHashMap<>();
        for (String name : HfTokenizer.COMPANIONS) {
            Path companion = file.resolveSibling(name);
            if (!Files.isRegularFile(companion)) continue;
            try {
                files.put(name, Files.readAllBytes(companion));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(companion + ": cannot read: " + e.getMessage(), e);
            }
        }
        return files;
    }

    private void rejectUnsupported(JsonNode model) {
        JsonNode dropout = model.get("dropout");
        if (dropout != null && !dropout.isNull() && dropout.asDouble() != 0) {
            throw json.fail("model.dropout", "must be null or 0 (Cria encodes deterministically), got " + dropout);
        }
        for (String option : List.of("continuing_subword_prefix", "end_of_word_suffix")) {
            String value = json.optionalText(model, option, "model");
            if (value != null && !value.isEmpty()) {
                throw json.fail("model." + option, "must be null or empty (WordPiece-style BPE is not supported), got \"" + value + "\"");
            }
        }
    }

    private BpeModel bpeModel(JsonNode model, Map<String, Integer> vocab) {
        JsonNode merges = json.required(model, "merges", "model");
        if (!merges.isArray()) throw json.fail("model.merges", "expected an array, got " + merges.getNodeType());
        PairMap ranks = new PairMap(merges.size());
        int[] results = new int[merges.size()];
        for (int r = 0; r < merges.size(); r++) {
            String field = "model.merges[" + r + "]";
            String[] pair = mergePair(merges.get(r), field);
            int left = vocabId(vocab, pair[0], field, "token");
            int right = vocabId(vocab, pair[1], field, "token");
            results[r] = vocabId(vocab, pair[0] + pair[1], field, "merged token");
            // A repeated merge keeps its first rank, as tokenizers does.
            ranks.putIfAbsent(left, right, r);
        }
        String unkToken = json.optionalText(model, "unk_token", "model");
        int unk = unkToken == null ? -1 : vocabId(vocab, unkToken, "model.unk_token", "unknown token");
        int[] byteIds = new int[256];
        Arrays.fill(byteIds, -1);
        if (json.bool(model, "byte_fallback", false, "model")) {
            for (int b = 0; b < 256; b++) byteIds[b] = vocab.getOrDefault(String.format("<0x%02X>", b), -1);
        }
        return new BpeModel(vocab, ranks, results, unk, json.bool(model, "fuse_unk", false, "model"), byteIds,
                json.bool(model, "ignore_merges", false, "model"));
    }

    /** {@code ["a", "b"]} or {@code "a b"} (one space: BPE vocabularies spell spaces as 'Ġ' or '▁'). */
    private String[] mergePair(JsonNode merge, String field) {
        if (merge.isTextual()) {
            String[] parts = merge.asText().split(" ", -1);
            if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
                throw json.fail(field, "expected \"left right\" with one space, got \"" + merge.asText() + "\"");
            }
            return parts;
        }
        if (merge.isArray() && merge.size() == 2 && merge.get(0).isTextual() && merge.get(1).isTextual()) {
            return new String[] {merge.get(0).asText(), merge.get(1).asText()};
        }
        throw json.fail(field, "expected [\"left\", \"right\"] or \"left right\", got " + merge);
    }

    private Map<String, Integer> vocab(JsonNode node) {
        if (!node.isObject()) throw json.fail("model.vocab", "expected an object of token to id, got " + node.getNodeType());
        Map<String, Integer> vocab = new HashMap<>(node.size() * 2);
        for (var e : node.properties()) {
            JsonNode id = e.getValue();
            if (!id.isIntegralNumber() || !id.canConvertToInt() || id.asInt() < 0) {
                throw json.fail("model.vocab['" + e.getKey() + "']", "expected a non-negative integer id, got " + id);
            }
            vocab.put(e.getKey(), id.asInt());
        }
        return vocab;
    }

    private List<AddedTokens.Token> addedTokens(JsonNode node) {
        List<AddedTokens.Token> added = new ArrayList<>();
        if (node == null || node.isNull()) return added;
        if (!node.isArray()) throw json.fail("added_tokens", "expected an array, got " + node.getNodeType());
        for (int i = 0; i < node.size(); i++) {
            String field = "added_tokens[" + i + "]";
            JsonNode t = node.get(i);
            int id = json.nonNegative(t, "id", -1, field);
            if (id < 0) throw json.fail(field + ".id", "missing");
            boolean special = json.bool(t, "special", false, field);
            added.add(new AddedTokens.Token(id, json.text(t, "content", field), special,
                    json.bool(t, "lstrip", false, field), json.bool(t, "rstrip", false, field),
                    json.bool(t, "single_word", false, field), json.bool(t, "normalized", !special, field)));
        }
        return added;
    }

    private String[] tokensById(Map<String, Integer> vocab, List<AddedTokens.Token> added) {
        int size = 0;
        for (int id : vocab.values()) size = Math.max(size, id + 1);
        for (AddedTokens.Token t : added) size = Math.max(size, t.id() + 1);
        String[] tokens = new String[size];
        for (var e : vocab.entrySet()) {
            String other = tokens[e.getValue()];
            if (other != null) {
                throw json.fail("model.vocab", "id " + e.getValue() + " is used by both '" + other + "' and '" + e.getKey() + "'");
            }
            tokens[e.getValue()] = e.getKey();
        }
        for (AddedTokens.Token t : added) {
            String other = tokens[t.id()];
            if (other != null && !other.equals(t.content())) {
                throw json.fail("added_tokens", "id " + t.id() + " of '" + t.content() + "' is also the id of '" + other + "'");
            }
            tokens[t.id()] = t.content();
        }
        return tokens;
    }

    private int vocabId(Map<String, Integer> vocab, String token, String field, String what) {
        Integer id = vocab.get(token);
        if (id == null) throw json.fail(field, what + " '" + token + "' not in vocab");
        return id;
    }

    /** Bos, eos and pad as {@code tokenizer_config.json} names them; the chat roles are -1 (no Cria chat format). */
    private SpecialTokens specials(Map<String, Integer> vocab, List<AddedTokens.Token> added) {
        Map<String, Integer> ids = new HashMap<>(vocab);
        for (AddedTokens.Token t : added) ids.put(t.content(), t.id());
        JsonNode config = config();
        int bos = id(ids, config, "bos_token");
        int eos = id(ids, config, "eos_token");
        int pad = id(ids, config, "pad_token");
        return new SpecialTokens(bos, eos, pad, -1, -1, -1, -1);
    }

    private JsonNode config() {
        Path config = file.resolveSibling("tokenizer_config.json");
        if (!Files.isRegularFile(config)) return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        return TokenizerJson.readTree(config);
    }

    private static int id(Map<String, Integer> ids, JsonNode config, String name) {
        JsonNode node = config.path(name);
        String content = node.isTextual() ? node.asText() : node.path("content").asText(null);
        return content == null ? -1 : ids.getOrDefault(content, -1);
    }
}
