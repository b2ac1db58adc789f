package dev.cria.checkpoint.gguf;

import dev.cria.tokenizer.BpeTokenizer;

/**
 * The byte-level BPE pre-tokenizers llama.cpp knows by name (tokenizer.ggml.pre; their regexes are in its
 * llama-vocab.cpp), matched to the split regex and the ignore_merges flag of a tokenizer.json. llama.cpp
 * runs its own copy of the regex for a name, so a name fits only if that regex splits text as the file's
 * does; {@code ignore_merges} (a word already in the vocabulary is one token) comes with {@code llama-bpe},
 * not with {@code dbrx}, which has the same regex.
 */
enum PreTokenizerNames {
    /** Llama 3's regex, with ignore_merges. */
    LLAMA_BPE("llama-bpe", true,
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
    /**
     * Llama 3's regex without ignore_merges: Cria's own tokenizers (their GPT-4 split, {@code \s*[\r\n]} and
     * Llama 3's {@code \s*[\r\n]+} take the same text, since the greedy {@code \s*} ends on the last line break either way).
     */
    DBRX("dbrx", false,
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
    /** Qwen2 and Qwen3: digits one at a time. */
    QWEN2("qwen2", false,
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
    /** GPT-2's ByteLevel pre-tokenizer with its built-in regex. */
    GPT2("gpt-2", false,
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+");

    final String ggufName;
    final boolean ignoreMerges;
    /** The regex a tokenizer.json spells for it (Hugging Face's), written back on import. */
    final String regex;

    PreTokenizerNames(String ggufName, boolean ignoreMerges, String regex) {
        this.ggufName = ggufName;
        this.ignoreMerges = ignoreMerges;
        this.regex = regex;
    }

    /**
     * The name for a tokenizer.json's split regex, or null when llama.cpp has none that splits the same.
     * Cria's own spellings of the GPT-4 regex ({@link BpeTokenizer#SPLIT_PATTERN}, and the older
     * {@link BpeTokenizer#GPT4_SPLIT_PATTERN}) split as Llama 3's does.
     */
    static PreTokenizerNames of(String regex, boolean ignoreMerges) {
        boolean llama3 = regex.equals(LLAMA_BPE.regex) || regex.equals(BpeTokenizer.SPLIT_PATTERN)
                || regex.equals(BpeTokenizer.GPT4_SPLIT_PATTERN);
        if (llama3) return ignoreMerges ? LLAMA_BPE : DBRX;
        if (regex.equals(QWEN2.regex) && !ignoreMerges) return QWEN2;
        if (regex.equals(GPT2.regex) && !ignoreMerges) return GPT2;
        return null;
    }

    static PreTokenizerNames named(String ggufName) {
        for (PreTokenizerNames p : values()) if (p.ggufName.equals(ggufName)) return p;
        return switch (ggufName) {
            case "llama3", "llama-v3" -> LLAMA_BPE;
            case "smaug-bpe" -> DBRX;
            case "deepseek-r1-qwen" -> QWEN2;
            default -> null;
        };
    }
}
