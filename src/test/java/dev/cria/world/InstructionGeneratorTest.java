package dev.cria.world;

import dev.cria.chat.PromptExample;
import dev.cria.chat.SftExample;
import dev.cria.chat.PreferenceExample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cria.world.StoryTopic;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Built-in instructions, responses and preference pairs: determinism, faithfulness to the topic, and the flaws. */
class InstructionGeneratorTest {
    private final SimulatedAnnotator annotator = new SimulatedAnnotator();

    @Test
    void sameSeedGivesTheSameData() {
        assertThat(new InstructionGenerator(7).sft(50)).isEqualTo(new InstructionGenerator(7).sft(50));
        assertThat(new InstructionGenerator(7).prompts(50)).isEqualTo(new InstructionGenerator(7).prompts(50));
        assertThat(new InstructionGenerator(7).preferences(50)).isEqualTo(new InstructionGenerator(7).preferences(50));
    }

    @Test
    void differentSeedsGiveDifferentData() {
        List<PromptExample> a = new InstructionGenerator(1).prompts(50);
        List<PromptExample> b = new InstructionGenerator(2).prompts(50);
        assertThat(a).isNotEqualTo(b);
        assertThat(new InstructionGenerator(1).sft(20)).isNotEqualTo(new InstructionGenerator(2).sft(20));
    }

