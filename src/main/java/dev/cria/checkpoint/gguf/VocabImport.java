package dev.cria.checkpoint.gguf;

import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cria.tokenizer.BpeTokenizer;
import dev.cria.tokenizer.SpecialTokens;
import dev.cria.util.CriaException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A GGUF file's {@code tokenizer.*} metadata rebuilt as the Hugging Face {@code tokenizer.json} and
 * {@code tokenizer_config.json} that tokenize the same way:
 * <ul>
 *   <li>{@code gpt2}: byte-level BPE with the merges as they are and the split regex of the
 *       pre-tokenizer's name ({@link PreTokenizerNames}; {@code llama-bpe} also turns on
 *       ignore_merges, {@code qwen2} Qwen's NFC normalizer). A vocabulary with Cria's seven special tokens is written in Cria's own layout
 *       (its split regex, the specials as added tokens only), so it loads as Cria's tokenizer again.</li>
 *   <li>{@code llama}: SentencePiece-style BPE with byte fallback, in the layout of Llama 2's file (a
 *       Prepend/Replace normalizer, no pre-tokenizer). Its merges come from the scores as transformers'
 *       LlamaTokenizerFast conversion makes them: every split of a token into two tokens, ordered by the
 *       token's score, highest first.</li>
 * </ul>
 * CONTROL tokens become special added tokens, USER_DEFINED ones plain added tokens; UNUSED ones are left
 * out. Bos, eos, pad and unk go to tokenizer_config.json by name, with add_bos_token and the chat template.
 */
