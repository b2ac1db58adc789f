package dev.cria.world;

/**
 * Ways a built-in response can go wrong on purpose, to make the worse half of a preference pair and to
 * test that the {@link SimulatedAnnotator} notices. They mimic what a small model gets wrong: the
 * wrong character, loops, and stopping badly: without an ending, mid-sentence, or far too early. See
 * {@link InstructionGenerator#response}.
 */
public enum ResponseFlaw {
    /** A story about another animal than the one asked for (same name, same plot). */
    WRONG_ANIMAL,
    /** A story whose hero has another name, of the same gender, than the one asked for. */
    WRONG_NAME,
    /** One sentence said again one to three times, or a run of two or three sentences said twice. */
    REPETITION,
    /** The last sentence has no terminal punctuation (and no "The end."). Excludes {@link #TRUNCATED} and {@link #TOO_SHORT}. */
    NO_ENDING,
    /** Cut off mid-sentence, at a word boundary in the second half of the story. Excludes {@link #NO_ENDING} and {@link #TOO_SHORT}. */
    TRUNCATED,
    /**
     * Only the first one to three sentences, under the annotator's 40 words, ending properly. What PPO
     * drifts to when no flaw makes a short, well-ended answer lose. Excludes the other two ways of stopping.
     */
    TOO_SHORT
}
