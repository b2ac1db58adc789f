package dev.cria.world;

/**
 * The {@link SimulatedAnnotator}'s score of one response, criterion by criterion, in points; the
 * score is {@link #total()}. Kept apart so a test or the human-in-the-loop app can say why a response
 * won. Request criteria are 0 when the prompt did not ask for that thing.
 *
 * @param animal the requested animal mentioned (+), or another animal as the hero (-)
 * @param name the requested name used (+), or the hero called something else (-)
 * @param object the requested toy mentioned (+)
 * @param place the requested place mentioned (+)
 * @param ending a proper final sentence (+), none (-), or cut off mid-sentence (more -)
 * @param repetition repeated sentences and looping word sequences (-)
 * @param length empty, nearly empty, very short or rambling (-)
 * @param gibberish the share of tokens that are not words (-)
 */
public record Assessment(double animal, double name, double object, double place, double ending,
                         double repetition, double length, double gibberish) {

    public double total() {
        return animal + name + object + place + ending + repetition + length + gibberish;
    }
}
