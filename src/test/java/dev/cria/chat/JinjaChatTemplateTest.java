package dev.cria.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cria.util.CriaException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a model directory's template and the Hugging Face globals; real templates are in HfChatTemplateReferenceTest. */
class JinjaChatTemplateTest {
    private static final List<ChatTurn> HI = List.of(new ChatTurn("user", "Hi"), new ChatTurn("assistant", "Hello"));

    @TempDir
    Path dir;

    @Test
    void readsAStringTemplateWithTokenObjects() throws Exception {
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"bos_token": {"content": "<s>", "lstrip": false}, "eos_token": "</s>",
                 "chat_template": "{{ bos_token }}{% for m in messages %}{{ m.role }}:{{ m['content'] }}{{ eos_token }}{% endfor %}"}
                """);
        assertThat(JinjaChatTemplate.read(dir).render(HI, false)).isEqualTo("<s>user:Hi</s>assistant:Hello</s>");
    }

    @Test
    void takesTheDefaultOfNamedTemplates() throws Exception {
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"chat_template": [{"name": "tool_use", "template": "tools"}, {"name": "default", "template": "plain"}]}
                """);
        assertThat(JinjaChatTemplate.read(dir).render(HI, false)).isEqualTo("plain");
    }

    @Test
    void chatTemplateJinjaWinsOverTheConfig() throws Exception {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": \"config\"}");
        Files.writeString(dir.resolve("chat_template.jinja"), "file{% if add_generation_prompt %}+gen{% endif %}");
        assertThat(JinjaChatTemplate.read(dir).render(HI, true)).isEqualTo("file+gen");
    }

    @Test
    void noTemplateIsNull() throws Exception {
        assertThat(JinjaChatTemplate.read(dir)).isNull();
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"</s>\"}");
        assertThat(JinjaChatTemplate.read(dir)).isNull();
    }

    @Test
    void hfBlockTrimmingLoopVariablesAndTojson() {
        // trim_blocks drops the newline after a block tag, lstrip_blocks the indentation before one
        // (the expected string is Python jinja2's with both set)
        String template = "{% for m in messages %}\n  {% if loop.first %}[{% endif %}{{ loop.index }}{{ m.content|tojson }}"
                + "{% if not loop.last %},{% endif %}\n{% endfor %}]";
        assertThat(new JinjaChatTemplate(dir, template, null, null).render(HI, false)).isEqualTo("[1\"Hi\",2\"Hello\"]");
    }

    @Test
    void lstripBlocksAsJinja2() {
        String template = "A: {% if messages %}B {% endif %}C\n \t {% if messages %}D\n  {# c #}\n  {%+ endif %}  {{ 1 }}";
        assertThat(new JinjaChatTemplate(dir, template, null, null).render(HI, false)).isEqualTo("A: B C\nD\n    1");
    }

    @Test
    void raiseExceptionFailsWithOneLineNamingTheDirectory() {
        JinjaChatTemplate template = new JinjaChatTemplate(dir, """
                {% if messages[0].role != 'system' %}{{ raise_exception('Conversation must
                start with a system message') }}{% endif %}""", null, null);
        assertThatThrownBy(() -> template.render(HI, false)).isInstanceOf(CriaException.class)
                .hasMessageStartingWith(dir + ": chat template failed: ")
                .hasMessageContaining("Conversation must start with a system message")
                .hasMessageNotContaining("\n");
    }

    @Test
    void aSyntaxErrorFailsNamingTheDirectory() {
        JinjaChatTemplate template = new JinjaChatTemplate(dir, "{{ messages[ }}", null, null);
        assertThatThrownBy(() -> template.render(HI, false)).hasMessageStartingWith(dir + ": chat template failed: ");
    }

    @Test
    void unknownFiltersAndTestsAreRefusedNotRenderedEmpty() {
        assertThatThrownBy(() -> new JinjaChatTemplate(dir, "{{ messages|nosuchfilter }}", null, null))
                .hasMessage(dir + ": chat template uses the filter \"nosuchfilter\", which Jinjava lacks");
        assertThatThrownBy(() -> new JinjaChatTemplate(dir, "{% if messages is not nosuchtest %}{% endif %}", null, null))
                .hasMessage(dir + ": chat template uses the test \"nosuchtest\", which Jinjava lacks");
        // a '|' inside a string is not a filter
        assertThat(new JinjaChatTemplate(dir, "{{ '<|im_start|>' ~ \"a|b\" }}", null, null).render(HI, false)).isEqualTo("<|im_start|>a|b");
    }

    @Test
    void strftimeNowFormatsToday() {
        String today = LocalDate.now().format(DateTimeFormatter.ofPattern("dd MMM yyyy", Locale.ENGLISH));
        String rendered = new JinjaChatTemplate(dir, "{{ strftime_now('%d %b %Y') }}", null, null).render(HI, false);
        // a render at midnight may see the next day; either way the shape is Llama 3.1's "26 Jul 2024"
        assertThat(rendered).matches("\\d\\d [A-Z][a-z]{2} \\d{4}");
        assertThat(List.of(today, LocalDate.now().format(DateTimeFormatter.ofPattern("dd MMM yyyy", Locale.ENGLISH)))).contains(rendered);
    }

    @Test
    void stringsIndexAsInPython() {
        assertThat(new JinjaChatTemplate(dir, "{{ messages[1].content[-1] }}{{ messages[0].content[0] }}{{ 'abc'[1:] }}{{ 'x🦙'[-1] }}", null, null)
                .render(HI, false)).isEqualTo("oHbc🦙");
        assertThatThrownBy(() -> new JinjaChatTemplate(dir, "{{ 'abc'[5] }}", null, null).render(HI, false))
                .hasMessageStartingWith(dir + ": chat template failed: ");
    }

    @Test
    void generationTagRendersItsBody() {
        String template = "{% for m in messages %}{% if m.role == 'assistant' %}{% generation %}<{{ m.content }}>{% endgeneration %}"
                + "{% else %}{{ m.content }}{% endif %}{% endfor %}";
        assertThat(new JinjaChatTemplate(dir, template, null, null).render(HI, false)).isEqualTo("Hi<Hello>");
    }

    @Test
    void toolsAreUndefined() {
        assertThat(new JinjaChatTemplate(dir, "{% if tools %}tools{% else %}none{% endif %}", null, null).render(HI, false)).isEqualTo("none");
    }
}
