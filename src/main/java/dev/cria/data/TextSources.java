package dev.cria.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.cria.util.CriaException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Reads a training corpus into a list of documents. Two formats, told apart by extension:
 * <ul>
 *   <li>{@code .jsonl} / {@code .json}: one JSON object per line with a string field {@code "text"};
 *       blank lines are skipped, other fields ignored.
 *   <li>anything else: UTF-8 plain text, where documents are separated by one or more blank lines and
 *       the lines of a document are joined with "\n".
 * </ul>
 * A directory is read as all its {@code .txt}, {@code .md}, {@code .jsonl} and {@code .json} files in
 * name order (not recursively). Every error names the file, and for JSONL the line:
 * {@code data.jsonl:7: missing string field "text"}.
 *
 * <p>Not a streaming reader: the whole corpus is held as strings, which is fine at Cria's scale. A
 * {@code .json} file holding one JSON array is not supported; the error says so.
 */
public final class TextSources {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final List<String> DIRECTORY_EXTENSIONS = List.of(".txt", ".md", ".jsonl", ".json");

    private TextSources() {}

    /** The documents in a file (format by extension) or in a directory's text and JSONL files. */
    public static List<String> read(Path path) {
        if (Files.isDirectory(path)) {
            List<String> documents = new ArrayList<>();
            for (Path file : filesIn(path)) documents.addAll(readFile(file));
            return documents;
        }
        return readFile(path);
    }

    /** The documents in one file, as JSONL for {@code .jsonl}/{@code .json} and as plain text otherwise. */
    public static List<String> readFile(Path file) {
        return isJsonl(file) ? readJsonl(file) : readPlainText(file);
    }

    static boolean isJsonl(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".jsonl") || name.endsWith(".json");
    }

    /** Blank-line-separated documents; see the class comment. */
    public static List<String> readPlainText(Path file) {
        requireReadableFile(file);
        List<String> documents = new ArrayList<>();
        List<String> current = new ArrayList<>();
        int lineNo = 0;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line; (line = reader.readLine()) != null; ) {
                lineNo++;
                if (lineNo == 1) line = stripByteOrderMark(line);
                if (line.isBlank()) {
                    flush(current, documents);
                } else {
                    current.add(line);
                }
            }
        } catch (CharacterCodingException e) {
            throw new CriaException(file + ":" + (lineNo + 1) + ": not valid UTF-8", e);
        } catch (IOException e) {
            throw new CriaException(file + ": cannot read: " + e.getMessage(), e);
        }
        flush(current, documents);
        return documents;
    }

    /** One document per non-blank line, from the line's {@code "text"} field; see the class comment. */
    public static List<String> readJsonl(Path file) {
        requireReadableFile(file);
        List<String> documents = new ArrayList<>();
        int lineNo = 0;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line; (line = reader.readLine()) != null; ) {
                lineNo++;
                if (lineNo == 1) line = stripByteOrderMark(line);
                if (line.isBlank()) continue;
                documents.add(textField(file, lineNo, line));
            }
        } catch (CharacterCodingException e) {
            throw new CriaException(file + ":" + (lineNo + 1) + ": not valid UTF-8", e);
        } catch (IOException e) {
            throw new CriaException(file + ": cannot read: " + e.getMessage(), e);
        }
        return documents;
    }

    private static String textField(Path file, int lineNo, String line) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new CriaException(file + ":" + lineNo + ": bad JSON: " + firstLine(e.getOriginalMessage()), e);
        }
        if (!node.isObject()) {
            String type = node.getNodeType().toString().toLowerCase(Locale.ROOT);
            throw new CriaException(file + ":" + lineNo + ": expected a JSON object like {\"text\": \"...\"} on each line, got " + type);
        }
        JsonNode text = node.get("text");
        if (text == null || text.isNull()) throw new CriaException(file + ":" + lineNo + ": missing string field \"text\"");
        if (!text.isTextual()) {
            String type = text.getNodeType().toString().toLowerCase(Locale.ROOT);
            throw new CriaException(file + ":" + lineNo + ": field \"text\" is " + type + ", expected a string");
        }
        return text.asText();
    }

    private static List<Path> filesIn(Path directory) {
        try (Stream<Path> entries = Files.list(directory)) {
            List<Path> files = entries
                    .filter(Files::isRegularFile)
                    .filter(p -> DIRECTORY_EXTENSIONS.stream().anyMatch(p.getFileName().toString().toLowerCase(Locale.ROOT)::endsWith))
                    .sorted()
                    .toList();
            if (files.isEmpty()) {
                throw new CriaException(directory + ": no " + String.join(", ", DIRECTORY_EXTENSIONS) + " files in this directory");
            }
            return files;
        } catch (IOException e) {
            throw new CriaException(directory + ": cannot list: " + e.getMessage(), e);
        }
    }

    private static void requireReadableFile(Path file) {
        if (!Files.exists(file)) throw new CriaException(file + ": no such file");
        if (Files.isDirectory(file)) throw new CriaException(file + ": is a directory, expected a file");
        if (!Files.isReadable(file)) throw new CriaException(file + ": not readable (check its permissions)");
    }

    private static void flush(List<String> lines, List<String> documents) {
        if (lines.isEmpty()) return;
        documents.add(String.join("\n", lines));
        lines.clear();
    }

    // Editors on Windows start UTF-8 files with U+FEFF; it is not part of the text.
    private static String stripByteOrderMark(String line) {
        return line.startsWith("\uFEFF") ? line.substring(1) : line;
    }

    private static String firstLine(String message) {
        if (message == null) return "unreadable";
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