    @Test
    void instructionsAskForTheirTopicInVariedWords() {
        InstructionGenerator generator = new InstructionGenerator(11);
        Set<String> openings = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            Instruction instruction = generator.nextInstruction();
            StoryTopic topic = instruction.topic();
            assertThat(topic.animal()).isNotNull();
            assertThat(topic.name()).isNotNull();
            assertThat(instruction.text()).contains("about " + topic.describe()).matches(".*[.?]");
            openings.add(instruction.text().substring(0, instruction.text().indexOf(" about ")));
        }
        assertThat(openings).contains("Write a story", "Tell me a story", "Write a short story", "Can you write a story").hasSizeGreaterThanOrEqualTo(6);
    }

    @Test
    void theTextAloneSaysWhatTheTopicAsks() {
        InstructionGenerator generator = new InstructionGenerator(12);
        for (int i = 0; i < 500; i++) {
            Instruction instruction = generator.nextInstruction();
            StoryRequest request = StoryRequest.parse(instruction.text());
            StoryTopic topic = instruction.topic();
            assertThat(request).as(instruction.text()).isEqualTo(new StoryRequest(topic.animal(), topic.name(), topic.object(), topic.place()));
        }
    }

    @Test
    void correctResponsesAreStoriesAboutExactlyTheTopic() {
        InstructionGenerator generator = new InstructionGenerator(13);
        for (int i = 0; i < 300; i++) {
            Instruction instruction = generator.nextInstruction();
            StoryTopic topic = instruction.topic();
            String story = generator.response(instruction);
            assertThat(SimulatedAnnotator.containsWord(story, topic.name())).as(story).isTrue();
            assertThat(SimulatedAnnotator.containsWord(story.toLowerCase(), topic.animal())).as(story).isTrue();
            if (topic.object() != null) assertThat(story).contains(topic.object());
            if (topic.place() != null) assertThat(story).contains(topic.place());
            assertThat(story).matches("(?s).*[.!]");
        }
    }

    @Test
    void sftExamplesPairAnInstructionWithACorrectStory() {
        for (SftExample example : new InstructionGenerator(14).sft(100)) {
            StoryRequest request = StoryRequest.parse(example.prompt());
            assertThat(example.response()).contains(request.name());
            assertThat(annotator.assess(example.prompt(), example.response()).total()).isGreaterThanOrEqualTo(5);
        }
    }

    @Test
    void eachFlawDoesWhatItSays() {
        InstructionGenerator generator = new InstructionGenerator(15);
        for (int i = 0; i < 200; i++) {
            Instruction instruction = generator.nextInstruction();
            String name = instruction.topic().name();
            String animal = instruction.topic().animal();

            String wrongName = generator.response(instruction, EnumSet.of(ResponseFlaw.WRONG_NAME));
            assertThat(SimulatedAnnotator.containsWord(wrongName, name)).as(wrongName).isFalse();

            String wrongAnimal = generator.response(instruction, EnumSet.of(ResponseFlaw.WRONG_ANIMAL));
            assertThat(wrongAnimal).as("the hero keeps the name").contains(name);
            assertThat(wrongAnimal.toLowerCase()).doesNotStartWith("once upon a time, there was a " + animal + " ");

            String repeated = generator.response(instruction, EnumSet.of(ResponseFlaw.REPETITION));
            List<String> sentences = Sentences.split(repeated);
            assertThat(new HashSet<>(sentences)).as(repeated).hasSizeLessThan(sentences.size());

            assertThat(generator.response(instruction, EnumSet.of(ResponseFlaw.NO_ENDING))).doesNotEndWith(".").doesNotEndWith("!").doesNotEndWith("?");
            String truncated = generator.response(instruction, EnumSet.of(ResponseFlaw.TRUNCATED));
            assertThat(truncated).doesNotMatch("(?s).*[.!?\"]").isNotBlank();

            String tooShort = generator.response(instruction, EnumSet.of(ResponseFlaw.TOO_SHORT));
            assertThat(Sentences.split(tooShort)).as(tooShort).hasSizeBetween(1, 3);
            assertThat(Sentences.wordCount(tooShort)).as(tooShort).isLessThan(SimulatedAnnotator.VERY_SHORT_WORDS);
            assertThat(annotator.assess(instruction.text(), tooShort).ending()).as("ends properly: " + tooShort)
                    .isEqualTo(SimulatedAnnotator.PROPER_ENDING);
        }
    }

    @Test
    void theWaysOfStoppingBadlyDoNotCombine() {
        InstructionGenerator generator = new InstructionGenerator(16);
        Instruction instruction = generator.nextInstruction();
        assertThatThrownBy(() -> generator.response(instruction, EnumSet.of(ResponseFlaw.NO_ENDING, ResponseFlaw.TRUNCATED)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pick one: [NO_ENDING, TRUNCATED]");
        assertThatThrownBy(() -> generator.response(instruction, EnumSet.of(ResponseFlaw.TRUNCATED, ResponseFlaw.TOO_SHORT)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pick one: [TRUNCATED, TOO_SHORT]");
    }

    @Test
    void aStoryCutShortCanStillRepeatItself() {
        InstructionGenerator generator = new InstructionGenerator(18);
        for (int i = 0; i < 50; i++) {
            Instruction instruction = generator.nextInstruction();
            String shortAndRepeated = generator.response(instruction, EnumSet.of(ResponseFlaw.TOO_SHORT, ResponseFlaw.REPETITION));
            assertThat(annotator.assess(instruction.text(), shortAndRepeated).repetition()).as(shortAndRepeated).isNegative();
        }
    }

    @Test
    void preferencesAreLabelledByTheAnnotatorWithoutTies() {
        List<PreferenceExample> pairs = new InstructionGenerator(17).preferences(300);
        int flawedChosen = 0;
        for (PreferenceExample pair : pairs) {
            assertThat(annotator.prefer(pair.prompt(), pair.chosen(), pair.rejected())).as(pair.toString()).isEqualTo(1);
            assertThat(pair.chosen()).isNotEqualTo(pair.rejected());
            // A correct story scores at least 5 here; below that the chosen one is itself flawed.
            if (annotator.score(pair.prompt(), pair.chosen()) < 5) flawedChosen++;
        }
        assertThat(flawedChosen).as("some pairs are two flawed stories of different severity").isBetween(30, 150);
    }

    /**
     * Why a reward model must check the request: the annotator without its animal and name criteria, a
     * judge that sees everything else perfectly, agrees on only about 77% of built-in pairs (ties half).
     */
    @Test
    void aJudgeBlindToTheRequestedAnimalAndNameIsCappedWellBelowNinetyPercent() {
        List<PreferenceExample> pairs = new InstructionGenerator(19).preferences(1000);
        double agreed = 0;
        for (PreferenceExample pair : pairs) {
            Assessment chosen = annotator.assess(pair.prompt(), pair.chosen()), rejected = annotator.assess(pair.prompt(), pair.rejected());
            double blindDiff = (chosen.total() - chosen.animal() - chosen.name()) - (rejected.total() - rejected.animal() - rejected.name());
            agreed += blindDiff > SimulatedAnnotator.TIE ? 1 : blindDiff > -SimulatedAnnotator.TIE ? 0.5 : 0;
        }
        assertThat(agreed / pairs.size()).isBetween(0.70, 0.84);
    }

    @Test
    void requestChecksAreShortStoriesThatDifferInTheAnimalOrTheName() {
        int wrongAnimal = 0;
        for (PreferenceExample pair : new InstructionGenerator(20).requestChecks(200)) {
            StoryRequest request = StoryRequest.parse(pair.prompt());
            Assessment chosen = annotator.assess(pair.prompt(), pair.chosen()), rejected = annotator.assess(pair.prompt(), pair.rejected());
            assertThat(chosen.total()).as(pair.toString()).isGreaterThan(rejected.total());
            assertThat(Sentences.split(pair.chosen())).as(pair.toString()).hasSizeBetween(1, 3);
            assertThat(withoutCharacters(pair.rejected())).as(pair.toString()).isEqualTo(withoutCharacters(pair.chosen()));
            if (!SimulatedAnnotator.containsWord(pair.rejected().toLowerCase(), request.animal())) wrongAnimal++;
        }
        assertThat(wrongAnimal).as("about half the pairs change the animal, the rest the name").isBetween(70, 130);
    }

    @Test
    void bothSidesOfAPairTellTheSameStory() {
        for (PreferenceExample pair : new InstructionGenerator(18).preferences(200)) {
            List<String> chosen = Sentences.split(withoutCharacters(pair.chosen()));
            Set<String> rejected = new HashSet<>(Sentences.split(withoutCharacters(pair.rejected())));
            List<String> rejectedInOrder = Sentences.split(withoutCharacters(pair.rejected()));
            assertThat(rejectedInOrder.get(0)).as(pair.toString()).isEqualTo(chosen.get(0));
            // Truncation keeps at least half the text; a changed animal may change the friend or helper too;
            // a story cut short keeps only one to three sentences, all shared.
            int shorter = Math.min(new HashSet<>(chosen).size(), rejected.size());
            assertThat(chosen.stream().filter(rejected::contains).distinct().count()).as(pair.toString())
                    .isGreaterThanOrEqualTo(Math.min(3, shorter));
        }
    }

    /** The text with every built-in animal and name replaced by a placeholder. */
    private static String withoutCharacters(String text) {
        String out = text;
        for (String word : dev.cria.world.StoryWords.ANIMALS) out = out.replaceAll("\\b" + word + "\\b", "ANIMAL");
        for (String name : dev.cria.world.StoryWords.BOY_NAMES) out = out.replaceAll("\\b" + name + "\\b", "NAME");
        for (String name : dev.cria.world.StoryWords.GIRL_NAMES) out = out.replaceAll("\\b" + name + "\\b", "NAME");
        return out;
    }

    @Test
    void echoRequestsQuoteTheirAnswerFirst() {
        InstructionGenerator generator = new InstructionGenerator(21);
        Set<String> requests = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            SftExample echo = generator.nextEcho();
            assertThat(echo.prompt()).as(echo.toString()).startsWith(echo.response() + " ");
            assertThat(Sentences.split(echo.response())).hasSizeBetween(1, 2);
            assertThat(echo.response()).matches("[\"]?\\p{Lu}.*[.!?][\"]?");
            requests.add(echo.prompt().substring(echo.response().length() + 1));
        }
        assertThat(requests).containsExactlyInAnyOrder("Say that back to me.", "Repeat it.", "Please say it again.", "Can you repeat that?");
    }

    @Test
    void echoPromptsAreEchoRequestsWithoutAnswers() {
        List<PromptExample> prompts = new InstructionGenerator(22).echoPrompts(20);
        List<SftExample> echoes = new InstructionGenerator(22).echoes(20);
        for (int i = 0; i < 20; i++) assertThat(prompts.get(i).prompt()).isEqualTo(echoes.get(i).prompt());
        assertThat(new InstructionGenerator(22).echoPrompts(20)).isEqualTo(prompts);
    }

    @Test
    void sftMixesInEchoRequestsAtTheGivenShare() {
        assertThat(new InstructionGenerator(23).sft(50, 0)).isEqualTo(new InstructionGenerator(23).sft(50));
        List<SftExample> mixed = new InstructionGenerator(23).sft(1000, 0.1);
        long echoes = mixed.stream().filter(e -> e.prompt().startsWith(e.response() + " ")).count();
        assertThat(echoes).isBetween(50L, 150L);
        assertThat(new InstructionGenerator(23).sft(30, 1)).allMatch(e -> e.prompt().startsWith(e.response() + " "));
        assertThatThrownBy(() -> new InstructionGenerator(1).sft(10, 1.5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("echoShare must be in [0, 1]: 1.5");
    }

    @Test
    void negativeCountsAreRefused() {
        assertThatThrownBy(() -> new InstructionGenerator(1).sft(-1)).isInstanceOf(IllegalArgumentException.class).hasMessage("n < 0: -1");
        assertThat(new InstructionGenerator(1).preferences(0)).isEmpty();
    }
}
