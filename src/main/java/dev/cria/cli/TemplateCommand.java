package dev.cria.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cria.chat.ChatTurn;
import dev.cria.chat.JinjaChatTemplate;
import dev.cria.checkpoint.ModelDirectory;
import dev.cria.io.Io;
import dev.cria.util.CriaException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Prints a conversation as a model's own chat template renders it, the text apply_chat_template would give. */
@Command(name = "template", mixinStandardHelpOptions = true,
        description = "Render a conversation with a model's chat template (tokenizer_config.json's chat_template or chat_template.jinja).")
final class TemplateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "A model directory (or a run directory, or a folder with just tokenizer_config.json).")
    Path model;

    @Option(names = "--messages", required = true,
            description = "A JSON file: [{\"role\": \"user\", \"content\": \"...\"}, ...], or an object with that list under \"messages\".")
    Path messages;

    @Option(names = "--add-generation-prompt", description = "End with the assistant's header, as for generation.")
    boolean addGenerationPrompt;

    @Override
    public Integer call() {
        Path dir = hasTemplateFiles(model) ? model : ModelDirectory.resolve(model);
        JinjaChatTemplate template = JinjaChatTemplate.read(dir);
        if (template == null) {
            throw new CriaException(dir + ": no chat template (no chat_template in tokenizer_config.json, no chat_template.jinja)");
        }
        String text = template.render(readTurns(messages), addGenerationPrompt);
        // the exact text, no newline added: a template's trailing whitespace is part of the prompt
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        out.print(text);
        out.flush();
        return 0;
    }

    private static boolean hasTemplateFiles(Path dir) {
        return Files.exists(dir.resolve("tokenizer_config.json")) || Files.exists(dir.resolve("chat_template.jinja"));
    }

    static List<ChatTurn> readTurns(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new CriaException(file + ": not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw Io.failure("read", file, e);
        }
        JsonNode list = root != null && root.isObject() ? root.get("messages") : root;
        if (list == null || !list.isArray()) {
            throw new CriaException(file + ": expected a list of {\"role\", \"content\"} messages (or {\"messages\": [...]})");
        }
        List<ChatTurn> turns = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode m = list.get(i);
            if (!m.path("role").isTextual() || !m.path("content").isTextual()) {
                throw new CriaException(file + ": messages[" + i + "] needs string \"role\" and \"content\": " + m);
            }
            turns.add(new ChatTurn(m.get("role").asText(), m.get("content").asText()));
        }
        return turns;
    }
}
