package dev.cria.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import dev.cria.io.Io;
import dev.cria.util.CriaException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jinjava.javax.el.CompositeELResolver;
import jinjava.javax.el.ELResolver;

/**
 * A model's own chat template ({@code chat_template} in tokenizer_config.json, or chat_template.jinja),
 * rendered with Jinjava and the globals Hugging Face's {@code apply_chat_template} provides: messages,
 * add_generation_prompt, bos_token, eos_token, raise_exception and strftime_now. Where Jinjava reads Jinja
 * differently from Python's jinja2, {@link JinjaCompat} rewrites the template, {@link PyStringMethods} gives
 * Python's string methods, {@link PyToJson} transformers' tojson and {@link GenerationTag} its one tag.
 * No tools, no images. Returns text; tokenizing it (special tokens matched by name) is the caller's.
 */
public final class JinjaChatTemplate {
    private final Path source;
    private final String template;
    private final String bosToken;
    private final String eosToken;
    private final Jinjava engine = engine();

    public JinjaChatTemplate(Path source, String template, String bosToken, String eosToken) {
        if (source == null) throw new IllegalArgumentException("source is null");
        if (template == null) throw new IllegalArgumentException("template is null for " + source);
        this.source = source;
        this.template = JinjaCompat.rewrite(template);
        this.bosToken = bosToken == null ? "" : bosToken;
        this.eosToken = eosToken == null ? "" : eosToken;
        // subtle: Jinjava renders an unknown filter or test as empty or false, silently; jinja2 refuses them
        for (String filter : JinjaCompat.names(this.template, false)) {
            if (engine.getGlobalContext().getFilter(filter) == null) {
                throw new CriaException(source + ": chat template uses the filter \"" + filter + "\", which Jinjava lacks");
            }
        }
        for (String test : JinjaCompat.names(this.template, true)) {
            if (engine.getGlobalContext().getExpTest(test) == null) {
                throw new CriaException(source + ": chat template uses the test \"" + test + "\", which Jinjava lacks");
            }
        }
    }

    /** Where the template came from (a model directory), for messages. */
    public Path source() {
        return source;
    }

    /** The model directory's template, or null when it ships none. */
    public static JinjaChatTemplate read(Path modelDir) {
        Path config = modelDir.resolve("tokenizer_config.json");
        JsonNode json = Files.exists(config) ? readJson(config) : new ObjectMapper().createObjectNode();
        String bos = tokenText(json.get("bos_token"));
        String eos = tokenText(json.get("eos_token"));
        Path jinja = modelDir.resolve("chat_template.jinja");
        if (Files.exists(jinja)) return new JinjaChatTemplate(modelDir, readText(jinja), bos, eos);
        String template = templateText(config, json.get("chat_template"));
        return template == null ? null : new JinjaChatTemplate(modelDir, template, bos, eos);
    }

    /** The prompt text for a conversation, ending with the assistant header when addGenerationPrompt. */
    public String render(List<ChatTurn> messages, boolean addGenerationPrompt) {
        if (messages == null) throw new IllegalArgumentException("messages is null");
        Map<String, Object> globals = new HashMap<>();
        List<Map<String, Object>> list = new ArrayList<>();
        for (ChatTurn m : messages) {
            Map<String, Object> turn = new LinkedHashMap<>();
            turn.put("role", m.role());
            turn.put("content", m.content());
            list.add(turn);
        }
        globals.put("messages", list);
        globals.put("add_generation_prompt", addGenerationPrompt);
        globals.put("bos_token", bosToken);
        globals.put("eos_token", eosToken);
        RenderResult result = engine.renderForResult(template, globals);
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                // no line number: Jinjava's is often that of an enclosing tag, which misleads more than it helps
                throw new CriaException(source + ": chat template failed: " + oneLine(raisedMessage(error.getException(), error.getMessage())));
            }
        }
        return result.getOutput();
    }

    private static Jinjava engine() {
        // HF's apply_chat_template compiles with trim_blocks and lstrip_blocks; lstrip_blocks is done by
        // JinjaCompat, as Jinjava's strips spaces before a tag mid-line too. subtle: nested interpretation off,
        // or Jinjava renders Jinja found in the output again and a message saying "{{ x }}" loses it
        Jinjava jinjava = new Jinjava(JinjavaConfig.newBuilder().withTrimBlocks(true).withLstripBlocks(false)
                .withNestedInterpretationEnabled(false).withElResolver(resolver())
                // Python's precedence ("xs|length - 1" filters, then subtracts), and "{{-" trims like "{%-"
                .withLegacyOverrides(LegacyOverrides.newBuilder().withUseNaturalOperatorPrecedence(true)
                        .withUseTrimmingForNotesAndExpressions(true).withParseWhitespaceControlStrictly(true).build())
                .build());
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception",
                JinjaChatTemplate.class, "raiseException", String.class));
        jinjava.getGlobalContext().registerFilter(new PyToJson());
        jinjava.getGlobalContext().registerTag(new GenerationTag());
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "strftime_now",
                JinjaChatTemplate.class, "strftimeNow", String.class));
        return jinjava;
    }

    private static ELResolver resolver() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PyStringMethods());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_WRITE);
        return resolver;
    }

    /** The template's own {@code raise_exception(msg)}: the render fails with msg. */
    public static String raiseException(String message) {
        throw new RaisedByTemplate(message);
    }

    /** The template's own words when it called raise_exception (Jinjava wraps them), else Jinjava's. */
    private static String raisedMessage(Throwable e, String jinjavaMessage) {
        for (Throwable t = e; t != null; t = t.getCause()) if (t instanceof RaisedByTemplate) return t.getMessage();
        return jinjavaMessage;
    }

    private static final class RaisedByTemplate extends RuntimeException {
        RaisedByTemplate(String message) {
            super(message);
        }
    }

    /** {@code strftime_now(fmt)}: the current local time in a Python strftime format (the common codes). */
    public static String strftimeNow(String format) {
        return Strftime.format(format, ZonedDateTime.now());
    }

    private static String templateText(Path config, JsonNode node) {
        if (node == null || node.isNull()) return null;
        if (node.isTextual()) return node.asText();
        if (node.isArray()) {
            // several named templates ([{"name": "default", "template": ...}, {"name": "tool_use", ...}])
            for (JsonNode named : node) if ("default".equals(named.path("name").asText())) return named.path("template").asText();
            throw new CriaException(config + ": chat_template lists no template named \"default\"");
        }
        throw new CriaException(config + ": chat_template is neither a string nor a list of named templates: " + node.getNodeType());
    }

    /** A special token as tokenizer_config.json gives it: a string or {"content": ...}. */
    private static String tokenText(JsonNode node) {
        if (node == null || node.isNull()) return "";
        return node.isObject() ? node.path("content").asText("") : node.asText();
    }

    private static JsonNode readJson(Path file) {
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new CriaException(file + ": not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw Io.failure("read", file, e);
        }
    }

    private static String readText(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw Io.failure("read", file, e);
        }
    }

    private static String oneLine(String text) {
        return text == null ? "unknown error" : text.replaceAll("\\s*\\R\\s*", " ").strip();
    }
}
