package dev.cria.checkpoint.llama2c;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cria.io.AtomicFiles;
import dev.cria.util.CriaException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A sentencepiece tokenizer.bin, as llama2.c's tokenizer.py writes it (Llama 2's own, or one trained
 * with its train_vocab.sh), as a Hugging Face {@code tokenizer.json} in Llama 2's layout, which Cria
 * loads as an {@code HfTokenizer}. Such a file has {@code <unk>}, {@code "\n<s>\n"} and {@code "\n</s>\n"}
 * at ids 0 to 2, the 256 byte-fallback tokens {@code <0x00>} to {@code <0xFF>} at ids 3 to 258, and
 * pieces with sentencepiece's "▁" written as a space. What Cria's export writes for such a tokenizer
 * (bos and eos as {@code <s>} and {@code </s>}, a byte no piece shares as the raw byte) is accepted too.
 *
 * <p>tokenizer.bin has no merges, only each piece's score, and run.c merges the adjacent pair whose
 * concatenation scores highest. The merges are derived as transformers' SentencePieceExtractor does:
 * every split of a piece into two pieces is a merge, ranked by the piece's score, so BPE applies them in
 * run.c's order. Other tokenizer.bin files (Cria's byte-level ones) are refused: their merges cannot be
 * told from their strings, and the model's own tokenizer.json serves instead.
 */
public final class SentencePieceJson {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SPACE = "\u2581";
    private static final String[] SPECIALS = {"<unk>", "<s>", "</s>"};
    /** How tokenizer.py writes the specials at ids 0, 1 and 2. */
    private static final String[] WRITTEN_SPECIALS = {"<unk>", "\n<s>\n", "\n</s>\n"};
    private static final int FIRST_PIECE = 3 + 256;

    private final Llama2cTokenizerFile file;
    private final String[] pieces;                                  // by id, in sentencepiece's spelling
    private final Map<String, Integer> ids = new HashMap<>();       // the first id of each piece

    private SentencePieceJson(Llama2cTokenizerFile file, String source) {
        this.file = file;
        this.pieces = pieces(file, source);
        for (int id = 0; id < pieces.length; id++) ids.putIfAbsent(pieces[id], id);
    }

    /** The conversion of {@code file}, or a one-line refusal naming {@code source} if it is not laid out as tokenizer.py writes. */
    public static SentencePieceJson of(Llama2cTokenizerFile file, String source) {
        return new SentencePieceJson(file, source);
    }

    public int vocabSize() {
        return pieces.length;
    }

    /** Writes {@code tokenizer.json} and {@code tokenizer_config.json} (bos {@code <s>}, eos {@code </s>}) into {@code dir}. */
    public void write(Path dir) {
        AtomicFiles.writeString(dir.resolve("tokenizer.json"), json(tokenizer(merges())));
        ObjectNode config = JSON.createObjectNode().put("bos_token", "<s>").put("eos_token", "</s>").put("unk_token", "<unk>")
                .put("add_bos_token", true).put("add_eos_token", false);
        AtomicFiles.writeString(dir.resolve("tokenizer_config.json"), json(config));
    }

    /** The pieces by id in sentencepiece's spelling, after checking the file's layout. */
    private static String[] pieces(Llama2cTokenizerFile file, String source) {
        if (file.vocabSize() < FIRST_PIECE) refuse(source, "it has " + file.vocabSize() + " tokens, fewer than the 3 specials and 256 bytes");
        String[] pieces = new String[file.vocabSize()];
        for (int id = 0; id < pieces.length; id++) {
            byte[] token = file.tokens()[id];
            String text = new String(token, StandardCharsets.UTF_8);
            if (id < 3 && !text.equals(WRITTEN_SPECIALS[id]) && !text.equals(SPECIALS[id])) {
                refuse(source, "token " + id + " is " + JSON.valueToTree(text) + ", not " + JSON.valueToTree(WRITTEN_SPECIALS[id]));
            }
            String byteName = id >= 3 && id < FIRST_PIECE ? String.format("<0x%02X>", id - 3) : null;
            boolean rawByte = token.length == 1 && byteName != null && (token[0] & 0xFF) == id - 3;
            if (byteName != null && !text.equals(byteName) && !rawByte) {
                refuse(source, "token " + id + " is " + JSON.valueToTree(text) + ", not " + JSON.valueToTree(byteName));
            }
            pieces[id] = id < 3 ? SPECIALS[id] : byteName != null ? byteName : text.replace(" ", SPACE);
        }
        return pieces;
    }

