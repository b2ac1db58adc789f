package dev.cria.checkpoint.gguf;

/**
 * The metadata keys Cria writes and reads, spelled as llama.cpp's gguf-py constants.py spells them;
 * {@code %s} is the architecture ({@code llama}, {@code qwen2}, {@code qwen3}).
 */
final class GgufKeys {
    static final String ARCHITECTURE = "general.architecture";
    static final String TYPE = "general.type";
    static final String NAME = "general.name";
    static final String FILE_TYPE = "general.file_type";
    static final String QUANTIZATION_VERSION = "general.quantization_version";

    static final String CONTEXT_LENGTH = "%s.context_length";
    static final String EMBEDDING_LENGTH = "%s.embedding_length";
    static final String BLOCK_COUNT = "%s.block_count";
    static final String FEED_FORWARD_LENGTH = "%s.feed_forward_length";
    static final String VOCAB_SIZE = "%s.vocab_size";
    static final String HEAD_COUNT = "%s.attention.head_count";
    static final String HEAD_COUNT_KV = "%s.attention.head_count_kv";
    static final String KEY_LENGTH = "%s.attention.key_length";
    static final String VALUE_LENGTH = "%s.attention.value_length";
    static final String RMS_EPSILON = "%s.attention.layer_norm_rms_epsilon";
    static final String ROPE_DIMENSION_COUNT = "%s.rope.dimension_count";
    static final String ROPE_FREQ_BASE = "%s.rope.freq_base";
    static final String ROPE_SCALING_TYPE = "%s.rope.scaling.type";
    static final String ROPE_SCALING_FACTOR = "%s.rope.scaling.factor";

    static final String TOKENIZER_MODEL = "tokenizer.ggml.model";
    static final String TOKENIZER_PRE = "tokenizer.ggml.pre";
    static final String TOKENS = "tokenizer.ggml.tokens";
    static final String TOKEN_TYPE = "tokenizer.ggml.token_type";
    static final String SCORES = "tokenizer.ggml.scores";
    static final String MERGES = "tokenizer.ggml.merges";
    static final String BOS_ID = "tokenizer.ggml.bos_token_id";
    static final String EOS_ID = "tokenizer.ggml.eos_token_id";
    static final String UNK_ID = "tokenizer.ggml.unknown_token_id";
    static final String PAD_ID = "tokenizer.ggml.padding_token_id";
    static final String ADD_BOS = "tokenizer.ggml.add_bos_token";
    static final String ADD_EOS = "tokenizer.ggml.add_eos_token";
    static final String ADD_SPACE_PREFIX = "tokenizer.ggml.add_space_prefix";
    static final String CHAT_TEMPLATE = "tokenizer.chat_template";

    /** llama.cpp's llama_token_type. */
    static final int NORMAL = 1, UNKNOWN = 2, CONTROL = 3, USER_DEFINED = 4, UNUSED = 5, BYTE = 6;

    private GgufKeys() {
    }

    static String of(String key, String architecture) {
        return key.formatted(architecture);
    }
}
