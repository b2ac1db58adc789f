package dev.cria.chat;

import dev.cria.tokenizer.Tokenizer;
import java.util.List;

/** Cria's own chat format (see {@link ChatTemplate}) as a {@link ChatFormat}. */
public record BuiltInChat(Tokenizer tokenizer) implements ChatFormat {
    public BuiltInChat {
        if (tokenizer == null) throw new IllegalArgumentException("tokenizer is null");
    }

    /** The conversation flattened into one user turn ({@link Conversation#flatten}): Cria's format frames one. */
    @Override
    public int[] promptTokens(List<ChatTurn> context) {
        return ChatTemplate.promptTokens(tokenizer, Conversation.flatten(context));
    }

    @Override
    public int[] promptTokens(String system, String prompt) {
        return ChatTemplate.promptTokens(tokenizer, system, prompt);
    }

    @Override
    public int[] responseTokens(List<ChatTurn> context, String response) {
        return ChatTemplate.responseTokens(tokenizer, response);
    }

    @Override
    public int[] stopTokens() {
        return new int[] {tokenizer.eosId()};
    }

    @Override
    public String decodeResponse(int[] responseTokens) {
        return ChatTemplate.decodeResponse(tokenizer, responseTokens);
    }
}
