package dev.cria.tokenizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A tokenizer read from another model's BPE {@code tokenizer.json} (checked against the Llama 3, Qwen3,
 * Llama 2 and Gemma 3 files, and a GPT-2-style one): Hugging Face's pipeline of added tokens, {@link Normalizer}, {@link PreTokenizer},
 * {@link BpeModel}, {@link PostProcessor} and, back, {@link Decoder}. Cria's own files load as
 * {@link BpeTokenizer} instead, which also trains and writes them.
 *
 * <p>{@link #encode(String)} treats special added tokens inside the text as text, as Cria's contract asks;
 * {@link #encodeAllowingSpecials} matches them, as {@code tokenizers} does by default. Bytes that are not
 * UTF-8 are replaced by U+FFFD before encoding: these files spell text, not arbitrary bytes.
 */
public final class HfTokenizer implements Tokenizer {
    private final AddedTokens added;
    private final Normalizer normalizer;
    private final PreTokenizer preTokenizer;
    private final BpeModel model;
    private final PostProcessor postProcessor;
    private final Decoder decoder;
    /** Token strings by id, in the vocabulary's spelling; null where the file leaves an id unused. */
    private final String[] tokens;
    private final SpecialTokens specials;
    private final byte[] source;
    /** Files beside tokenizer.json that belong with it (special token names, the chat template), by name. */
    private final Map<String, byte[]> companions;

    /** What {@link #save} writes beside tokenizer.json again when the model came with them. */
    static final List<String> COMPANIONS = List.of("tokenizer_config.json", "chat_template.jinja");

    HfTokenizer(AddedTokens added, Normalizer normalizer, PreTokenizer preTokenizer, BpeModel model,
                PostProcessor postProcessor, Decoder decoder, String[] tokens, SpecialTokens specials, byte[] source,
                Map<String, byte[]> companions) {
        this.added = added;
        this.normalizer = normalizer;
        this.preTokenizer = preTokenizer;
        this.model = model;
        this.postProcessor = postProcessor;
        this.decoder = decoder;
        this.tokens = tokens;
        this.specials = specials;
        this.source = source;
        this.companions = Map.copyOf(companions);
    }

    @Override
    public int[] encode(String text) {
        return encode(text, false, false);
    }

    @Override
    public int[] encodeAllowingSpecials(String text, boolean addSpecialTokens) {
        return encode(text, true, addSpecialTokens);
    }

    private int[] encode(String text, boolean allowSpecial, boolean addSpecialTokens) {
        IntList out = new IntList(text.length() / 3 + 4);
        boolean first = true;
        for (AddedTokens.Segment raw : added.split(text, allowSpecial, false)) {
            if (raw.isToken()) {
                out.add(raw.id());
                first = false;
                continue;
            }
            String normalized = normalizer.normalize(raw.text());
            for (AddedTokens.Segment segment : added.split(normalized, allowSpecial, true)) {
                if (segment.isToken()) {
                    out.add(segment.id());
                } else {
                    for (String word : preTokenizer.split(segment.text(), first)) model.encodeWord(word, out);
                }
                first = false;
            }
        }
        return postProcessor.process(out.toArray(), addSpecialTokens);
    }

    @Override
    public int[] encodeBytes(byte[] utf8) {
        return encode(Wtf8.decode(utf8));
    }

    @Override
    public String decode(int[] ids) {
        List<String> pieces = new ArrayList<>(ids.length);
        for (int id : ids) pieces.add(token(id));
        return decoder.decode(pieces);
    }

    @Override
    public byte[] decodeBytes(int[] ids) {
        return Wtf8.encode(decode(ids));
    }

    @Override
    public byte[] tokenBytes(int id) {
        String token = token(id);
        if (decoder.byteLevel()) return Decoder.ByteLevel.bytesOf(token);
        int b = Decoder.ByteFallback.byteOf(token);
        if (b >= 0) return new byte[] {(byte) b};
        return Wtf8.encode(decoder.decodePiece(token));
    }

    private String token(int id) {
        if (id < 0 || id >= tokens.length || tokens[id] == null) {
            throw new IllegalArgumentException("token id not in this vocabulary of " + tokens.length + ": " + id);
        }
        return tokens[id];
    }

    @Override
    public int mergeRank(int id) {
        return model.mergeRank(id);
    }

    @Override
    public int vocabSize() {
        return tokens.length;
    }

    /** Ids the model's {@code tokenizer_config.json} names (bos, eos, pad), -1 for the ones it does not. */
    @Override
    public SpecialTokens specials() {
        return specials;
    }

    /**
     * Writes back the file it was read from, unchanged, and beside it the tokenizer_config.json and
     * chat_template.jinja it came with: without them a saved model loses its bos, eos and chat template.
     */
    @Override
    public void save(Path tokenizerJson) {
        AtomicWrite.write(tokenizerJson, source);
        for (Map.Entry<String, byte[]> companion : companions.entrySet()) {
            AtomicWrite.write(tokenizerJson.resolveSibling(companion.getKey()), companion.getValue());
        }
    }
}
