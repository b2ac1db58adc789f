package dev.cria.serve;

import dev.cria.generate.TokenLogprob;
import dev.cria.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * One answer as it is generated: its text, cut before the first stop string and released only once no
 * stop string can still begin in it; and, when the client asked, each token's log-probs. Streaming sends
 * what {@link #accept} and {@link #finish} release; a whole reply joins it all.
 *
 * <p>subtle: a stop string never begins in released text, since the longest tail that could begin one is
 * always held back; so the search for one starts where the released text ends.
 */
final class Choice {
    /** A token's log-probs, and where its text begins in the answer (the legacy {@code text_offset}). */
    record Scored(TokenLogprob logprob, int textOffset) {
    }

    final int index;
    private final TokenText decoder;
    private final StopStrings stops;
    private final StringBuilder text = new StringBuilder();
    private final List<Scored> scored = new ArrayList<>();
    private int released;
    private int scoredTaken;
    private boolean stopped;

    Choice(int index, Tokenizer tokenizer, StopStrings stops) {
        this.index = index;
        this.decoder = new TokenText(tokenizer);
        this.stops = stops;
    }

    /** Records the next token's log-probs; call before {@link #accept} with the same token. */
    void score(TokenLogprob logprob) {
        scored.add(new Scored(logprob, text.length()));
    }

    /** Takes the next token; returns the text it releases, possibly empty. */
    String accept(int token) {
        if (stopped) throw new IllegalStateException("choice " + index + " already ended at a stop string");
        text.append(decoder.accept(token));
        return release(false);
    }

    /** Generation ended: releases whatever was held back, up to a stop string if one completes now. */
    String finish() {
        if (stopped) return "";
        text.append(decoder.finish());
        return release(true);
    }

    /** Whether a stop string has ended the answer. */
    boolean stopped() {
        return stopped;
    }

    /** The answer so far: everything released. */
    String text() {
        return text.substring(0, released);
    }

    List<Scored> scored() {
        return scored;
    }

    /** The log-probs not yet taken, for the next streamed chunk. */
    List<Scored> takeScored() {
        var out = List.copyOf(scored.subList(scoredTaken, scored.size()));
        scoredTaken = scored.size();
        return out;
    }

    private String release(boolean all) {
        int stop = stops.find(text, released);
        int end;
        if (stop >= 0) {
            stopped = true;
            end = stop;
        } else {
            end = all ? text.length() : text.length() - stops.heldBack(text, released);
        }
        String out = text.substring(released, end);
        released = end;
        return out;
    }
}
