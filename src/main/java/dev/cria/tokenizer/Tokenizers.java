package dev.cria.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cria.util.CriaException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Loads whichever tokenizer a {@code tokenizer.json} describes. Training lives on {@link BpeTokenizer}. */
public final class Tokenizers {
    private Tokenizers() {}

    /**
     * A file with Cria's seven special tokens is one of Cria's own: a {@link ByteTokenizer} if it is one
     * (256 byte tokens at ids 0..255, no merges, specials at 256..262), otherwise a {@link BpeTokenizer}.
     * Any other BPE file (Llama 2 and 3, Qwen3, Mistral, Gemma 3, GPT-2) is an {@link HfTokenizer}.
     *
     * @throws CriaException naming the file and field if it is missing, malformed or not BPE
     */
    public static Tokenizer load(Path tokenizerJson) {
        JsonNode root = TokenizerJson.readTree(tokenizerJson);
        if (isCriaFile(root)) {
            ByteLevelBpe bpe = TokenizerJson.read(tokenizerJson);
            return ByteTokenizer.matches(bpe) ? new ByteTokenizer() : new BpeTokenizer(bpe);
        }
        try {
            return HfTokenizerJson.read(tokenizerJson, root, Files.readAllBytes(tokenizerJson));
        } catch (IOException e) {
            throw new CriaException(tokenizerJson + ": cannot read: " + e, e);
        }
    }

    private static boolean isCriaFile(JsonNode root) {
        Set<String> added = new HashSet<>();
        for (JsonNode token : root.path("added_tokens")) added.add(token.path("content").asText());
        return added.containsAll(List.of(SpecialTokens.NAMES));
    }
}
