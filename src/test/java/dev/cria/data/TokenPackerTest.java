package dev.cria.data;

import dev.cria.world.StoryGenerator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cria.tokenizer.ByteTokenizer;
import dev.cria.util.CriaException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pretokenizing: bos/eos framing, the document-level train/val split, and the files written. */
class TokenPackerTest {
    private static final ByteTokenizer TOKENIZER = new ByteTokenizer();
    private static final int BOS = TOKENIZER.bosId();
    private static final int EOS = TOKENIZER.eosId();

    @TempDir
    Path dir;

    @Test
    void eachDocumentIsFramedByBosAndEos() {
        assertThat(TokenPacker.pack(TOKENIZER, List.of("ab", "c", "")))
                .containsExactly(BOS, 'a', 'b', EOS, BOS, 'c', EOS, BOS, EOS);
    }

    @Test
    void validationDocumentsAreSpreadEvenly() {
        boolean[] isVal = TokenPacker.valDocuments(100, 0.05);
        assertThat(IntStream.range(0, 100).filter(i -> isVal[i]).toArray()).containsExactly(10, 30, 50, 70, 90);
    }

    @Test
    void validationGetsAtLeastOneDocumentButNeverAll() {
        assertThat(count(TokenPacker.valDocuments(2, 0.05))).isEqualTo(1);
        assertThat(count(TokenPacker.valDocuments(10, 0.01))).isEqualTo(1);
        assertThat(count(TokenPacker.valDocuments(3, 0.99))).isEqualTo(2);
        assertThat(count(TokenPacker.valDocuments(1, 0.5))).isZero();
        assertThat(count(TokenPacker.valDocuments(50, 0))).isZero();
        assertThat(count(TokenPacker.valDocuments(1000, 0.1))).isEqualTo(100);
    }

    @Test
    void aBadFractionIsNamed() {
        assertThatThrownBy(() -> TokenPacker.valDocuments(10, 1.0)).hasMessageContaining("1.0");
        assertThatThrownBy(() -> TokenPacker.valDocuments(10, -0.1)).hasMessageContaining("-0.1");
        assertThatThrownBy(() -> TokenPacker.valDocuments(10, Double.NaN)).hasMessageContaining("NaN");
    }

    @Test
    void pretokenizeWritesTrainAndValFiles() {
        List<String> documents = new StoryGenerator(4).stories(40);
        TokenPacker.Summary summary = TokenPacker.pretokenize(TOKENIZER, documents, dir.resolve("out"), 0.1);

        boolean[] isVal = TokenPacker.valDocuments(40, 0.1);
        List<String> train = new ArrayList<>();
        List<String> val = new ArrayList<>();
        for (int i = 0; i < 40; i++) (isVal[i] ? val : train).add(documents.get(i));

        assertThat(summary.trainFile()).isEqualTo(dir.resolve("out/train.bin"));
        assertThat(summary.valFile()).isEqualTo(dir.resolve("out/val.bin"));
        assertThat(summary.trainDocuments()).isEqualTo(36);
        assertThat(summary.valDocuments()).isEqualTo(4);
        PackedTokens trainRead = PackedTokens.read(summary.trainFile());
        PackedTokens valRead = PackedTokens.read(summary.valFile());
        assertThat(trainRead.tokens()).isEqualTo(TokenPacker.pack(TOKENIZER, train));
        assertThat(valRead.tokens()).isEqualTo(TokenPacker.pack(TOKENIZER, val));
        assertThat(trainRead.vocabSize()).isEqualTo(TOKENIZER.vocabSize());
        assertThat(summary.trainTokens()).isEqualTo(trainRead.size());
        assertThat(summary.valTokens()).isEqualTo(valRead.size());
    }

    @Test
    void pretokenizingTwiceGivesIdenticalFiles() throws IOException {
        List<String> documents = new StoryGenerator(6).stories(25);
        TokenPacker.pretokenize(TOKENIZER, documents, dir.resolve("a"));
        TokenPacker.pretokenize(TOKENIZER, documents, dir.resolve("b"));
        assertThat(Files.readAllBytes(dir.resolve("a/train.bin"))).isEqualTo(Files.readAllBytes(dir.resolve("b/train.bin")));
        assertThat(Files.readAllBytes(dir.resolve("a/val.bin"))).isEqualTo(Files.readAllBytes(dir.resolve("b/val.bin")));
    }

    @Test
    void anEmptyCorpusIsAnError() {
        assertThatThrownBy(() -> TokenPacker.pretokenize(TOKENIZER, List.of(), dir))
                .isInstanceOf(CriaException.class).hasMessageContaining("empty");
    }

    private static int count(boolean[] flags) {
        int n = 0;
        for (boolean f : flags) if (f) n++;
        return n;
    }
}
