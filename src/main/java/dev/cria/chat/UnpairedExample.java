package dev.cria.chat;

import java.util.ArrayList;
import java.util.List;

/**
 * One binary judgement of one answer: for this prompt, {@code completion} was good ({@code label} true,
 * a thumbs up) or bad (false). The unit of KTO training, in TRL's unpaired-preference layout
 * {@code {"prompt", "completion", "label"}}.
 */
public record UnpairedExample(String prompt, String completion, boolean label) {
    public UnpairedExample {
        if (prompt == null) throw new IllegalArgumentException("prompt is null");
        if (prompt.isBlank()) throw new IllegalArgumentException("prompt is blank: \"" + prompt + "\"");
        if (completion == null) throw new IllegalArgumentException("completion is null for prompt \"" + prompt + "\"");
    }

    /**
     * Paired preferences as unpaired judgements, as TRL's {@code unpair_preference_dataset} does: every
     * chosen answer becomes a desirable example and every rejected one an undesirable example. All the
     * chosen come first, then all the rejected, so a prompt's two answers are far apart in the list.
     */
    public static List<UnpairedExample> unpair(List<PreferenceExample> pairs) {
        var out = new ArrayList<UnpairedExample>(2 * pairs.size());
        for (PreferenceExample p : pairs) out.add(new UnpairedExample(p.prompt(), p.chosen(), true));
        for (PreferenceExample p : pairs) out.add(new UnpairedExample(p.prompt(), p.rejected(), false));
        return out;
    }
}
