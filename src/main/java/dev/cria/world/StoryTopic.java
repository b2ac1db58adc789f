package dev.cria.world;

import dev.cria.util.CriaException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a story should be about. Any field may be null, meaning "pick one at random"; the generator
 * returns the fully resolved topic with each {@link Story}, so callers can check the text against it.
 *
 * <p>Animal, object and place must come from {@link StoryWords} (the generator needs their phrases);
 * a name may be any capitalised word, and a name outside the built-in lists with no gender gets a random
 * one. This is a request, not a guarantee of wording: "loses the ball" means the plot has that event,
 * not that the text contains those exact words.
 *
 * @param animal what the hero is ("cat"), from {@link StoryWords#ANIMALS}
 * @param name the hero's name ("Tom")
 * @param gender the hero's pronouns; inferred from a built-in name when null
 * @param object the hero's toy ("ball"), from {@link StoryWords#OBJECTS}
 * @param place where the story happens ("park"), from {@link StoryWords#PLACES}
 * @param event what goes wrong
 * @param ending how it ends
 */
public record StoryTopic(String animal, String name, Gender gender, String object, String place,
                         StoryEvent event, StoryEnding ending) {

    /** Everything random. */
    public static final StoryTopic ANY = new StoryTopic(null, null, null, null, null, null, null);

    public StoryTopic {
        if (animal != null && !StoryWords.ANIMALS.contains(animal)) throw StoryWords.unknown("animal", animal, StoryWords.ANIMALS);
        if (object != null && !StoryWords.OBJECTS.contains(object)) throw StoryWords.unknown("object", object, StoryWords.OBJECTS);
        if (place != null && !StoryWords.PLACES.contains(place)) throw StoryWords.unknown("place", place, StoryWords.PLACES);
        if (name != null && !name.matches("\\p{Lu}[\\p{L}'-]*")) {
            throw new CriaException("name must be one capitalised word, like \"Tom\": \"" + name + "\"");
        }
    }

    public StoryTopic withAnimal(String animal) {
        return new StoryTopic(animal, name, gender, object, place, event, ending);
    }

    public StoryTopic withName(String name) {
        return new StoryTopic(animal, name, gender, object, place, event, ending);
    }

    public StoryTopic withGender(Gender gender) {
        return new StoryTopic(animal, name, gender, object, place, event, ending);
    }

    public StoryTopic withObject(String object) {
        return new StoryTopic(animal, name, gender, object, place, event, ending);
    }

    public StoryTopic withPlace(String place) {
        return new StoryTopic(animal, name, gender, object, place, event, ending);
    }

    public StoryTopic withEvent(StoryEvent event) {
        return new StoryTopic(animal, name, gender, object, place, event, ending);
    }

    public StoryTopic withEnding(StoryEnding ending) {
        return new StoryTopic(animal, name, gender, object, place, event, ending);
    }

    /** True when no field is left to chance. */
    public boolean isComplete() {
        return animal != null && name != null && gender != null && object != null && place != null
                && event != null && ending != null;
    }

    /**
     * The topic as a noun phrase for an instruction, naming only the fields that are set:
     * "a cat named Tom who loses his ball at the park and learns a lesson", or "a little animal" for
     * {@link #ANY}. Pronouns follow the gender, else a built-in name's gender, else "their". Prefix it
     * with "Write a story about ".
     */
    public String describe() {
        Gender pronouns = gender != null ? gender : name != null ? StoryWords.genderOf(name) : null;
        String possessive = pronouns == null ? "their" : pronouns.possessive();
        String subject = Template.withArticle(animal == null ? "little animal" : animal) + (name == null ? "" : " named " + name);
        List<String> verbs = new ArrayList<>();
        if (event != null) {
            Map<String, String> slots = Map.of("his", possessive, "object", object == null ? "favorite toy" : object);
            verbs.add(Template.render(event.summary(), slots));
        }
        if (object != null && (event == null || !event.summary().contains("{object}"))) {
            subject += " with " + Template.withArticle(object);
        }
        if (place != null) {
            String where = StoryWords.place(place).preposition() + " the " + place;
            if (verbs.isEmpty()) verbs.add("has an adventure " + where);
            else verbs.set(0, verbs.get(0) + " " + where);
        }
        if (ending != null) verbs.add(ending.summary());
        return verbs.isEmpty() ? subject : subject + " who " + String.join(" and ", verbs);
    }
}
