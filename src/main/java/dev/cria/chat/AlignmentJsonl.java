package dev.cria.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cria.io.AtomicFiles;
import dev.cria.util.CriaException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Reads and writes the alignment datasets as JSONL, one JSON object per line, in TRL's layouts:
 * <ul>
 *   <li>SFT: {@code {"prompt": "...", "response": "..."}}; TRL's {@code {"prompt", "completion"}} is read
 *       as the same thing; or {@code {"messages": [{"role": "user", "content": "..."}, ...]}}, whose last
 *       assistant turn is the response and whose earlier turns are flattened into the prompt as
 *       {@link ChatMessages} describes. Always written as prompt/response.
 *   <li>Preferences: {@code {"prompt", "chosen", "rejected"}}, all strings.
 *   <li>Unpaired preferences (KTO): {@code {"prompt", "completion", "label"}}, the label a JSON boolean
 *       ({@code true}: a good answer).
 *   <li>Prompts: {@code {"prompt"}}. Any line with a string prompt qualifies, so an SFT or preference
 *       file can be read as a prompt file.
 * </ul>
 * Other fields are ignored, blank lines skipped, and a leading byte-order mark is not text. A prompt
 * must hold some text; a response, chosen or rejected may be empty. Every mistake is a
 * {@link CriaException} naming file, line and field: {@code prefs.jsonl:7: missing string field "chosen"}.
 *
 * <p>Not supported: TRL's conversational preference and prompt layouts (lists of messages in
 * {@code prompt}/{@code chosen}/{@code rejected}); the error says to write those as strings. Files are
 * read whole, which suits datasets of Cria's size. Writes are atomic ({@link AtomicFiles}).
 */
public final class AlignmentJsonl {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private AlignmentJsonl() {}

    public static List<SftExample> readSft(Path file) {
        return read(file, AlignmentJsonl::sft);
    }

    public static List<PreferenceExample> readPreferences(Path file) {
        return read(file, line -> new PreferenceExample(line.prompt(""), line.string("chosen"), line.string("rejected")));
    }

    public static List<UnpairedExample> readUnpaired(Path file) {
        return read(file, line -> new UnpairedExample(line.prompt(""), line.string("completion"), line.bool("label")));
    }

    public static List<PromptExample> readPrompts(Path file) {
        return read(file, line -> new PromptExample(line.prompt("")));
    }

    public static void writeSft(Path file, List<SftExample> examples) {
        write(file, examples, e -> object().put("prompt", e.prompt()).put("response", e.response()));
    }

    public static void writePreferences(Path file, List<PreferenceExample> examples) {
        write(file, examples, e -> object().put("prompt", e.prompt()).put("chosen", e.chosen()).put("rejected", e.rejected()));
    }

    public static void writeUnpaired(Path file, List<UnpairedExample> examples) {
        write(file, examples, e -> object().put("prompt", e.prompt()).put("completion", e.completion()).put("label", e.label()));
    }

    public static void writePrompts(Path file, List<PromptExample> examples) {
        write(file, examples, e -> object().put("prompt", e.prompt()));
    }

    private static SftExample sft(JsonlLine line) {
        if (line.has("messages")) {
            if (line.has("prompt")) throw line.error("has both \"messages\" and \"prompt\"; give one of them");
            return ChatMessages.toSft(line);
        }
        String prompt = line.prompt(" (or a \"messages\" array)");
        boolean completion = line.has("completion");
        if (completion && line.has("response")) throw line.error("has both \"response\" and \"completion\"; give one of them");
        return new SftExample(prompt, completion ? line.string("completion") : line.string("response", " (or \"completion\")"));
    }

    private static <T> List<T> read(Path file, Function<JsonlLine, T> parse) {
        if (!Files.exists(file)) throw new CriaException(file + ": no such file");
        if (Files.isDirectory(file)) throw new CriaException(file + ": is a directory, expected a JSONL file");
        List<T> examples = new ArrayList<>();
        int lineNo = 0;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String text; (text = reader.readLine()) != null; ) {
                lineNo++;
                // Editors on Windows start UTF-8 files with U+FEFF; it is not part of the data.
                if (lineNo == 1 && text.startsWith("\uFEFF")) text = text.substring(1);
                if (text.isBlank()) continue;
                examples.add(parse.apply(new JsonlLine(file, lineNo, object(file, lineNo, text))));
            }
        } catch (CharacterCodingException e) {
            throw new CriaException(file + ":" + (lineNo + 1) + ": not valid UTF-8", e);
        } catch (IOException e) {
            throw new CriaException(file + ": cannot read: " + e.getMessage(), e);
        }
        return examples;
    }

    private static JsonNode object(Path file, int lineNo, String text) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new CriaException(file + ":" + lineNo + ": bad JSON: " + firstLine(e.getOriginalMessage()), e);
        }
        if (!node.isObject()) {
            throw new CriaException(file + ":" + lineNo + ": expected one JSON object per line, got " + JsonlLine.typeOf(node));
        }
        return node;
    }

    private static <T> void write(Path file, List<T> examples, Function<T, ObjectNode> toJson) {
        if (file == null) throw new IllegalArgumentException("file is null");
        if (examples == null) throw new IllegalArgumentException("examples is null for " + file);
        AtomicFiles.write(file, out -> {
            for (T example : examples) {
                out.write(JSON.writeValueAsBytes(toJson.apply(example)));
                out.write('\n');
            }
        });
    }

    private static ObjectNode object() {
        return JSON.createObjectNode();
    }

    private static String firstLine(String message) {
        if (message == null) return "unreadable";
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
