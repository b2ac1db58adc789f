package dev.cria.serve;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * What a training round learns from, and how. The name is what the API, the CLI's {@code --method} and
 * the rounds table use. Not a trainer: {@link Rounds} maps each method onto the existing trainers.
 */
public enum RoundMethod {
    /** Every preference so far → reward model → PPO against it. */
    PPO("ppo"),
    /** DPO on every preference so far. */
    DPO("dpo"),
    /** KTO on the thumbs up and down of single answers (the rate page), with no pairs. */
    KTO("kto"),
    /** DPO on the A/B choices between two samples of the current policy only; afterwards the new policy writes the pairs. */
    ONLINE_DPO("online-dpo");

    private final String id;

    RoundMethod(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** The method named {@code id}; null when there is none (the caller names its own field or flag). */
    public static RoundMethod byId(String id) {
        for (RoundMethod m : values()) if (m.id.equals(id)) return m;
        return null;
    }

    /** "ppo, dpo, kto or online-dpo", for error messages. */
    public static String choices() {
        String all = Arrays.stream(values()).map(RoundMethod::id).collect(Collectors.joining(", "));
        int last = all.lastIndexOf(", ");
        return all.substring(0, last) + " or " + all.substring(last + 2);
    }

    @Override
    public String toString() {
        return id;
    }
}
