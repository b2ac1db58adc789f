package dev.cria.world;

import java.util.List;

/**
 * How a story ends: each ending is a list of closing templates, from which the generator picks one
 * whose characters fit the story so far (a "{helper} smiled" line only where a helper has appeared).
 * Every template ends the story with a full sentence, never with an open quote, so the last character
 * of a story is always terminal punctuation.
 *
 * <p>Templates use the slots listed in {@link StoryLines}. This enum is data, not logic.
 */
public enum StoryEnding {
    HAPPY("has a happy day", List.of(
            "{name} smiled a big smile. It was the best day ever!",
            "{name} hugged {his} {object} and laughed. {he} felt so {glad}.",
            "{name} was very {glad}. {he} played {prep} the {place} until the sun went down.",
            "{name} gave {helper} a big hug and said, \"Thank you!\" {name} felt happy all over.",
            "{name} and the {other} laughed and played until it was time for dinner. What a fun day!")),

    LEARNS_LESSON("learns a lesson", List.of(
            "{name} learned that {lesson}.",
            "That day, {name} learned an important lesson: {lesson}.",
            "{helper} smiled and said, \"Remember, {lesson}.\" {name} never forgot it.",
            "From that day on, {name} knew that {lesson}.")),

    GOES_HOME("goes home at the end of the day", List.of(
            "When the sun began to set, {name} walked home with {his} {object}. {he} ate a warm dinner and went to bed with a happy heart.",
            "Soon it was time to go home. That night, {name} snuggled in {his} bed and dreamed about the {place}.",
            "Then {name} and {helper} went home together. {name} fell asleep that night with a big smile.",
            "At the end of the day, {name} said goodbye to the {other} and went home. {he} could not wait to play again tomorrow.")),

    MAKES_FRIEND("makes a new friend", List.of(
            "From that day on, {name} and the {other} were best friends.",
            "{name} and the {other} played together every day after that. They were the best of friends.",
            "On the way home, {name} met {otherIntro}. {name} shared {his} {object}, and they played until dark. From that day on, they were best friends.",
            "Later, {otherIntro} came by and asked, \"Can I play too?\" \"Yes!\" said {name}. The two of them became best friends.")),

    GETS_A_SURPRISE("gets a surprise", List.of(
            "Later, {helper} had a surprise for {name}: a sweet, red apple. {name} said thank you and ate it all up.",
            "When {name} got home, there was a big surprise waiting: a yummy cake with {color} icing! {name} smiled from ear to ear.",
            "That evening, {helperIntro} came to visit with a surprise: a brand new book about the {place}. {name} was so {glad}."));

    private final String summary;
    private final List<String> closings;

    StoryEnding(String summary, List<String> closings) {
        this.summary = summary;
        this.closings = closings;
    }

    /** A verb phrase for prompts: "learns a lesson" (see {@link StoryTopic#describe()}). */
    public String summary() {
        return summary;
    }

    List<String> closings() {
        return closings;
    }
}
