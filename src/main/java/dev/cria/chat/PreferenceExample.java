package dev.cria.chat;

/**
 * One human (or simulated human) judgement: for this prompt, {@code chosen} was preferred to
 * {@code rejected}. The unit of reward-model and DPO training, in TRL's explicit-prompt layout.
 *
 * <p>Nothing checks that chosen and rejected differ: identical pairs carry no signal but are not wrong.
 */
public record PreferenceExample(String prompt, String chosen, String rejected) {
    public PreferenceExample {
        if (prompt == null) throw new IllegalArgumentException("prompt is null");
        if (prompt.isBlank()) throw new IllegalArgumentException("prompt is blank: \"" + prompt + "\"");
        if (chosen == null) throw new IllegalArgumentException("chosen is null for prompt \"" + prompt + "\"");
        if (rejected == null) throw new IllegalArgumentException("rejected is null for prompt \"" + prompt + "\"");
    }
}
