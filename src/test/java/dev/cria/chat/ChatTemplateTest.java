package dev.cria.chat;

import dev.cria.world.InstructionGenerator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cria.world.StoryGenerator;
import dev.cria.tokenizer.BpeTokenizer;
import dev.cria.tokenizer.ByteTokenizer;
import dev.cria.tokenizer.SpecialTokens;
import dev.cria.tokenizer.Tokenizer;
import dev.cria.tokenizer.Tokenizers;
import dev.cria.util.CriaException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chat template's token layout, the response-only loss mask, truncation and decoding, on the byte tokenizer. */
class ChatTemplateTest {
    private final Tokenizer tok = new ByteTokenizer();
    private final SpecialTokens s = tok.specials();

    @Test
    void anotherModelsTokenizerWithoutChatTokensIsRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tokenizer.json");
        tok.save(file);
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = (ObjectNode) mapper.readTree(file.toFile());
        root.putArray("added_tokens"); // without Cria's specials it loads as another model's tokenizer
        mapper.writeValue(file.toFile(), root);
        Tokenizer foreign = Tokenizers.load(file);

        assertThatThrownBy(() -> ChatTemplate.promptTokens(foreign, "hi"))
                .isInstanceOf(CriaException.class)
                .hasMessageContaining("the tokenizer has no Cria chat tokens");
    }

    @Test
    void aPromptIsBosUserTextEndAssistant() {
        int[] ids = ChatTemplate.promptTokens(tok, "Hi");
        assertThat(ids).containsExactly(s.bos(), s.user(), 'H', 'i', s.end(), s.assistant());
    }

    @Test
    void aSystemPromptGoesRightAfterBos() {
        int[] ids = ChatTemplate.promptTokens(tok, "Be kind", "Hi");
        assertThat(ids).containsExactly(s.bos(), s.system(), 'B', 'e', ' ', 'k', 'i', 'n', 'd', s.end(),
                s.user(), 'H', 'i', s.end(), s.assistant());
        assertThat(ChatTemplate.promptTokens(tok, null, "Hi")).isEqualTo(ChatTemplate.promptTokens(tok, "Hi"));
    }

    @Test
    void aResponseEndsWithEos() {
        assertThat(ChatTemplate.responseTokens(tok, "Ok")).containsExactly('O', 'k', s.eos());
        assertThat(ChatTemplate.responseTokens(tok, "")).containsExactly(s.eos());
    }

    @Test
    void specialTokenNamesInTextStayText() {
        int[] ids = ChatTemplate.promptTokens(tok, SpecialTokens.EOS);
        long specials = Arrays.stream(ids).filter(id -> id >= 256).count();
        assertThat(specials).as("only the template's own four markers").isEqualTo(4);
    }

    @Test
    void padIsNeverEos() {
        assertThat(tok.padId()).isNotEqualTo(tok.eosId());
        Tokenizer bpe = BpeTokenizer.train(new StoryGenerator(1).stories(50), 300);
        assertThat(bpe.padId()).isNotEqualTo(bpe.eosId());
    }

    @Test
    void encodeTrainsExactlyTheResponseAndItsEos() {
        SftTokens t = ChatTemplate.encode(tok, new SftExample("Hi", "Ok"), 64);
        assertThat(t.tokens()).containsExactly(s.bos(), s.user(), 'H', 'i', s.end(), s.assistant(), 'O', 'k', s.eos());
        assertThat(t.promptLength()).isEqualTo(6);
        assertThat(t.responseLength()).isEqualTo(3);
        assertThat(t.lossMask()).containsExactly(false, false, false, false, false, false, true, true, true);
        int ignore = SftTokens.IGNORE;
        assertThat(t.labels()).containsExactly(ignore, ignore, ignore, ignore, ignore, ignore, 'O', 'k', s.eos());
        assertThat(t.responseTokens()).containsExactly('O', 'k', s.eos());
    }

    @Test
    void theEosIsInsideTheTrainedPartForStories() {
        InstructionGenerator generator = new InstructionGenerator(3);
        for (int i = 0; i < 50; i++) {
            SftTokens t = ChatTemplate.encode(tok, generator.nextSft(), 4096);
            int last = t.length() - 1;
            assertThat(t.tokens()[last]).isEqualTo(s.eos());
            assertThat(t.lossMask()[last]).isTrue();
            assertThat(t.labels()[last]).isEqualTo(s.eos());
            assertThat(t.tokens()[t.promptLength() - 1]).as("the prompt ends with <|assistant|>").isEqualTo(s.assistant());
            assertThat(IntStream.range(0, t.promptLength()).noneMatch(p -> t.lossMask()[p])).isTrue();
            assertThat(t.tokens()).doesNotContain(s.pad());
        }
    }

    @Test
    void anOverLongExampleLosesTheEndOfItsResponse() {
        SftTokens t = ChatTemplate.encode(tok, new SftExample("Hi", "Hello"), 9);
        assertThat(t.tokens()).containsExactly(s.bos(), s.user(), 'H', 'i', s.end(), s.assistant(), 'H', 'e', 'l');
        assertThat(t.promptLength()).isEqualTo(6);

        SftTokens oneLeft = ChatTemplate.encode(tok, new SftExample("Hi", "Hello"), 7);
        assertThat(oneLeft.responseTokens()).containsExactly('H');

        SftTokens fits = ChatTemplate.encode(tok, new SftExample("Hi", "Hello"), 12);
        assertThat(fits.length()).isEqualTo(12);
        assertThat(fits.tokens()[11]).isEqualTo(s.eos());
    }

    @Test
    void aPromptThatLeavesNoRoomForTheResponseIsRefusedWithTheLengths() {
        assertThatThrownBy(() -> ChatTemplate.encode(tok, new SftExample("Hi", "Hello"), 6))
                .isInstanceOf(CriaException.class)
                .hasMessageStartingWith("the prompt is 6 tokens with its chat markers, but maxLen is 6");
        assertThatThrownBy(() -> ChatTemplate.encode(tok, new SftExample("Hi", "Hello"), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(": 1");
    }

    @Test
    void decodeResponseStopsAtEosOrPadAndDropsOtherSpecials() {
        int[] generated = {'O', s.end(), 'k', s.eos(), 'x', 'y'};
        assertThat(ChatTemplate.decodeResponse(tok, generated)).isEqualTo("Ok");
        assertThat(ChatTemplate.decodeResponse(tok, new int[] {'a', s.pad(), 'b'})).isEqualTo("a");
        assertThat(ChatTemplate.decodeResponse(tok, new int[] {'a', 'b'})).as("no eos: everything").isEqualTo("ab");
        assertThat(ChatTemplate.decodeResponse(tok, new int[] {s.eos()})).isEmpty();
    }

    @Test
    void decodeResponseInvertsResponseTokens() {
        String story = new StoryGenerator(5).next().text() + " 🦙";
        assertThat(ChatTemplate.decodeResponse(tok, ChatTemplate.responseTokens(tok, story))).isEqualTo(story);
    }

    @Test
    void equalEncodingsAreEqual() {
        SftExample example = new SftExample("Hi", "Ok");
        assertThat(ChatTemplate.encode(tok, example, 32)).isEqualTo(ChatTemplate.encode(tok, example, 32))
                .hasSameHashCodeAs(ChatTemplate.encode(tok, example, 32));
    }
}
