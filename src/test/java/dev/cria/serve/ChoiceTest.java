package dev.cria.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cria.tokenizer.ByteTokenizer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Stop strings on a stream of byte tokens: what is released at each token, and where the answer ends. */
class ChoiceTest {
    private final ByteTokenizer tokenizer = new ByteTokenizer();

    /** The pieces released after each byte of {@code text}, then the one {@link Choice#finish} releases. */
    private List<String> feed(Choice c, String text) {
        var pieces = new ArrayList<String>();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            if (c.stopped()) break;
            pieces.add(c.accept(b & 0xFF));
        }
        pieces.add(c.finish());
        return pieces;
    }

    @Test
    void textThatMayStartAStopStringIsHeldUntilTheNextTokenDecides() {
        var c = new Choice(0, tokenizer, new StopStrings(List.of("cd", ",x")));
        // ',' may start ",x": held; 'c' rules that out but may start "cd": ',' goes, 'c' is held; 'd' completes "cd"
        assertThat(feed(c, "ab,cde")).containsExactly("a", "b", "", ",", "", "");
        assertThat(c.stopped()).isTrue();
        assertThat(c.text()).isEqualTo("ab,");
    }

    @Test
    void theFirstStopStringToCompleteWinsAndNothingAfterItIsReleased() {
        var c = new Choice(0, tokenizer, new StopStrings(List.of("the end", "he")));
        assertThat(String.join("", feed(c, "so the end came"))).isEqualTo("so t");
        assertThat(c.text()).isEqualTo("so t");
    }

    @Test
    void heldTextIsReleasedWhenGenerationEndsWithoutAStop() {
        var c = new Choice(0, tokenizer, new StopStrings(List.of("The end")));
        assertThat(feed(c, "xx The e")).containsExactly("x", "x", " ", "", "", "", "", "", "The e");
        assertThat(c.stopped()).isFalse();
    }

    @Test
    void stopStringsMatchCharactersNotTheBytesTheyArriveIn() {
        var c = new Choice(0, tokenizer, new StopStrings(List.of("é!")));
        assertThat(String.join("", feed(c, "caféé!x"))).isEqualTo("café");
        assertThat(c.stopped()).isTrue();
    }

    @Test
    void withoutStopStringsEveryCompleteCharacterGoesAtOnce() {
        var c = new Choice(0, tokenizer, StopStrings.NONE);
        assertThat(feed(c, "hé")).containsExactly("h", "", "é", "");
    }
}
