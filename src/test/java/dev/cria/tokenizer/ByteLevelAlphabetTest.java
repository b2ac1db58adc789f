package dev.cria.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The GPT-2 byte-to-character table: a few known entries and that it is a bijection. */
class ByteLevelAlphabetTest {
    @Test
    void matchesGpt2BytesToUnicode() {
        assertThat(ByteLevelAlphabet.charOf(' ')).isEqualTo('Ġ');
        assertThat(ByteLevelAlphabet.charOf('\n')).isEqualTo('Ċ');
        assertThat(ByteLevelAlphabet.charOf(0)).isEqualTo('\u0100');
        assertThat(ByteLevelAlphabet.charOf('a')).isEqualTo('a');
        assertThat(ByteLevelAlphabet.charOf(0xE9)).isEqualTo('é');
        assertThat(ByteLevelAlphabet.charOf(0xAD)).isEqualTo('\u0143'); // soft hyphen, the last remapped byte
        assertThat(ByteLevelAlphabet.toToken(" the".getBytes())).isEqualTo("Ġthe");
    }

    @Test
    void isOneToOneOverAllBytes() {
        Set<Character> chars = new HashSet<>();
        byte[] all = new byte[256];
        for (int b = 0; b < 256; b++) {
            chars.add(ByteLevelAlphabet.charOf(b));
            all[b] = (byte) b;
        }
        assertThat(chars).hasSize(256);
        assertThat(ByteLevelAlphabet.toBytes(ByteLevelAlphabet.toToken(all))).isEqualTo(all);
    }

    @Test
    void rejectsCharactersOutsideTheAlphabet() {
        assertThatThrownBy(() -> ByteLevelAlphabet.toBytes("a b"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("U+0020");
        assertThatThrownBy(() -> ByteLevelAlphabet.toBytes("猫")).hasMessageContaining("U+732B");
    }
}
