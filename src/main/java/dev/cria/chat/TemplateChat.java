package dev.cria.chat;

import dev.cria.tokenizer.Tokenizer;
import dev.cria.util.CriaException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A model's own Jinja chat template as a {@link ChatFormat}, tokenized as transformers'
 * {@code apply_chat_template} does: the rendered text with its special tokens matched by name and none
 * added (the template writes bos itself).
 *
 * <p>The reply's tokens are found from the rendered text, not from fixed markers: the conversation is
 * rendered once with the generation prompt and once with the assistant's reply, and the reply is what the
 * second adds to the first. So whatever the template puts around a reply (an empty think block, the
 * end-of-turn token) is trained as part of it, and the loss covers exactly the assistant span. What follows
 * the end-of-turn token (ChatML's newline) is left out: generation stops at that token, so it is never written.
 */
public final class TemplateChat implements ChatFormat {
    private static final String PROBE = "Cria";

    private final JinjaChatTemplate template;
    private final Tokenizer tokenizer;
    private final int turnEnd;
    private final int[] stops;

    /** @param eosIds the model's end ids (config.json, generation_config.json); the template's turn end comes first */
    public TemplateChat(JinjaChatTemplate template, Tokenizer tokenizer, List<Integer> eosIds) {
        if (template == null || tokenizer == null) throw new IllegalArgumentException("template and tokenizer are required");
        this.template = template;
        this.tokenizer = tokenizer;
        Set<Integer> stops = new LinkedHashSet<>();
        this.turnEnd = turnEnd();
        if (turnEnd >= 0) stops.add(turnEnd);
        if (eosIds != null) stops.addAll(eosIds);
        if (tokenizer.eosId() >= 0) stops.add(tokenizer.eosId());
        if (stops.isEmpty()) {
            throw new CriaException(template.source() + ": the chat template closes a reply with no special token, and the model "
                    + "names no eos_token_id, so a reply could never end; set eos_token_id in config.json");
        }
        this.stops = stops.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public int[] promptTokens(List<ChatTurn> context) {
        return tokens(template.render(context, true));
    }

    @Override
    public int[] responseTokens(List<ChatTurn> context, String response) {
        if (response == null) throw new IllegalArgumentException("response is null");
        int[] reply = tokens(replyText(context, response));
        // what follows the end of turn (ChatML's newline) is never generated: generation stops at the end
        for (int i = reply.length - 1; i >= 0; i--) if (reply[i] == turnEnd) return Arrays.copyOf(reply, i + 1);
        return reply;
    }

    @Override
    public int[] stopTokens() {
        return stops.clone();
    }

    @Override
    public String decodeResponse(int[] responseTokens) {
        int end = 0;
        while (end < responseTokens.length && !isStop(responseTokens[end])) end++;
        return tokenizer.decode(Arrays.copyOf(responseTokens, end));
    }

    /** What rendering the reply adds to the rendered prompt. */
    private String replyText(List<ChatTurn> context, String response) {
        var withReply = new ArrayList<>(context);
        withReply.add(new ChatTurn("assistant", response));
        String before = template.render(context, true);
        String after = template.render(withReply, false);
        if (!after.startsWith(before)) {
            throw new CriaException(template.source() + ": the chat template renders a conversation with the assistant's reply "
                    + "differently from the same conversation ending at the generation prompt, so the reply's tokens cannot be "
                    + "told from the prompt's (they differ from character " + commonPrefix(before, after) + ")");
        }
        return after.substring(before.length());
    }

    /**
     * The special token the template closes a reply with (Llama 3's {@code <|eot_id|>}, Qwen's
     * {@code <|im_end|>}, Llama 2's {@code </s>}): the first non-blank token after a probe reply; -1 when none.
     */
    private int turnEnd() {
        String reply = replyText(Conversation.of(null, "Hello"), PROBE);
        int at = reply.lastIndexOf(PROBE);
        if (at < 0) return -1;
        int[] after = tokens(reply.substring(at + PROBE.length()));
        int[] plain = tokenizer.encode(reply.substring(at + PROBE.length()));
        for (int id : after) {
            if (tokenizer.decode(new int[] {id}).isBlank()) continue;
            boolean special = Arrays.stream(plain).noneMatch(p -> p == id);
            return special ? id : -1;
        }
        return -1;
    }

    private int[] tokens(String text) {
        return tokenizer.encodeAllowingSpecials(text, false);
    }

    private static int commonPrefix(String a, String b) {
        int i = 0;
        while (i < a.length() && i < b.length() && a.charAt(i) == b.charAt(i)) i++;
        return i;
    }
}
