package dev.cria.chat;

import dev.cria.tokenizer.SpecialTokens;
import dev.cria.tokenizer.Tokenizer;
import dev.cria.util.CriaException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * How one model turns a conversation into tokens and a generated reply back into text: Cria's own chat
 * tokens ({@link BuiltInChat}) or the model's own Jinja template ({@link TemplateChat}). Every place that
 * builds a chat prompt or a training example asks the model's format, so a model is trained and
 * prompted in the framing it was made with.
 */
public interface ChatFormat {
    /** The tokenizer the format's tokens belong to. */
    Tokenizer tokenizer();

    /**
     * The prompt the model continues from: the conversation so far (an optional system turn, then user and
     * assistant turns ending with the user's) and the assistant's header.
     */
    int[] promptTokens(List<ChatTurn> context);

    default int[] promptTokens(String system, String prompt) {
        return promptTokens(Conversation.of(system, prompt));
    }

    default int[] promptTokens(String prompt) {
        return promptTokens(null, prompt);
    }

    /** The reply as the model should write it after {@link #promptTokens}, ending with what closes its turn. */
    int[] responseTokens(List<ChatTurn> context, String response);

    /** The ids that end a generated reply. */
    int[] stopTokens();

    /** The text of generated tokens, up to (not including) the first stop token. */
    String decodeResponse(int[] responseTokens);

    /**
     * Prompt then response, at most {@code maxLen} tokens. An over-long example keeps its whole prompt and
     * loses the end of its response, its closing marker included: that part is still a correct
     * continuation to learn, and cutting the prompt instead would train answers to questions never asked.
     * At least one response token must fit, so a prompt of {@code maxLen} tokens or more is refused.
     */
    default SftTokens encode(String prompt, String response, int maxLen) {
        return encode(Conversation.of(null, prompt), response, maxLen);
    }

    /** As {@link #encode(String, String, int)}, after a whole conversation. */
    default SftTokens encode(List<ChatTurn> context, String response, int maxLen) {
        if (maxLen < 2) throw new IllegalArgumentException("maxLen must be at least 2 (one prompt and one response token): " + maxLen);
        int[] promptIds = promptTokens(context);
        int[] responseIds = responseTokens(context, response);
        String prompt = context.getLast().content();
        if (promptIds.length >= maxLen) {
            throw new CriaException("the prompt is " + promptIds.length + " tokens with its chat markers, but maxLen is "
                    + maxLen + ", which leaves no room for the response; raise the sequence length or shorten the prompt: \""
                    + (prompt.length() <= 60 ? prompt : prompt.substring(0, 57) + "...") + "\"");
        }
        int keep = Math.min(responseIds.length, maxLen - promptIds.length);
        int[] tokens = Arrays.copyOf(promptIds, promptIds.length + keep);
        System.arraycopy(responseIds, 0, tokens, promptIds.length, keep);
        return new SftTokens(tokens, promptIds.length);
    }

    /** True when the token ends a reply: an example that ends with one was not cut short. */
    default boolean isStop(int token) {
        for (int stop : stopTokens()) if (stop == token) return true;
        return false;
    }

    /** Cria's chat tokens when the tokenizer has them (a model Cria made), else the directory's own template. */
    static ChatFormat of(Path modelDir, Tokenizer tokenizer, List<Integer> eosIds) {
        if (hasCriaChatTokens(tokenizer)) return new BuiltInChat(tokenizer);
        JinjaChatTemplate template = JinjaChatTemplate.read(modelDir);
        if (template == null) return new NoChat(modelDir, tokenizer);
        return new TemplateChat(template, tokenizer, eosIds);
    }

    static boolean hasCriaChatTokens(Tokenizer tokenizer) {
        SpecialTokens s = tokenizer.specials();
        return s.bos() >= 0 && s.user() >= 0 && s.assistant() >= 0 && s.end() >= 0 && s.eos() >= 0;
    }

    /** A model with no chat template: usable for plain text, refused (in one line) wherever a chat prompt is needed. */
    record NoChat(Path modelDir, Tokenizer tokenizer) implements ChatFormat {
        private CriaException refusal() {
            return new CriaException(modelDir + ": this model has no chat template (no chat_template in tokenizer_config.json, "
                    + "no chat_template.jinja), so it cannot be prompted or trained as a chat model; add its template, or use plain text");
        }

        @Override
        public int[] promptTokens(List<ChatTurn> context) {
            throw refusal();
        }

        @Override
        public int[] responseTokens(List<ChatTurn> context, String response) {
            throw refusal();
        }

        @Override
        public int[] stopTokens() {
            throw refusal();
        }

        @Override
        public String decodeResponse(int[] responseTokens) {
            throw refusal();
        }
    }
}
