package dev.cria.chat;

/** One message of a conversation as chat templates see it: a role ("system", "user", "assistant") and its text. */
public record ChatTurn(String role, String content) {
    public ChatTurn {
        if (role == null || role.isBlank()) throw new IllegalArgumentException("role is blank: " + role);
        if (content == null) throw new IllegalArgumentException("content is null for role " + role);
    }
}