final class VocabImport {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DefaultPrettyPrinter PRETTY = new DefaultPrettyPrinter(
            Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER));

    private final GgufReader r;
    private final List<String> tokens;
    private final int[] types;

    private VocabImport(GgufReader r) {
        this.r = r;
        List<String> tokens = r.strings(GgufKeys.TOKENS);
        if (tokens == null) throw new CriaException(r.file() + ": required metadata key '" + GgufKeys.TOKENS + "' is missing");
        this.tokens = tokens;
        long[] types = r.integers(GgufKeys.TOKEN_TYPE);
        this.types = new int[tokens.size()];
        for (int i = 0; i < tokens.size(); i++) this.types[i] = types == null ? GgufKeys.NORMAL : (int) types[i];
        if (types != null && types.length != tokens.size()) {
            throw new CriaException(r.file() + ": " + GgufKeys.TOKEN_TYPE + " has " + types.length + " entries for " + tokens.size() + " tokens");
        }
    }

    /** The two files' text: tokenizer.json, then tokenizer_config.json. */
    static String[] files(GgufReader r) {
        VocabImport v = new VocabImport(r);
        String model = r.string(GgufKeys.TOKENIZER_MODEL);
        ObjectNode tokenizer = switch (model) {
            case "gpt2" -> v.byteLevel();
            case "llama" -> v.sentencePiece();
            default -> throw new CriaException(r.file() + ": " + GgufKeys.TOKENIZER_MODEL + " is '" + model
                    + "'; Cria rebuilds gpt2 (byte-level BPE) and llama (SentencePiece-style) vocabularies");
        };
        return new String[] {print(tokenizer), print(v.config())};
    }

    /** Token count, for checking against the embedding. */
    static int size(GgufReader r) {
        List<String> tokens = r.strings(GgufKeys.TOKENS);
        return tokens == null ? 0 : tokens.size();
    }

    private boolean criaSpecials() {
        for (String name : SpecialTokens.NAMES) {
            int id = tokens.indexOf(name);
            if (id < 0 || types[id] != GgufKeys.CONTROL) return false;
        }
        return true;
    }

    private ObjectNode byteLevel() {
        boolean cria = criaSpecials();
        String preName = r.optionalString(GgufKeys.TOKENIZER_PRE);
        PreTokenizerNames pre = preName == null ? null : PreTokenizerNames.named(preName);
        if (pre == null) {
            throw new CriaException(r.file() + ": " + GgufKeys.TOKENIZER_PRE + " is " + (preName == null ? "missing" : "'" + preName + "'")
                    + "; Cria rebuilds the pre-tokenizers llama-bpe, dbrx, smaug-bpe, qwen2 and gpt-2");
        }
        ObjectNode root = header();
        addedTokens(root, false);
        // Qwen's tokenizer.json composes text (NFC) before splitting; GGUF has no key for it, the name implies it.
        if (pre == PreTokenizerNames.QWEN2) root.putObject("normalizer").put("type", "NFC");
        else root.putNull("normalizer");
        ObjectNode preTokenizer = root.putObject("pre_tokenizer");
        if (pre == PreTokenizerNames.GPT2) {
            byteLevel(preTokenizer, true);
        } else {
            preTokenizer.put("type", "Sequence");
            ArrayNode steps = preTokenizer.putArray("pretokenizers");
            ObjectNode split = steps.addObject();
            split.put("type", "Split");
            split.putObject("pattern").put("Regex", cria ? BpeTokenizer.SPLIT_PATTERN : pre.regex);
            split.put("behavior", "Isolated");
            split.put("invert", false);
            byteLevel(steps.addObject(), false);
        }
        postProcessor(root, cria);
        byteLevel(root.putObject("decoder"), true);
        ObjectNode model = bpe(root, null, false, pre.ignoreMerges);
        ObjectNode vocab = model.putObject("vocab");
        for (int id = 0; id < tokens.size(); id++) if (types[id] == GgufKeys.NORMAL || types[id] == GgufKeys.BYTE) vocab.put(tokens.get(id), id);
        ArrayNode merges = model.putArray("merges");
        List<String> pairs = r.strings(GgufKeys.MERGES);
        if (pairs == null) throw new CriaException(r.file() + ": required metadata key '" + GgufKeys.MERGES + "' is missing (gpt2 vocabularies need merges)");
        for (int i = 0; i < pairs.size(); i++) {
            String[] pair = pairs.get(i).split(" ", -1);
            if (pair.length != 2) throw new CriaException(r.file() + ": " + GgufKeys.MERGES + "[" + i + "] is '" + pairs.get(i) + "', not \"left right\"");
            merges.addArray().add(pair[0]).add(pair[1]);
        }
        return root;
    }

    private ObjectNode sentencePiece() {
        double[] scores = r.numbers(GgufKeys.SCORES);
        if (scores == null) throw new CriaException(r.file() + ": required metadata key '" + GgufKeys.SCORES + "' is missing (llama vocabularies merge by score)");
        if (scores.length != tokens.size()) throw new CriaException(r.file() + ": " + GgufKeys.SCORES + " has " + scores.length + " entries for " + tokens.size() + " tokens");
        Boolean prefix = r.optionalBool(GgufKeys.ADD_SPACE_PREFIX);
        boolean addPrefix = prefix == null || prefix;
        ObjectNode root = header();
        addedTokens(root, true);
        ObjectNode normalizer = root.putObject("normalizer");
        normalizer.put("type", "Sequence");
        ArrayNode normalizers = normalizer.putArray("normalizers");
        if (addPrefix) normalizers.addObject().put("type", "Prepend").put("prepend", "\u2581");
        ObjectNode replace = normalizers.addObject().put("type", "Replace");
        replace.putObject("pattern").put("String", " ");
        replace.put("content", "\u2581");
        root.putNull("pre_tokenizer");
        postProcessor(root, false);
        ObjectNode decoder = root.putObject("decoder");
        decoder.put("type", "Sequence");
        ArrayNode decoders = decoder.putArray("decoders");
        ObjectNode back = decoders.addObject().put("type", "Replace");
        back.putObject("pattern").put("String", "\u2581");
        back.put("content", " ");
        decoders.addObject().put("type", "ByteFallback");
        decoders.addObject().put("type", "Fuse");
        if (addPrefix) decoders.addObject().put("type", "Strip").put("content", " ").put("start", 1).put("stop", 0);
        int unk = id(GgufKeys.UNK_ID);
        ObjectNode model = bpe(root, unk >= 0 ? tokens.get(unk) : null, true, false);
        ObjectNode vocab = model.putObject("vocab");
        for (int id = 0; id < tokens.size(); id++) if (types[id] != GgufKeys.UNUSED) vocab.put(tokens.get(id), id);
        ArrayNode merges = model.putArray("merges");
        for (String[] m : mergesFromScores(scores)) merges.addArray().add(m[0]).add(m[1]);
        return root;
    }

    /**
     * transformers' SentencePieceExtractor: for each normal token (in id order), its splits into two normal
     * tokens, sorted by the pieces' ids; then all of them by the token's score, the left and the right
     * piece's length, each descending (a stable sort).
     */
    private List<String[]> mergesFromScores(double[] scores) {
        Map<String, Integer> ids = new HashMap<>();
        for (int id = 0; id < tokens.size(); id++) if (types[id] == GgufKeys.NORMAL) ids.putIfAbsent(tokens.get(id), id);
        record Merge(String left, String right, double score, int leftId, int rightId) {}
        List<Merge> merges = new ArrayList<>();
        for (int id = 0; id < tokens.size(); id++) {
            if (types[id] != GgufKeys.NORMAL) continue;
            String token = tokens.get(id);
            List<Merge> local = new ArrayList<>();
            for (int at = token.offsetByCodePoints(0, 1); at < token.length(); at = token.offsetByCodePoints(at, 1)) {
                Integer left = ids.get(token.substring(0, at)), right = ids.get(token.substring(at));
                if (left != null && right != null) local.add(new Merge(token.substring(0, at), token.substring(at), scores[id], left, right));
            }
            local.sort(Comparator.comparingInt(Merge::leftId).thenComparingInt(Merge::rightId));
            merges.addAll(local);
        }
        merges.sort(Comparator.comparingDouble(Merge::score)
                .thenComparingInt(m -> m.left().codePointCount(0, m.left().length()))
                .thenComparingInt(m -> m.right().codePointCount(0, m.right().length())).reversed());
        return merges.stream().map(m -> new String[] {m.left(), m.right()}).toList();
    }

    private ObjectNode header() {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        return root;
    }

    private void addedTokens(ObjectNode root, boolean unknownToo) {
        ArrayNode added = root.putArray("added_tokens");
        for (int id = 0; id < tokens.size(); id++) {
            int type = types[id];
            boolean special = type == GgufKeys.CONTROL || (unknownToo && type == GgufKeys.UNKNOWN);
            if (!special && type != GgufKeys.USER_DEFINED) continue;
            ObjectNode t = added.addObject();
            t.put("id", id);
            t.put("content", tokens.get(id));
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", special);
        }
    }

    /** Bos in front when the file asks for it; Cria's own tokenizers add bos by id instead, and have none. */
    private void postProcessor(ObjectNode root, boolean cria) {
        int bos = id(GgufKeys.BOS_ID);
        Boolean addBos = r.optionalBool(GgufKeys.ADD_BOS);
        if (cria || bos < 0 || addBos == null || !addBos) {
            root.putNull("post_processor");
            return;
        }
        String name = tokens.get(bos);
        ObjectNode p = root.putObject("post_processor");
        p.put("type", "TemplateProcessing");
        ArrayNode single = p.putArray("single");
        single.addObject().putObject("SpecialToken").put("id", name).put("type_id", 0);
        single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        ArrayNode pair = p.putArray("pair");
        pair.addObject().putObject("SpecialToken").put("id", name).put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        pair.addObject().putObject("SpecialToken").put("id", name).put("type_id", 1);
        pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
        ObjectNode special = p.putObject("special_tokens").putObject(name);
        special.put("id", name);
        special.putArray("ids").add(bos);
        special.putArray("tokens").add(name);
    }

    private static void byteLevel(ObjectNode node, boolean useRegex) {
        node.put("type", "ByteLevel");
        node.put("add_prefix_space", false);
        node.put("trim_offsets", true);
        node.put("use_regex", useRegex);
    }

    private static ObjectNode bpe(ObjectNode root, String unk, boolean byteFallback, boolean ignoreMerges) {
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        if (unk == null) model.putNull("unk_token");
        else model.put("unk_token", unk);
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", byteFallback);
        model.put("byte_fallback", byteFallback);
        model.put("ignore_merges", ignoreMerges);
        return model;
    }

    private ObjectNode config() {
        ObjectNode c = JSON.createObjectNode();
        Boolean addBos = r.optionalBool(GgufKeys.ADD_BOS);
        String template = r.optionalString(GgufKeys.CHAT_TEMPLATE);
        // subtle: llama.cpp's converter gives Qwen a bos id (config.json's) that is never added; Cria puts a
        // tokenizer's bos in front of every plain prompt, so a bos neither added nor used by the template is left out.
        boolean bosUsed = addBos == null || addBos || (template != null && template.contains("bos_token"));
        if (bosUsed) putToken(c, "bos_token", GgufKeys.BOS_ID);
        putToken(c, "eos_token", GgufKeys.EOS_ID);
        putToken(c, "pad_token", GgufKeys.PAD_ID);
        putToken(c, "unk_token", GgufKeys.UNK_ID);
        if (addBos != null) c.put("add_bos_token", addBos);
        Boolean addEos = r.optionalBool(GgufKeys.ADD_EOS);
        if (addEos != null) c.put("add_eos_token", addEos);
        if (template != null) c.put("chat_template", template);
        return c;
    }

    private void putToken(ObjectNode c, String field, String key) {
        int id = id(key);
        if (id >= 0) c.put(field, tokens.get(id));
    }

    /** A token id key, -1 when absent; an id outside the vocabulary is refused. */
    private int id(String key) {
        Long id = r.optionalInteger(key);
        if (id == null) return -1;
        if (id < 0 || id >= tokens.size()) throw new CriaException(r.file() + ": " + key + " is " + id + ", outside the " + tokens.size() + "-token vocabulary");
        return id.intValue();
    }

    private static String print(ObjectNode node) {
        try {
            return JSON.writer(PRETTY).writeValueAsString(node) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
