package dev.cria.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A Hugging Face {@code post_processor}: what encoding adds around the ids when special tokens are asked
 * for ({@code add_special_tokens}). Llama 2's {@code TemplateProcessing} puts {@code <s>} first;
 * {@code ByteLevel} only fixes offsets, which Cria does not track, so it adds nothing. Pairs of sequences
 * are not supported: Cria encodes one text at a time.
 */
sealed interface PostProcessor {
    int[] process(int[] ids, boolean addSpecialTokens);

    /** {@code pieces}: the template {@code single}, each the ids of a special token, or null where the text goes. */
    record Template(List<int[]> pieces) implements PostProcessor {
        @Override
        public int[] process(int[] ids, boolean addSpecialTokens) {
            if (!addSpecialTokens) return ids;
            IntList out = new IntList(ids.length + 4);
            for (int[] piece : pieces) out.addAll(piece == null ? ids : piece);
            return out.toArray();
        }
    }

    record Sequence(List<PostProcessor> steps) implements PostProcessor {
        @Override
        public int[] process(int[] ids, boolean addSpecialTokens) {
            for (PostProcessor step : steps) ids = step.process(ids, addSpecialTokens);
            return ids;
        }
    }

    /** Adds nothing; also what {@code ByteLevel} does to ids. */
    PostProcessor NONE = new Sequence(List.of());

    static PostProcessor parse(JsonNode node, String field, JsonFields json) {
        if (node == null || node.isNull()) return NONE;
        String type = json.type(node, field);
        return switch (type) {
            case "ByteLevel" -> NONE;
            case "TemplateProcessing" -> template(node, field, json);
            case "Sequence" -> {
                JsonNode steps = json.required(node, "processors", field);
                List<PostProcessor> parsed = new ArrayList<>();
                for (int i = 0; i < steps.size(); i++) parsed.add(parse(steps.get(i), field + ".processors[" + i + "]", json));
                yield new Sequence(List.copyOf(parsed));
            }
            default -> throw json.unsupported(field, type, "TemplateProcessing, ByteLevel, Sequence or null");
        };
    }

    private static Template template(JsonNode node, String field, JsonFields json) {
        JsonNode single = json.required(node, "single", field);
        JsonNode specials = node.path("special_tokens");
        List<int[]> pieces = new ArrayList<>();
        for (int i = 0; i < single.size(); i++) {
            JsonNode piece = single.get(i);
            String pieceField = field + ".single[" + i + "]";
            if (piece.has("Sequence")) {
                pieces.add(null);
                continue;
            }
            if (!piece.has("SpecialToken")) throw json.fail(pieceField, "expected Sequence or SpecialToken, got " + piece);
            String name = json.text(piece.get("SpecialToken"), "id", pieceField + ".SpecialToken");
            JsonNode idsNode = specials.path(name).path("ids");
            if (!idsNode.isArray()) throw json.fail(field + ".special_tokens", "no ids for '" + name + "'");
            int[] ids = new int[idsNode.size()];
            for (int k = 0; k < ids.length; k++) {
                if (!idsNode.get(k).canConvertToInt() || idsNode.get(k).asInt() < 0) {
                    throw json.fail(field + ".special_tokens." + name + ".ids[" + k + "]", "expected an id, got " + idsNode.get(k));
                }
                ids[k] = idsNode.get(k).asInt();
            }
            pieces.add(ids);
        }
        return new Template(Collections.unmodifiableList(pieces));
    }
}
