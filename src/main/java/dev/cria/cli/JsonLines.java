package dev.cria.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cria.util.CriaException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One field of every object in a JSONL file, for the tokenizer commands: {@code {"text": "..."}} or
 * {@code {"ids": [...]}} per line. Blank lines are skipped; a bad line fails naming file and line.
 */
final class JsonLines {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonLines() {}

    static List<String> texts(Path file) {
        List<String> out = new ArrayList<>();
        read(file, "text", (node, where) -> {
            if (!node.isTextual()) throw new CriaException(where + ": \"text\" must be a string, got " + node);
            out.add(node.asText());
        });
        return out;
    }

    static List<int[]> ids(Path file) {
        List<int[]> out = new ArrayList<>();
        read(file, "ids", (node, where) -> out.add(ids(node, where)));
        return out;
    }

    static int[] ids(JsonNode node, String where) {
        if (!node.isArray()) throw new CriaException(where + ": \"ids\" must be an array of token ids, got " + node);
        int[] ids = new int[node.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode id = node.get(i);
            if (!id.isIntegralNumber() || !id.canConvertToInt() || id.asInt() < 0) {
                throw new CriaException(where + ": ids[" + i + "] must be a non-negative integer, got " + id);
            }
            ids[i] = id.asInt();
        }
        return ids;
    }

    private interface Field {
        void accept(JsonNode value, String where);
    }

    private static void read(Path file, String field, Field handler) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (NoSuchFileException e) {
            throw new CriaException(file + ": no such file", e);
        } catch (IOException e) {
            throw new CriaException(file + ": cannot read: " + e, e);
        }
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            String where = file + ":" + (i + 1);
            JsonNode node;
            try {
                node = JSON.readTree(lines.get(i));
            } catch (JacksonException e) {
                throw new CriaException(where + ": not valid JSON: " + e.getOriginalMessage(), e);
            }
            if (node == null || !node.has(field)) {
                throw new CriaException(where + ": expected an object with \"" + field + "\", got " + lines.get(i));
            }
            handler.accept(node.get(field), where);
        }
    }
}
