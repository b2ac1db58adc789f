package dev.cria.world;

/**
 * The hero's gender, which decides the pronouns a story uses for them.
 *
 * <p>Story templates write pronoun slots in the masculine form ({@code {he} {him} {his} {himself}}) and
 * this enum renders them; it is not a model of people, only of English pronoun agreement.
 */
public enum Gender {
    MALE("he", "him", "his", "himself"),
    FEMALE("she", "her", "her", "herself");

    private final String subject;
    private final String object;
    private final String possessive;
    private final String reflexive;

    Gender(String subject, String object, String possessive, String reflexive) {
        this.subject = subject;
        this.object = object;
        this.possessive = possessive;
        this.reflexive = reflexive;
    }

    /** "he" / "she". */
    public String subject() {
        return subject;
    }

    /** "him" / "her". */
    public String object() {
        return object;
    }

    /** The determiner: "his" / "her" (as in "her ball"). */
    public String possessive() {
        return possessive;
    }

    /** "himself" / "herself". */
    public String reflexive() {
        return reflexive;
    }
}