    private static void refuse(String source, String why) {
        throw new CriaException(source + ": not a sentencepiece tokenizer.bin as llama2.c's tokenizer.py writes it (" + why
                + "); pass the model's tokenizer.json with --tokenizer-json instead");
    }

    /** Every split of every piece into two pieces, pieces by descending score, splits by their halves' ids. */
    private List<String[]> merges() {
        List<Integer> byScore = new ArrayList<>();
        for (int id = FIRST_PIECE; id < pieces.length; id++) byScore.add(id);
        byScore.sort(Comparator.comparingDouble((Integer id) -> -file.scores()[id]).thenComparingInt(id -> id));
        List<String[]> merges = new ArrayList<>();
        for (int id : byScore) {
            String piece = pieces[id];
            if (piece.isEmpty()) continue;
            List<String[]> splits = new ArrayList<>();
            for (int at = piece.offsetByCodePoints(0, 1); at < piece.length(); at = piece.offsetByCodePoints(at, 1)) {
                String left = piece.substring(0, at), right = piece.substring(at);
                if (ids.containsKey(left) && ids.containsKey(right)) splits.add(new String[] {left, right});
            }
            splits.sort(Comparator.comparingInt((String[] s) -> ids.get(s[0])).thenComparingInt(s -> ids.get(s[1])));
            merges.addAll(splits);
        }
        return merges;
    }

    /** Llama 2's tokenizer.json: prepend "▁" and turn spaces into "▁", byte-fallback BPE, <s> in front, and the decoder undoing it. */
    private ObjectNode tokenizer(List<String[]> merges) {
        ObjectNode root = JSON.createObjectNode().put("version", "1.0").putNull("truncation").putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int id = 0; id < SPECIALS.length; id++) {
            added.addObject().put("id", id).put("content", SPECIALS[id]).put("single_word", false).put("lstrip", false)
                    .put("rstrip", false).put("normalized", false).put("special", true);
        }
        ArrayNode normalizers = root.putObject("normalizer").put("type", "Sequence").putArray("normalizers");
        normalizers.addObject().put("type", "Prepend").put("prepend", SPACE);
        normalizers.addObject().put("type", "Replace").put("content", SPACE).putObject("pattern").put("String", " ");
        root.putNull("pre_tokenizer");
        ObjectNode post = root.putObject("post_processor").put("type", "TemplateProcessing");
        post.putArray("single").addObject().putObject("SpecialToken").put("id", "<s>").put("type_id", 0);
        ((ArrayNode) post.get("single")).addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        ObjectNode bos = post.putObject("special_tokens").putObject("<s>").put("id", "<s>");
        bos.putArray("ids").add(1);
        bos.putArray("tokens").add("<s>");
        ArrayNode decoders = root.putObject("decoder").put("type", "Sequence").putArray("decoders");
        decoders.addObject().put("type", "Replace").put("content", " ").putObject("pattern").put("String", SPACE);
        decoders.addObject().put("type", "ByteFallback");
        decoders.addObject().put("type", "Fuse");
        decoders.addObject().put("type", "Strip").put("content", " ").put("start", 1).put("stop", 0);
        ObjectNode model = root.putObject("model").put("type", "BPE").putNull("dropout").put("unk_token", "<unk>")
                .putNull("continuing_subword_prefix").putNull("end_of_word_suffix").put("fuse_unk", true).put("byte_fallback", true);
        ObjectNode vocab = model.putObject("vocab");
        for (int id = 0; id < pieces.length; id++) if (ids.get(pieces[id]) == id) vocab.put(pieces[id], id);
        ArrayNode mergeList = model.putArray("merges");
        for (String[] m : merges) mergeList.addArray().add(m[0]).add(m[1]);
        return root;
    }

    private static String json(ObjectNode node) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
