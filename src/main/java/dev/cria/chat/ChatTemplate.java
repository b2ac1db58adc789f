package dev.cria.chat;

import dev.cria.tokenizer.SpecialTokens;
import dev.cria.tokenizer.Tokenizer;
import dev.cria.util.CriaException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Cria's chat format, built from the tokenizer's special ids (text alone never produces them):
 * <pre>
 *   prompt:   &lt;|bos|&gt; [&lt;|system|&gt; system &lt;|end|&gt;] &lt;|user|&gt; prompt &lt;|end|&gt; &lt;|assistant|&gt;
 *   response: response &lt;|eos|&gt;
 * </pre>
 * The response ends with eos, not {@code <|end|>}: generation already stops at eos, and pad is a different
 * id, so masking pad never hides the token that teaches the model to stop.
 *
 * <p>The system slot is for a run-wide system prompt; per-example system turns from a messages file are
 * already part of the prompt text (see {@link ChatMessages}). One template for every trainer, so SFT,
 * reward model, DPO and PPO all see the same framing. Not a Jinja engine; {@link #jinja} is this format written
 * as one, for other tools.
 */
public final class ChatTemplate {
    /** This format as a Hugging Face chat template, for the tokenizer_config.json of the models Cria saves. */
    public static final String JINJA_RESOURCE = "cria_chat_template.jinja";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ChatTemplate() {}

    /** The Jinja template that renders the text of this format, special tokens by name; see {@link #tokenizerConfigJson}. */
    public static String jinja() {
        try (InputStream in = ChatTemplate.class.getResourceAsStream(JINJA_RESOURCE)) {
            if (in == null) throw new IllegalStateException(JINJA_RESOURCE + " is missing from the classpath");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * tokenizer_config.json for a tokenizer with Cria's chat tokens, so transformers' apply_chat_template and
     * other tools build the same prompt text as {@link #promptTokens}; null for another model's tokenizer.
     */
    public static String tokenizerConfigJson(Tokenizer tokenizer) {
        if (tokenizer == null) throw new IllegalArgumentException("tokenizer is null");
        SpecialTokens s = tokenizer.specials();
        if (s.user() < 0 || s.assistant() < 0 || s.end() < 0 || s.system() < 0) return null;
        ObjectNode config = JSON.createObjectNode();
        config.put("bos_token", SpecialTokens.BOS);
        config.put("eos_token", SpecialTokens.EOS);
        config.put("pad_token", SpecialTokens.PAD);
        config.put("chat_template", jinja());
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code <|bos|> <|user|> prompt <|end|> <|assistant|>}: what the model continues from. */
    public static int[] promptTokens(Tokenizer tokenizer, String prompt) {
        return promptTokens(tokenizer, null, prompt);
    }

    /** As {@link #promptTokens(Tokenizer, String)}, with {@code <|system|> system <|end|>} after bos unless system is null. */
    public static int[] promptTokens(Tokenizer tokenizer, String system, String prompt) {
        if (tokenizer == null) throw new IllegalArgumentException("tokenizer is null");
        if (prompt == null) throw new IllegalArgumentException("prompt is null");
        SpecialTokens s = tokenizer.specials();
        if (s.bos() < 0 || s.user() < 0 || s.end() < 0 || s.assistant() < 0 || (system != null && s.system() < 0)) {
            // another model's tokenizer.json (HfTokenizer) has no <|user|> ...; its own chat template is not read
            throw new CriaException("the tokenizer has no Cria chat tokens (bos, <|user|>, <|assistant|>, <|end|>: "
                    + s + "); chat prompts need a tokenizer trained by Cria");
        }
        int[] systemPart = system == null ? new int[0] : concat(new int[] {s.system()}, tokenizer.encode(system), new int[] {s.end()});
        return concat(new int[] {s.bos()}, systemPart, new int[] {s.user()}, tokenizer.encode(prompt), new int[] {s.end(), s.assistant()});
    }

    /** {@code response <|eos|>}: what the model should write after the prompt. */
    public static int[] responseTokens(Tokenizer tokenizer, String response) {
        if (tokenizer == null) throw new IllegalArgumentException("tokenizer is null");
        if (response == null) throw new IllegalArgumentException("response is null");
        return concat(tokenizer.encode(response), new int[] {tokenizer.eosId()});
    }

    public static SftTokens encode(Tokenizer tokenizer, SftExample example, int maxLen) {
        if (example == null) throw new IllegalArgumentException("example is null");
        return encode(tokenizer, example.prompt(), example.response(), maxLen);
    }

    /**
     * Prompt then response, at most {@code maxLen} tokens. An over-long example keeps its whole prompt and
     * loses the end of its response, eos included: that part is still a correct continuation to learn,
     * and cutting the prompt instead would train answers to questions never asked. At least one response
     * token must fit, so a prompt of {@code maxLen} tokens or more is refused. Used by DPO too, with chosen
     * or rejected as the response.
     */
    public static SftTokens encode(Tokenizer tokenizer, String prompt, String response, int maxLen) {
        if (maxLen < 2) throw new IllegalArgumentException("maxLen must be at least 2 (one prompt and one response token): " + maxLen);
        int[] promptIds = promptTokens(tokenizer, prompt);
        int[] responseIds = responseTokens(tokenizer, response);
        if (promptIds.length >= maxLen) {
            throw new CriaException("the prompt is " + promptIds.length + " tokens with its chat markers, but maxLen is "
                    + maxLen + ", which leaves no room for the response; raise the sequence length or shorten the prompt: \""
                    + abbreviate(prompt) + "\"");
        }
        int keep = Math.min(responseIds.length, maxLen - promptIds.length);
        return new SftTokens(concat(promptIds, Arrays.copyOf(responseIds, keep)), promptIds.length);
    }

    /**
     * The text of generated response tokens, up to (not including) the first eos or pad; any other special
     * token is dropped, since it is not text and writing its name would look like text to the annotator.
     */
    public static String decodeResponse(Tokenizer tokenizer, int[] responseTokens) {
        if (tokenizer == null) throw new IllegalArgumentException("tokenizer is null");
        if (responseTokens == null) throw new IllegalArgumentException("responseTokens is null");
        SpecialTokens s = tokenizer.specials();
        int[] specials = s.ids();
        int[] text = new int[responseTokens.length];
        int n = 0;
        for (int id : responseTokens) {
            if (id == s.eos() || id == s.pad()) break;
            if (!contains(specials, id)) text[n++] = id;
        }
        return tokenizer.decode(Arrays.copyOf(text, n));
    }

    private static boolean contains(int[] ids, int id) {
        for (int candidate : ids) if (candidate == id) return true;
        return false;
    }

    private static int[] concat(int[]... parts) {
        int length = 0;
        for (int[] part : parts) length += part.length;
        int[] out = new int[length];
        int at = 0;
        for (int[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }

    private static String abbreviate(String text) {
        return text.length() <= 60 ? text : text.substring(0, 57) + "...";
    }
}
