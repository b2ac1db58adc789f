package dev.cria.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cria.util.Rng;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The byte tokenizer: id layout, round trips, and saving as a merge-free tokenizer.json. */
class ByteTokenizerTest {
    private final ByteTokenizer tokenizer = new ByteTokenizer();

    @Test
    void idsAreBytesThenSpecials() {
        assertThat(tokenizer.vocabSize()).isEqualTo(263);
        assertThat(tokenizer.encode("é!")).containsExactly(0xC3, 0xA9, '!');
        assertThat(tokenizer.specials()).isEqualTo(SpecialTokens.startingAt(256));
        assertThat(tokenizer.padId()).isNotEqualTo(tokenizer.eosId());
        assertThat(tokenizer.tokenBytes(262)).isEqualTo("<|end|>".getBytes(StandardCharsets.UTF_8));
        assertThat(tokenizer.decode(new int[] {256, 'o', 'k', 257})).isEqualTo("<|bos|>ok<|eos|>");
    }

    @Test
    void roundTripsTextAndBytes() {
        Rng rng = new Rng(5);
        for (int c = 0; c < 500; c++) {
            String text = BpeTokenizerTest.randomString(rng, rng.nextInt(30), c % 2 == 0);
            assertThat(tokenizer.decode(tokenizer.encode(text))).isEqualTo(text);
        }
        byte[] invalid = {(byte) 0xFF, 'a', (byte) 0xC3};
        assertThat(tokenizer.decodeBytes(tokenizer.encodeBytes(invalid))).isEqualTo(invalid);
        assertThat(tokenizer.encode("<|eos|>")).hasSize(7).doesNotContain(257);
    }

    @Test
    void rejectsIdsOutOfRange() {
        assertThatThrownBy(() -> tokenizer.tokenBytes(263)).hasMessageContaining("263");
        assertThatThrownBy(() -> tokenizer.decode(new int[] {-1})).hasMessageContaining("-1");
    }

    @Test
    void savesAndLoadsAsAByteTokenizer(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tokenizer.json");
        tokenizer.save(file);

        Tokenizer loaded = Tokenizers.load(file);

        assertThat(loaded).isInstanceOf(ByteTokenizer.class);
        assertThat(Files.readString(file)).contains("\"merges\": [ ]").contains("\"Ġ\": 32");
    }
}
