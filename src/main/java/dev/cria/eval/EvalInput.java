package dev.cria.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cria.tokenizer.Tokenizer;
import dev.cria.util.CriaException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads evaluation sequences from JSONL: {@code {"input_ids": [...]}} used as given, or
 * {@code {"text": "..."}} encoded as {@code <bos> text}. Errors name the file and line.
 * The tokenizer may be null when every line gives input_ids.
 */
public final class EvalInput {
    private static final ObjectMapper JSON = new ObjectMapper();

    private EvalInput() {
    }

    public static List<int[]> read(Path file, Tokenizer tokenizer, int vocab, int maxSeqLen) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new CriaException(file + ": no such file");
        } catch (IOException e) {
            throw new CriaException(file + ": cannot read: " + e.getMessage(), e);
        }
        var sequences = new ArrayList<int[]>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) continue;
            String where = file + ":" + (i + 1);
            sequences.add(parse(line, where, tokenizer, vocab, maxSeqLen));
        }
        if (sequences.isEmpty()) throw new CriaException(file + ": no sequences to evaluate");
        return sequences;
    }

    private static int[] parse(String line, String where, Tokenizer tokenizer, int vocab, int maxSeqLen) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new CriaException(where + ": not valid JSON: " + e.getOriginalMessage());
        }
        int[] ids;
        if (node.has("input_ids")) {
            JsonNode array = node.get("input_ids");
            if (!array.isArray()) throw new CriaException(where + ": \"input_ids\" must be an array of integers");
            ids = new int[array.size()];
            for (int j = 0; j < ids.length; j++) {
                JsonNode v = array.get(j);
                if (!v.canConvertToInt() || !v.isIntegralNumber()) throw new CriaException(where + ": input_ids[" + j + "] is not an integer: " + v);
                ids[j] = v.intValue();
                if (ids[j] < 0 || ids[j] >= vocab) throw new CriaException(where + ": input_ids[" + j + "] = " + ids[j] + " is outside the vocabulary of " + vocab);
            }
        } else if (node.has("text")) {
            if (!node.get("text").isTextual()) throw new CriaException(where + ": \"text\" must be a string");
            if (tokenizer == null) throw new CriaException(where + ": a \"text\" line needs the model's tokenizer.json; give \"input_ids\" instead");
            int[] body = tokenizer.encode(node.get("text").asText());
            ids = new int[body.length + 1];
            ids[0] = tokenizer.requireBos("a \"text\" line (it is scored as <bos> text)");
            System.arraycopy(body, 0, ids, 1, body.length);
        } else {
            throw new CriaException(where + ": needs an \"input_ids\" array or a \"text\" string");
        }
        if (ids.length == 0) throw new CriaException(where + ": empty sequence");
        if (ids.length > maxSeqLen) throw new CriaException(where + ": " + ids.length + " tokens, more than the model's maxSeqLen " + maxSeqLen);
        return ids;
    }
}
