package dev.cria.chat;

/**
 * A prompt with no answer: what on-policy trainers (PPO, GRPO) and evaluation feed the model, which then
 * writes its own response.
 */
public record PromptExample(String prompt) {
    public PromptExample {
        if (prompt == null) throw new IllegalArgumentException("prompt is null");
        if (prompt.isBlank()) throw new IllegalArgumentException("prompt is blank: \"" + prompt + "\"");
    }
}
