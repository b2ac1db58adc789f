package dev.cria.checkpoint.llama2c;

import dev.cria.kernels.Rope;
import dev.cria.model.LlamaConfig;
import dev.cria.model.Variant;
import dev.cria.util.CriaException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The architecture a llama2.c checkpoint states in its header: run.c's {@code Config} (seven int32s)
 * plus whether the classifier is the token embedding. What the header cannot say, run.c fixes:
 * RMSNorm epsilon 1e-5, RoPE base 10000, head size dim / n_heads, no biases and no q/k norms, so a
 * Cria model is exported only when it has exactly those.
 *
 * <p>Version 0 is the legacy 28-byte header, the classifier's sharing folded into vocab_size's sign
 * (negative when not shared). Version 1 is export.py's 256-byte header: magic "ak42", version, the
 * seven ints, a shared-classifier byte, zero padding.
 */
public record Llama2cHeader(int dim, int hiddenDim, int layers, int heads, int kvHeads, int vocab, int seqLen,
                            boolean sharedClassifier) {
    /** export.py's magic, the uint32 of ASCII "ak42". */
    public static final int MAGIC = 0x616b3432;
    public static final int V0_BYTES = 7 * Integer.BYTES;
    public static final int V1_BYTES = 256;
    /** Hard-coded in run.c's rmsnorm and forward. */
    public static final float NORM_EPS = 1e-5f;
    public static final float ROPE_THETA = 10000f;

    /** The names of the seven int32 fields, in file order, for messages. */
    static final String[] FIELDS = {"dim", "hidden_dim", "n_layers", "n_heads", "n_kv_heads", "vocab_size", "seq_len"};

    public int headSize() {
        return dim / heads;
    }

    public int kvDim() {
        return kvHeads * headSize();
    }

    /** The header of {@code config}, or a one-line refusal naming the config.json field llama2.c cannot hold. */
    public static Llama2cHeader of(LlamaConfig config, boolean hasScoreHead, String source) {
        Variant v = config.variant();
        if (!v.biases().isEmpty()) refuse(source, "has biases on " + v.biases() + " (attention_bias); llama2.c's layers have none");
        if (v.qkNorm()) refuse(source, "has per-head q/k norms (model_type qwen3); llama2.c has none");
        if (v.ropeScaling() != Rope.Scaling.NONE) refuse(source, "has rope_scaling " + v.ropeScaling() + "; run.c's RoPE is unscaled");
        if (config.ropeTheta() != ROPE_THETA) refuse(source, "has rope_theta " + config.ropeTheta() + "; run.c's RoPE base is 10000");
        if (config.normEps() != NORM_EPS) refuse(source, "has rms_norm_eps " + config.normEps() + "; run.c's RMSNorm uses 1e-5");
        if (config.headSize() * config.heads() != config.dim()) {
            refuse(source, "has head_dim " + config.headSize() + " with hidden_size " + config.dim() + " and " + config.heads()
                    + " heads; run.c's head size is hidden_size / heads");
        }
        if (hasScoreHead) refuse(source, "has a scalar score head (a reward or value model); llama2.c has only the LM head");
        return new Llama2cHeader(config.dim(), config.hiddenDim(), config.layers(), config.heads(), config.kvHeads(),
                config.vocab(), config.maxSeqLen(), config.tieEmbeddings());
    }

    private static void refuse(String source, String why) {
        throw new CriaException(source + ": cannot export to llama2.c: the model " + why);
    }

    /** The Cria config this header describes: plain Llama with run.c's fixed epsilon and RoPE base. */
    public LlamaConfig config() {
        return new LlamaConfig(dim, layers, heads, kvHeads, hiddenDim, vocab, seqLen, NORM_EPS, ROPE_THETA, sharedClassifier);
    }

    /** The header's bytes for {@code version} 0 or 1, little-endian as on the x86 and ARM machines run.c targets. */
    byte[] bytes(int version) {
        ByteBuffer b = ByteBuffer.allocate(version == 0 ? V0_BYTES : V1_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        if (version == 1) b.putInt(MAGIC).putInt(1);
        b.putInt(dim).putInt(hiddenDim).putInt(layers).putInt(heads).putInt(kvHeads);
        // subtle: version 0 has no flag byte; a negative vocab_size is how it says "the classifier follows"
        b.putInt(version == 0 && !sharedClassifier ? -vocab : vocab);
        b.putInt(seqLen);
        if (version == 1) b.put((byte) (sharedClassifier ? 1 : 0));
        return b.array();
    }
}
