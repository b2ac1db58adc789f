package dev.cria.checkpoint.llama2c;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cria.checkpoint.HfConfig;
import dev.cria.checkpoint.ModelDirectory;
import dev.cria.cli.Main;
import dev.cria.tokenizer.ByteTokenizer;
import dev.cria.tokenizer.Tokenizer;
import dev.cria.tokenizer.Tokenizers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A sentencepiece tokenizer.bin laid out as llama2.c's tokenizer.py writes it, converted to a
 * tokenizer.json, encodes as run.c's encode (transcribed in {@link RunC}) does, and decodes back.
 */
class SentencePieceJsonTest {
    /** Pieces after the specials and bytes, highest score first but for "  " (lowest); "x" and "é" are left to byte fallback. */
    private static final List<String> PIECES = List.of("  ", " the", " cat", "at", " a", "he", "th", " t", " c", "ca", " h",
            " ", "t", "h", "e", "a", "c", "s", "!");

    @TempDir
    Path dir;

    private static Llama2cTokenizerFile sentencepieceFile() {
        List<byte[]> tokens = new ArrayList<>();
        List<Float> scores = new ArrayList<>();
        for (String s : new String[] {"<unk>", "\n<s>\n", "\n</s>\n"}) {
            tokens.add(s.getBytes(StandardCharsets.UTF_8));
            scores.add(0f);
        }
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format("<0x%02X>", b).getBytes(StandardCharsets.UTF_8));
            scores.add(0f);
        }
        for (int i = 0; i < PIECES.size(); i++) {
            tokens.add(PIECES.get(i).getBytes(StandardCharsets.UTF_8));
            // subtle: like Llama 2's "▁▁", one piece scores below pieces with higher ids, so score order is not id order
            scores.add(PIECES.get(i).equals("  ") ? -100f : -1f - i);
        }
        float[] s = new float[scores.size()];
        for (int i = 0; i < s.length; i++) s[i] = scores.get(i);
        return new Llama2cTokenizerFile(6, s, tokens.toArray(byte[][]::new));
    }

    private Tokenizer converted(Llama2cTokenizerFile file) {
        SentencePieceJson.of(file, "tokenizer.bin").write(dir);
        return Tokenizers.load(dir.resolve("tokenizer.json"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"the cat", "a cat sat at the hat!", "  the  cats", "   the", "thé x", "he", "cathat", "t"})
    void encodesAsRunCDoesAndDecodesBack(String text) {
        Llama2cTokenizerFile file = sentencepieceFile();
        Tokenizer tokenizer = converted(file);
        assertThat(tokenizer.encodeAllowingSpecials(text, true)).isEqualTo(RunC.encode(file, text));
        assertThat(tokenizer.decode(tokenizer.encode(text))).isEqualTo(text);
        Llama2cTokenizerFile exported = Llama2cTokenizerFile.of(tokenizer, file.vocabSize());
        assertThat(RunC.encode(exported, text)).as("run.c on the converted tokenizer exported again").isEqualTo(RunC.encode(file, text));
    }

    @Test
    void bosAndEosAreLlamasOwn() {
        Tokenizer tokenizer = converted(sentencepieceFile());
        assertThat(tokenizer.bosId()).isEqualTo(1);
        assertThat(tokenizer.eosId()).isEqualTo(2);
        assertThat(tokenizer.vocabSize()).isEqualTo(3 + 256 + PIECES.size());
    }

    @Test
    void importWithTheTokenizerBinGivesAModelDirectoryThatEncodesAsRunC() throws IOException {
        Llama2cTokenizerFile file = sentencepieceFile();
        Path bin = dir.resolve("model.bin"), tokenizerBin = dir.resolve("tokenizer.bin"), out = dir.resolve("model");
        file.write(tokenizerBin);
        Files.write(bin, RunC.Weights.random(16, 24, 1, 2, 2, file.vocabSize(), 8, true, 1).version0());
        assertThat(Main.execute("import", "llama2c", "--bin", bin.toString(), "--tokenizer", tokenizerBin.toString(),
                "--out", out.toString())).isZero();

        ModelDirectory.Loaded loaded = ModelDirectory.load(out);
        assertThat(loaded.tokenizer().encodeAllowingSpecials("a cat sat", true)).isEqualTo(RunC.encode(file, "a cat sat"));
        assertThat(HfConfig.readContents(out.resolve(ModelDirectory.CONFIG)).tokens().bos()).containsExactly(1);
    }

    @Test
    void aByteLevelFileIsRefused() {
        var file = Llama2cTokenizerFile.of(new ByteTokenizer(), 263);
        assertThatThrownBy(() -> SentencePieceJson.of(file, "tok.bin"))
                .hasMessageStartingWith("tok.bin: not a sentencepiece tokenizer.bin as llama2.c's tokenizer.py writes it (token 0 is ")
                .hasMessageEndingWith("not \"<unk>\"); pass the model's tokenizer.json with --tokenizer-json instead");
    }
}
