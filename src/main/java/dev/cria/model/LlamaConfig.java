package dev.cria.model;

import dev.cria.util.CriaException;

/**
 * The shape of a Llama decoder. Validates itself on construction and names the field and value that is
 * wrong, so a bad flag or a bad {@code config.json} fails before any memory is allocated.
 *
 * @param dim          model width C (Hugging Face: hidden_size)
 * @param layers       number of decoder blocks (num_hidden_layers)
 * @param heads        query heads H (num_attention_heads)
 * @param kvHeads      key/value heads KVH (num_key_value_heads); each serves heads / kvHeads query heads
 * @param hiddenDim    SwiGLU inner width F (intermediate_size)
 * @param vocab        vocabulary size V (vocab_size)
 * @param maxSeqLen    longest sequence the model is used with (max_position_embeddings)
 * @param normEps      RMSNorm epsilon (rms_norm_eps)
 * @param ropeTheta    RoPE base frequency (rope_theta)
 * @param tieEmbeddings whether the LM head reuses the token embedding matrix (tie_word_embeddings)
 * @param headSize     HS (head_dim), usually dim / heads; Qwen3 sets it independently, so q is H·HS wide
 * @param variant      what a Llama cousin changes: biases, q/k norms, RoPE scaling
 */
public record LlamaConfig(int dim, int layers, int heads, int kvHeads, int hiddenDim, int vocab, int maxSeqLen,
                          float normEps, float ropeTheta, boolean tieEmbeddings, int headSize, Variant variant) {

    public LlamaConfig {
        positive("dim", dim);
        positive("layers", layers);
        positive("heads", heads);
        positive("kvHeads", kvHeads);
        positive("hiddenDim", hiddenDim);
        positive("vocab", vocab);
        positive("maxSeqLen", maxSeqLen);
        positive("headSize", headSize);
        if (variant == null) throw new CriaException("variant is null; use Variant.LLAMA");
        if (heads % kvHeads != 0) {
            throw new CriaException("heads must be a multiple of kvHeads: heads=" + heads + ", kvHeads=" + kvHeads);
        }
        if (headSize % 2 != 0) {
            throw new CriaException("headSize must be even for RoPE: " + headSize);
        }
        if (!(normEps > 0) || !Float.isFinite(normEps)) {
            throw new CriaException("normEps must be a positive number: " + normEps);
        }
        if (!(ropeTheta > 0) || !Float.isFinite(ropeTheta)) {
            throw new CriaException("ropeTheta must be a positive number: " + ropeTheta);
        }
    }

    /** Plain Llama, with head size dim / heads. */
    public LlamaConfig(int dim, int layers, int heads, int kvHeads, int hiddenDim, int vocab, int maxSeqLen,
                       float normEps, float ropeTheta, boolean tieEmbeddings) {
        this(dim, layers, heads, kvHeads, hiddenDim, vocab, maxSeqLen, normEps, ropeTheta, tieEmbeddings,
                evenSplit(dim, heads), Variant.LLAMA);
    }

    /** dim / heads, refusing a remainder (a zero heads is left for the canonical constructor to name). */
    private static int evenSplit(int dim, int heads) {
        if (heads > 0 && dim % heads != 0) {
            throw new CriaException("dim must be a multiple of heads: dim=" + dim + ", heads=" + heads);
        }
        return heads > 0 ? dim / heads : 0;
    }

    private static void positive(String field, int value) {
        if (value <= 0) throw new CriaException(field + " must be positive: " + value);
    }

    /** Like llama2.c's stories260K: about 0.26M parameters. */
    public static LlamaConfig tiny() {
        return new LlamaConfig(64, 5, 8, 4, 172, 512, 512, 1e-5f, 10000f, true);
    }

    /** Like llama2.c's stories15M. */
    public static LlamaConfig small() {
        return new LlamaConfig(288, 6, 6, 6, 768, 32000, 256, 1e-5f, 10000f, true);
    }

    /** A preset by name: {@code tiny} or {@code small}. */
    public static LlamaConfig preset(String name) {
        return switch (name) {
            case "tiny" -> tiny();
            case "small" -> small();
            default -> throw new CriaException("unknown preset '" + name + "'; choose tiny or small");
        };
    }

    /** Width of the concatenated query heads, H·HS (equal to dim unless head_dim is set apart). */
    public int qDim() {
        return heads * headSize;
    }

    public int kvDim() {
        return kvHeads * headSize();
    }

    public LlamaConfig withVocab(int newVocab) {
        return new LlamaConfig(dim, layers, heads, kvHeads, hiddenDim, newVocab, maxSeqLen, normEps, ropeTheta, tieEmbeddings, headSize, variant);
    }

    public LlamaConfig withMaxSeqLen(int newMaxSeqLen) {
        return new LlamaConfig(dim, layers, heads, kvHeads, hiddenDim, vocab, newMaxSeqLen, normEps, ropeTheta, tieEmbeddings, headSize, variant);
    }

    public LlamaConfig withVariant(Variant newVariant) {
        return new LlamaConfig(dim, layers, heads, kvHeads, hiddenDim, vocab, maxSeqLen, normEps, ropeTheta, tieEmbeddings, headSize, newVariant);
    }

    /** Number of trainable parameters. */
    public long parameterCount() {
        long perLayer = 2L * dim                       // two RMSNorm weights
                + (long) dim * qDim() * 2              // q and o projections
                + (long) dim * kvDim() * 2             // k and v projections
                + 3L * dim * hiddenDim                 // gate, up, down
                + (variant.qkNorm() ? 2L * headSize : 0);
        for (Projection p : variant.biases()) perLayer += p.out(this);
        long embeddings = (long) vocab * dim * (tieEmbeddings ? 1 : 2);
        return perLayer * layers + embeddings + dim;
    }
}
