package dev.cria.checkpoint.llama2c;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cria.tokenizer.BpeTokenizer;
import dev.cria.tokenizer.ByteTokenizer;
import dev.cria.tokenizer.SpecialTokens;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tokenizer.bin as run.c reads it: each id's bytes and a score that makes run.c merge in BPE order. */
class Llama2cTokenizerFileTest {
    @TempDir
    Path dir;

    @Test
    void byteTokenizerPaddedToTheModelsVocabulary() {
        var file = Llama2cTokenizerFile.of(new ByteTokenizer(), 270);
        assertThat(file.vocabSize()).isEqualTo(270);
        assertThat(file.tokens()[65]).containsExactly('A');
        assertThat(file.scores()[65]).isZero();
        assertThat(new String(file.tokens()[256], StandardCharsets.UTF_8)).isEqualTo(SpecialTokens.BOS);
        assertThat(file.scores()[256]).as("run.c never merges into a special").isEqualTo(Llama2cTokenizerFile.NEVER_MERGED);
        assertThat(file.tokens()[269]).as("an id past the tokenizer").isEmpty();
        assertThat(file.maxTokenLength()).isEqualTo(SpecialTokens.ASSISTANT.length());
    }

    @Test
    void mergedTokensScoreInMergeOrderAndDecodeToTheirBytes() {
        var tokenizer = BpeTokenizer.train(List.of("the cat sat on the mat, the cat ate the hat"), 263 + 12);
        var file = Llama2cTokenizerFile.of(tokenizer, tokenizer.vocabSize());
        for (int id = 256; id < tokenizer.vocabSize() - SpecialTokens.NAMES.length; id++) {
            assertThat(file.tokens()[id]).isEqualTo(tokenizer.decodeBytes(new int[] {id}));
            assertThat(file.scores()[id]).as("a later merge scores lower").isLessThan(file.scores()[id - 1]);
        }
    }

    @Test
    void writesAndReadsBack() {
        var file = Llama2cTokenizerFile.of(new ByteTokenizer(), 263);
        Path path = dir.resolve("tokenizer.bin");
        file.write(path);
        var back = Llama2cTokenizerFile.read(path);
        assertThat(back.maxTokenLength()).isEqualTo(file.maxTokenLength());
        assertThat(back.scores()).containsExactly(file.scores());
        assertThat(back.tokens()).isDeepEqualTo(file.tokens());
    }

    @Test
    void aTruncatedFileNamesTheByteAndTheToken() throws IOException {
        Path path = dir.resolve("tokenizer.bin");
        Llama2cTokenizerFile.of(new ByteTokenizer(), 263).write(path);
        byte[] all = Files.readAllBytes(path);
        // 4 bytes of max_token_length, then 9 bytes (score, length, one byte) for each of ids 0..255
        int bosAt = 4 + 256 * 9;
        Files.write(path, Arrays.copyOf(all, bosAt + 10));
        assertThatThrownBy(() -> Llama2cTokenizerFile.read(path))
                .hasMessage(path + ": truncated at byte " + (bosAt + 10) + ", expected 7 bytes of token 256's 7 bytes from byte " + (bosAt + 8));
    }
}
