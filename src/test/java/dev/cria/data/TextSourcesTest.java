package dev.cria.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cria.util.CriaException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading corpora: plain text split on blank lines, JSONL with a "text" field, and the errors. */
class TextSourcesTest {
    @TempDir
    Path dir;

    @Test
    void plainTextDocumentsAreSeparatedByBlankLines() throws IOException {
        Path file = write("stories.txt", "Once upon a time.\nThe end.\n\n\nAnother one.\n   \nThird\r\nstory.\n");
        assertThat(TextSources.read(file)).containsExactly("Once upon a time.\nThe end.", "Another one.", "Third\nstory.");
    }

    @Test
    void anEmptyTextFileHasNoDocuments() throws IOException {
        assertThat(TextSources.read(write("empty.txt", "\n\n"))).isEmpty();
    }

    @Test
    void jsonlGivesOneDocumentPerLineAndSkipsBlankLines() throws IOException {
        Path file = write("data.jsonl", "{\"text\": \"first\", \"id\": 1}\n\n  \n{\"text\": \"caf\\u00e9 \\ud83d\\ude00\\nline\"}\n");
        assertThat(TextSources.read(file)).containsExactly("first", "café 😀\nline");
    }

    @Test
    void dotJsonIsReadAsJsonl() throws IOException {
        assertThat(TextSources.read(write("data.json", "{\"text\": \"a\"}\n{\"text\": \"b\"}\n"))).containsExactly("a", "b");
    }

    @Test
    void aByteOrderMarkIsNotText() throws IOException {
        assertThat(TextSources.read(write("bom.jsonl", "\uFEFF{\"text\": \"a\"}\n"))).containsExactly("a");
        assertThat(TextSources.read(write("bom.txt", "\uFEFFhello\n"))).containsExactly("hello");
    }

    @Test
    void badJsonNamesFileAndLine() throws IOException {
        Path file = write("data.jsonl", "{\"text\": \"ok\"}\n\n{\"text\": oops}\n");
        assertThatThrownBy(() -> TextSources.read(file))
                .isInstanceOf(CriaException.class).hasMessageStartingWith(file + ":3: bad JSON");
    }

    @Test
    void trailingGarbageIsBadJson() throws IOException {
        Path file = write("data.jsonl", "{\"text\": \"ok\"} extra\n");
        assertThatThrownBy(() -> TextSources.read(file)).hasMessageStartingWith(file + ":1: bad JSON");
    }

    @Test
    void aMissingTextFieldNamesFileAndLine() throws IOException {
        Path file = write("data.jsonl", "{\"text\": \"a\"}\n{\"text\": \"b\"}\n{\"text\": \"c\"}\n{\"text\": \"d\"}\n{\"text\": \"e\"}\n{\"text\": \"f\"}\n{\"body\": \"g\"}\n");
        assertThatThrownBy(() -> TextSources.read(file))
                .isInstanceOf(CriaException.class).hasMessage(file + ":7: missing string field \"text\"");
    }

    @Test
    void aNonStringTextFieldNamesItsType() throws IOException {
        Path file = write("data.jsonl", "{\"text\": 42}\n");
        assertThatThrownBy(() -> TextSources.read(file))
                .isInstanceOf(CriaException.class).hasMessage(file + ":1: field \"text\" is number, expected a string");
        Path nullText = write("null.jsonl", "{\"text\": null}\n");
        assertThatThrownBy(() -> TextSources.read(nullText)).hasMessage(nullText + ":1: missing string field \"text\"");
    }

    @Test
    void aLineThatIsNotAnObjectSaysWhatItIs() throws IOException {
        Path file = write("data.json", "[{\"text\": \"a\"}]\n");
        assertThatThrownBy(() -> TextSources.read(file))
                .isInstanceOf(CriaException.class).hasMessageStartingWith(file + ":1: expected a JSON object").hasMessageEndingWith("got array");
    }

    @Test
    void aMissingFileIsNamed() {
        Path missing = dir.resolve("nope.jsonl");
        assertThatThrownBy(() -> TextSources.read(missing)).isInstanceOf(CriaException.class).hasMessage(missing + ": no such file");
    }

    @Test
    void invalidUtf8IsReported() throws IOException {
        Path file = dir.resolve("bad.txt");
        Files.write(file, new byte[] {'o', 'k', '\n', (byte) 0xff, (byte) 0xfe, '\n'});
        assertThatThrownBy(() -> TextSources.read(file)).isInstanceOf(CriaException.class).hasMessageContaining("not valid UTF-8");
    }

    @Test
    void aDirectoryIsReadFileByFileInNameOrder() throws IOException {
        Path corpus = Files.createDirectory(dir.resolve("corpus"));
        Files.writeString(corpus.resolve("b.jsonl"), "{\"text\": \"from b\"}\n");
        Files.writeString(corpus.resolve("a.txt"), "from a\n\nagain a\n");
        Files.writeString(corpus.resolve("ignored.bin"), "not text");
        assertThat(TextSources.read(corpus)).containsExactly("from a", "again a", "from b");
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
    }
}
