package dev.cria.chat;

import dev.cria.world.InstructionGenerator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cria.util.CriaException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The three TRL JSONL layouts: round trips, the messages form, and errors that name file, line and field. */
class AlignmentJsonlTest {
    @TempDir
    Path dir;

    // Quotes, newlines, backslashes, emoji and CJK: everything JSON must escape or carry through.
    private static final String AWKWARD = "He said \"hi\"\\ and left.\nNew line\ttab 🦙 羊驼";

    @Test
    void sftRoundTrips() {
        List<SftExample> examples = List.of(
                new SftExample("Write a story about a cat named Tom.", "Once upon a time, there was a cat named Tom."),
                new SftExample(AWKWARD, AWKWARD),
                new SftExample("Say nothing.", ""));
        Path file = dir.resolve("sft.jsonl");
        AlignmentJsonl.writeSft(file, examples);
        assertThat(AlignmentJsonl.readSft(file)).isEqualTo(examples);
    }

    @Test
    void preferencesRoundTrip() {
        List<PreferenceExample> examples = List.of(
                new PreferenceExample("Tell me a story about a dog named Sue.", "Sue the dog played.", "Tom the cat played."),
                new PreferenceExample(AWKWARD, "", AWKWARD));
        Path file = dir.resolve("prefs.jsonl");
        AlignmentJsonl.writePreferences(file, examples);
        assertThat(AlignmentJsonl.readPreferences(file)).isEqualTo(examples);
    }

    @Test
    void unpairedRoundTripsAndPairsUnpairAsTrlDoes() {
        List<UnpairedExample> examples = UnpairedExample.unpair(List.of(
                new PreferenceExample("Tell me a story about a dog named Sue.", "Sue the dog played.", "Tom the cat played."),
                new PreferenceExample(AWKWARD, "", AWKWARD)));
        assertThat(examples).extracting(UnpairedExample::label).containsExactly(true, true, false, false);
        assertThat(examples.get(2).completion()).isEqualTo("Tom the cat played.");
        Path file = dir.resolve("kto.jsonl");
        AlignmentJsonl.writeUnpaired(file, examples);
        assertThat(AlignmentJsonl.readUnpaired(file)).isEqualTo(examples);
    }

    @Test
    void aBadUnpairedLineNamesFileLineAndField() throws IOException {
        Path file = dir.resolve("kto.jsonl");
        Files.writeString(file, "{\"prompt\": \"p\", \"completion\": \"c\", \"label\": true}\n{\"prompt\": \"p\", \"completion\": \"c\", \"label\": \"true\"}\n");
        assertThatThrownBy(() -> AlignmentJsonl.readUnpaired(file)).isInstanceOf(CriaException.class)
                .hasMessage(file + ":2: field \"label\" is string, expected true or false");
        Files.writeString(file, "{\"prompt\": \"p\", \"completion\": \"c\"}\n");
        assertThatThrownBy(() -> AlignmentJsonl.readUnpaired(file)).hasMessage(file + ":1: missing boolean field \"label\"");
        Files.writeString(file, "{\"prompt\": \"p\", \"label\": false}\n");
        assertThatThrownBy(() -> AlignmentJsonl.readUnpaired(file)).hasMessage(file + ":1: missing string field \"completion\"");
    }

    @Test
    void promptsRoundTrip() {
        List<PromptExample> examples = new InstructionGenerator(1).prompts(20);
        Path file = dir.resolve("prompts.jsonl");
        AlignmentJsonl.writePrompts(file, examples);
        assertThat(AlignmentJsonl.readPrompts(file)).isEqualTo(examples);
    }

    @Test
    void writtenLinesAreOneObjectEachInFieldOrder() throws IOException {
        Path file = dir.resolve("prefs.jsonl");
        AlignmentJsonl.writePreferences(file, List.of(new PreferenceExample("p", "c", "r")));
        assertThat(Files.readString(file)).isEqualTo("{\"prompt\":\"p\",\"chosen\":\"c\",\"rejected\":\"r\"}\n");
    }

