package dev.cria.world;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.cria.world.StoryEvent;
import dev.cria.world.StoryGenerator;
import dev.cria.world.StoryTopic;
import dev.cria.util.Rng;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The simulated annotator: it must prefer correct stories to every kind of flaw, and survive garbage. */
class SimulatedAnnotatorTest {
    private static final String PROMPT = "Write a story about a cat named Tom who loses his ball at the park.";
    private final SimulatedAnnotator annotator = new SimulatedAnnotator();

    @ParameterizedTest
    @EnumSource(ResponseFlaw.class)
    void prefersTheCorrectStoryOverEachFlaw(ResponseFlaw flaw) {
        InstructionGenerator generator = new InstructionGenerator(100 + flaw.ordinal());
        int n = 400;
        int correctWins = 0;
        for (int i = 0; i < n; i++) {
            Instruction instruction = generator.nextInstruction();
            String correct = generator.response(instruction);
            String flawed = generator.response(instruction, EnumSet.of(flaw));
            if (annotator.prefer(instruction.text(), correct, flawed) > 0) correctWins++;
        }
        assertThat(correctWins).isGreaterThanOrEqualTo((int) Math.ceil(0.95 * n));
    }

    @Test
    void winRateOfCorrectOverFlawedIsHigh() {
        InstructionGenerator generator = new InstructionGenerator(200);
        Rng rng = new Rng(200);
        List<ResponseFlaw> flaws = List.of(ResponseFlaw.values());
        List<String> prompts = new ArrayList<>();
        List<String> correct = new ArrayList<>();
        List<String> flawed = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            Instruction instruction = generator.nextInstruction();
            prompts.add(instruction.text());
            correct.add(generator.response(instruction));
            flawed.add(generator.response(instruction, EnumSet.of(flaws.get(rng.nextInt(flaws.size())))));
        }
        double win = annotator.winRate(prompts, correct, flawed);
        assertThat(win).isGreaterThan(0.9);
        assertThat(annotator.winRate(prompts, flawed, correct)).isCloseTo(1 - win, within(1e-12));
        assertThat(annotator.winRate(prompts, correct, correct)).as("ties count half").isEqualTo(0.5);
    }

    @Test
    void winRateNeedsMatchingLists() {
        assertThatThrownBy(() -> annotator.winRate(List.of("p"), List.of("a"), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 prompts, 1 responses A, 0 responses B");
        assertThatThrownBy(() -> annotator.winRate(List.of(), List.of(), List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void eachCriterionFiresOnItsOwnFlaw() {
        String story = "Once upon a time, there was a cat named Tom. Tom had a red ball. One sunny day, Tom took his ball "
                + "to the park. He played and played, but then his ball was gone! Tom looked under a bench, and there it "
                + "was. Tom hugged his ball and went home happy. He learned that it helps to look carefully.";
        Assessment good = annotator.assess(PROMPT, story);
        assertThat(good).isEqualTo(new Assessment(2, 2, 1, 0.5, 1, 0, 0, 0));
        assertThat(good.total()).isEqualTo(6.5);

        assertThat(annotator.assess(PROMPT, story.replace("cat", "dog")).animal()).as("another animal as hero").isEqualTo(-3);
        assertThat(annotator.assess(PROMPT, story.replace("Tom", "Ben")).name()).as("another name as hero").isEqualTo(-3);
        assertThat(annotator.assess(PROMPT, story.replace("ball", "kite")).object()).isZero();
        assertThat(annotator.assess(PROMPT, story.replace(".", ". Tom had a red ball.")).repetition()).isNegative();
        assertThat(annotator.assess(PROMPT, story.substring(0, story.length() - 1)).ending()).as("no full stop").isEqualTo(-2);
        assertThat(annotator.assess(PROMPT, story + " Then Tom ran to the").ending()).as("cut after 'the'").isEqualTo(-4);
        assertThat(annotator.assess(PROMPT, story + " Tom said, \"Let's go").ending()).as("inside an open quote").isEqualTo(-4);
        assertThat(annotator.assess(PROMPT, "A cat named Tom.").length()).as("nearly empty").isEqualTo(-6);
    }

    @Test
    void theHeroIsTheFirstAnimalSoAFriendOfTheRightKindDoesNotCount() {
        String story = "There once was a dog named Tom. One day Tom met a shy cat at the park, and they played ball all day long. "
                + "Tom and the cat laughed and ran around the big tree until the sun went down. Then Tom went home to his bed.";
        Assessment assessment = annotator.assess(PROMPT, story);
        assertThat(assessment.animal()).as("mentions cat (+2) but the hero is a dog (-3)").isEqualTo(-1);
    }

    @Test
    void endingsInsideClosingQuotesAreProper() {
        String story = "Tom the cat found his ball at the park and laughed. He ran home to tell his mom, and she smiled. "
                + "Then Tom looked at his ball and said, \"You are my best friend!\"";
        assertThat(annotator.assess(PROMPT, story).ending()).isEqualTo(1);
    }

    @Test
    void promptsWithoutARequestGetOnlyTheGenericCriteria() {
        String story = new StoryGenerator(4).next().text();
        Assessment assessment = annotator.assess("Tell me something nice.", story);
        assertThat(List.of(assessment.animal(), assessment.name(), assessment.object(), assessment.place())).containsOnly(0.0);
        assertThat(assessment.total()).isEqualTo(1);
        assertThat(StoryRequest.parse("Tell me something nice.")).isEqualTo(StoryRequest.NONE);
        assertThat(StoryRequest.NONE.isEmpty()).isTrue();
    }

    @Test
    void requestsAreReadFromThePromptText() {
        assertThat(StoryRequest.parse("Could you tell me a story about an owl named Mia in the forest?"))
                .isEqualTo(new StoryRequest("owl", "Mia", null, "forest"));
        assertThat(StoryRequest.parse("Write a story about a little fox called Zed's friend with a toy car."))
                .isEqualTo(new StoryRequest("fox", "Zed", "toy car", null));
        assertThat(StoryRequest.parse("write a story about a Dragon named Puff")).isEqualTo(new StoryRequest(null, "Puff", null, null));
        assertThat(StoryRequest.parse("a story about a cat named tom")).as("names are capitalised").isEqualTo(new StoryRequest("cat", null, null, null));
    }

    @Test
    void aNameOutsideTheBuiltInListsWorksToo() {
        StoryTopic zed = StoryTopic.ANY.withAnimal("frog").withName("Zed");
        Rng rng = new Rng(5);
        String prompt = "Tell me a story about a frog named Zed.";
        for (int i = 0; i < 50; i++) {
            String right = StoryGenerator.generate(zed, rng).text();
            String wrong = StoryGenerator.generate(zed.withName("Tom"), rng).text();
            assertThat(annotator.prefer(prompt, right, wrong)).isEqualTo(1);
        }
    }

    @Test
    void garbageScoresLowAndNeverThrows() {
        Rng rng = new Rng(9);
        double worstStory = Double.MAX_VALUE;
        InstructionGenerator generator = new InstructionGenerator(9);
        for (int i = 0; i < 100; i++) {
            Instruction instruction = generator.nextInstruction();
            worstStory = Math.min(worstStory, annotator.score(instruction.text(), generator.response(instruction)));
        }
        List<String> garbage = new ArrayList<>(List.of("", "   \n\t", ".", "\"", "!!!???", "time time time time time time time time time time time",
                "<|user|> <|assistant|> <|eos|>", "Once upon a time, there was a", "Tom. Tom. Tom. Tom. Tom. Tom. Tom. Tom.",
                "cat Tom ball park cat Tom ball park cat Tom ball park cat Tom ball park cat Tom ball park",
                "\uD800\uDC00\uD800 \u0000\u0007 \uFFFD\uFFFD", "a".repeat(100_000)));
        for (int i = 0; i < 200; i++) {
            StringBuilder soup = new StringBuilder();
            int length = rng.nextInt(400);
            for (int j = 0; j < length; j++) soup.append((char) (rng.nextInt(3) == 0 ? ' ' + rng.nextInt(95) : rng.nextInt(0x3000)));
            garbage.add(soup.toString());
        }
        for (String text : garbage) {
            double score = annotator.score(PROMPT, text);
            assertThat(score).as(text.length() > 80 ? text.substring(0, 80) : text).isFinite().isLessThan(worstStory - 2);
        }
    }

    @Test
    void emptyIsWorseThanShortWhichIsWorseThanAStory() {
        StoryTopic topic = StoryTopic.ANY.withAnimal("cat").withName("Tom").withObject("ball").withPlace("park").withEvent(StoryEvent.LOSES_OBJECT);
        String story = new InstructionGenerator(1).response(new Instruction(PROMPT, topic));
        assertThat(annotator.score(PROMPT, story)).isEqualTo(6.5);
        assertThat(annotator.score(PROMPT, "")).isLessThan(annotator.score(PROMPT, "Tom the cat lost his ball."));
        assertThat(annotator.score(PROMPT, "Tom the cat lost his ball.")).isLessThan(annotator.score(PROMPT, story));
        assertThat(annotator.score(PROMPT, PROMPT)).as("echoing the prompt").isLessThan(annotator.score(PROMPT, story) - 3);
    }

    @Test
    void isDeterministicAndSymmetric() {
        InstructionGenerator generator = new InstructionGenerator(21);
        for (int i = 0; i < 100; i++) {
            Instruction instruction = generator.nextInstruction();
            String a = generator.response(instruction);
            String b = generator.response(instruction, Set.of(ResponseFlaw.REPETITION));
            assertThat(annotator.score(instruction.text(), a)).isEqualTo(new SimulatedAnnotator().score(instruction.text(), a));
            assertThat(annotator.prefer(instruction.text(), a, b)).isEqualTo(-annotator.prefer(instruction.text(), b, a));
            assertThat(annotator.prefer(instruction.text(), a, a)).isZero();
        }
    }
}