    @Test
    void aWriteReplacesTheFileWholeAndLeavesNothingBeside() throws IOException {
        Path file = dir.resolve("prompts.jsonl");
        AlignmentJsonl.writePrompts(file, List.of(new PromptExample("first"), new PromptExample("second")));
        AlignmentJsonl.writePrompts(file, List.of(new PromptExample("third")));
        assertThat(AlignmentJsonl.readPrompts(file)).containsExactly(new PromptExample("third"));
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void trlCompletionIsAnAliasForResponse() throws IOException {
        Path file = write("sft.jsonl", "{\"prompt\": \"p\", \"completion\": \"c\", \"id\": 7}\n");
        assertThat(AlignmentJsonl.readSft(file)).containsExactly(new SftExample("p", "c"));
    }

    @Test
    void blankLinesAndAByteOrderMarkAreSkipped() throws IOException {
        Path file = write("prompts.jsonl", "\uFEFF{\"prompt\": \"a\"}\n\n   \n{\"prompt\": \"b\"}\n");
        assertThat(AlignmentJsonl.readPrompts(file)).containsExactly(new PromptExample("a"), new PromptExample("b"));
    }

    @Test
    void sftAndPreferenceFilesAreAlsoPromptFiles() throws IOException {
        Path file = write("prefs.jsonl", "{\"prompt\": \"a\", \"chosen\": \"x\", \"rejected\": \"y\"}\n");
        assertThat(AlignmentJsonl.readPrompts(file)).containsExactly(new PromptExample("a"));
    }

    @Test
    void messagesGiveTheUserTurnAsPromptAndTheLastAssistantTurnAsResponse() throws IOException {
        Path file = write("sft.jsonl", "{\"messages\": [{\"role\": \"user\", \"content\": \"Write a story.\"}, "
                + "{\"role\": \"assistant\", \"content\": \"Once upon a time.\"}]}\n");
        assertThat(AlignmentJsonl.readSft(file)).containsExactly(new SftExample("Write a story.", "Once upon a time."));
    }

    @Test
    void aSystemTurnBecomesThePromptsFirstParagraph() throws IOException {
        Path file = write("sft.jsonl", "{\"messages\": [{\"role\": \"system\", \"content\": \"Be kind.\"}, "
                + "{\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\", \"content\": \"Hello!\"}]}\n");
        assertThat(AlignmentJsonl.readSft(file)).containsExactly(new SftExample("Be kind.\n\nHi", "Hello!",
                List.of(new ChatTurn("system", "Be kind."), new ChatTurn("user", "Hi"))));
    }

    @Test
    void multiTurnConversationsKeepTheirTurnsAndAreFlattenedWithRoleLabels() throws IOException {
        Path file = write("sft.jsonl", "{\"messages\": [{\"role\": \"system\", \"content\": \"S\"}, "
                + "{\"role\": \"user\", \"content\": \"U1\"}, {\"role\": \"assistant\", \"content\": \"A1\"}, "
                + "{\"role\": \"user\", \"content\": \"U2\"}, {\"role\": \"assistant\", \"content\": \"A2\"}]}\n");
        var turns = List.of(new ChatTurn("system", "S"), new ChatTurn("user", "U1"), new ChatTurn("assistant", "A1"), new ChatTurn("user", "U2"));
        assertThat(AlignmentJsonl.readSft(file)).as("flattened for Cria's format, turn by turn for a model's own template")
                .containsExactly(new SftExample("S\n\nUser: U1\n\nAssistant: A1\n\nUser: U2", "A2", turns));
    }

    @Test
    void malformedMessagesNameTheTurnAndField() throws IOException {
        expectError("{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}]}",
                ":1: field \"messages\" must end with an assistant turn, the response to train on");
        expectError("{\"messages\": [{\"role\": \"assistant\", \"content\": \"a\"}]}",
                ":1: messages[0].role is \"assistant\", expected \"user\" (turns must alternate user, assistant, user, ...)");
        expectError("{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"bot\", \"content\": \"b\"}]}",
                ":1: messages[1].role is \"bot\", expected \"system\", \"user\" or \"assistant\"");
        expectError("{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"system\", \"content\": \"b\"}]}",
                ":1: messages[1].role is \"system\", expected \"assistant\" (a system turn may only come first)");
        expectError("{\"messages\": [{\"role\": \"user\"}, {\"role\": \"assistant\", \"content\": \"b\"}]}",
                ":1: messages[0] has no string field \"content\"");
        expectError("{\"messages\": [{\"role\": \"user\", \"content\": 3}, {\"role\": \"assistant\", \"content\": \"b\"}]}",
                ":1: messages[0].content is number, expected a string");
        expectError("{\"messages\": [{\"role\": \"user\", \"content\": \" \"}, {\"role\": \"assistant\", \"content\": \"b\"}]}",
                ":1: messages[0].content is empty; the prompt needs some text");
        expectError("{\"messages\": \"hi\"}", ":1: field \"messages\" is string, expected an array of {\"role\", \"content\"} objects");
        expectError("{\"messages\": []}", ":1: field \"messages\" is empty");
        expectError("{\"messages\": [\"hi\"]}", ":1: messages[0] is string, expected a {\"role\", \"content\"} object");
        expectError("{\"messages\": [], \"prompt\": \"p\"}", ":1: has both \"messages\" and \"prompt\"; give one of them");
    }

    @Test
    void badJsonNamesFileAndLine() throws IOException {
        Path file = write("sft.jsonl", "{\"prompt\": \"a\", \"response\": \"b\"}\n\n{\"prompt\": oops}\n");
        assertThatThrownBy(() -> AlignmentJsonl.readSft(file))
                .isInstanceOf(CriaException.class).hasMessageStartingWith(file + ":3: bad JSON");
        Path trailing = write("trailing.jsonl", "{\"prompt\": \"a\"} {\"prompt\": \"b\"}\n");
        assertThatThrownBy(() -> AlignmentJsonl.readPrompts(trailing)).hasMessageStartingWith(trailing + ":1: bad JSON");
        Path duplicate = write("duplicate.jsonl", "{\"prompt\": \"a\", \"prompt\": \"b\"}\n");
        assertThatThrownBy(() -> AlignmentJsonl.readPrompts(duplicate)).hasMessageStartingWith(duplicate + ":1: bad JSON");
        Path array = write("array.jsonl", "[{\"prompt\": \"a\"}]\n");
        assertThatThrownBy(() -> AlignmentJsonl.readPrompts(array)).hasMessage(array + ":1: expected one JSON object per line, got array");
    }

    @Test
    void missingAndMistypedFieldsAreNamed() throws IOException {
        Path prefs = write("prefs.jsonl", "{\"prompt\": \"p\", \"chosen\": \"c\", \"rejected\": \"r\"}\n{\"prompt\": \"p\", \"chosen\": \"c\"}\n");
        assertThatThrownBy(() -> AlignmentJsonl.readPreferences(prefs))
                .isInstanceOf(CriaException.class).hasMessage(prefs + ":2: missing string field \"rejected\"");
        Path numeric = write("numeric.jsonl", "{\"prompt\": \"p\", \"chosen\": 1, \"rejected\": \"r\"}\n");
        assertThatThrownBy(() -> AlignmentJsonl.readPreferences(numeric)).hasMessage(numeric + ":1: field \"chosen\" is number, expected a string");
        Path conversational = write("conv.jsonl", "{\"prompt\": \"p\", \"chosen\": [{\"role\": \"assistant\", \"content\": \"c\"}], \"rejected\": \"r\"}\n");
        assertThatThrownBy(() -> AlignmentJsonl.readPreferences(conversational))
                .hasMessageStartingWith(conversational + ":1: field \"chosen\" is array, expected a string (lists of messages");
        Path sft = write("sft.jsonl", "{\"prompt\": \"p\"}\n");
        assertThatThrownBy(() -> AlignmentJsonl.readSft(sft)).hasMessage(sft + ":1: missing string field \"response\" (or \"completion\")");
        Path neither = write("neither.jsonl", "{\"text\": \"p\"}\n");
        assertThatThrownBy(() -> AlignmentJsonl.readSft(neither)).hasMessage(neither + ":1: missing string field \"prompt\" (or a \"messages\" array)");
        Path both = write("both.jsonl", "{\"prompt\": \"p\", \"response\": \"r\", \"completion\": \"c\"}\n");
        assertThatThrownBy(() -> AlignmentJsonl.readSft(both)).hasMessage(both + ":1: has both \"response\" and \"completion\"; give one of them");
        Path nullPrompt = write("null.jsonl", "{\"prompt\": null}\n");
        assertThatThrownBy(() -> AlignmentJsonl.readPrompts(nullPrompt)).hasMessage(nullPrompt + ":1: missing string field \"prompt\"");
    }

    @Test
    void anEmptyPromptIsRefusedInEveryFormat() throws IOException {
        Path prompts = write("prompts.jsonl", "{\"prompt\": \"ok\"}\n{\"prompt\": \"  \"}\n");
        assertThatThrownBy(() -> AlignmentJsonl.readPrompts(prompts)).isInstanceOf(CriaException.class).hasMessage(prompts + ":2: field \"prompt\" is empty");
        Path sft = write("sft.jsonl", "{\"prompt\": \"\", \"response\": \"r\"}\n");
        assertThatThrownBy(() -> AlignmentJsonl.readSft(sft)).hasMessage(sft + ":1: field \"prompt\" is empty");
        Path prefs = write("prefs.jsonl", "{\"prompt\": \"\", \"chosen\": \"c\", \"rejected\": \"r\"}\n");
        assertThatThrownBy(() -> AlignmentJsonl.readPreferences(prefs)).hasMessage(prefs + ":1: field \"prompt\" is empty");
    }

    @Test
    void aMissingFileIsNamed() {
        Path file = dir.resolve("nope.jsonl");
        assertThatThrownBy(() -> AlignmentJsonl.readSft(file)).isInstanceOf(CriaException.class).hasMessage(file + ": no such file");
    }

    private void expectError(String line, String messageAfterFile) throws IOException {
        Path file = write("case.jsonl", line + "\n");
        assertThatThrownBy(() -> AlignmentJsonl.readSft(file)).isInstanceOf(CriaException.class).hasMessage(file + messageAfterFile);
    }

    private Path write(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file;
    }
}
