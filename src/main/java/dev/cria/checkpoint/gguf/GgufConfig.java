package dev.cria.checkpoint.gguf;

import dev.cria.kernels.Rope;
import dev.cria.model.LlamaConfig;
import dev.cria.model.Projection;
import dev.cria.model.Variant;
import dev.cria.util.CriaException;
import java.util.EnumSet;
import java.util.Set;

/**
 * {@link LlamaConfig} as GGUF's {@code {arch}.*} metadata, with the keys and types llama.cpp's converter
 * writes. Architectures: Llama and Mistral are {@code llama}, Qwen2 {@code qwen2}, Qwen3 {@code qwen3}.
 * Reading takes llama.cpp's defaults for absent keys (head_count_kv = head_count, key_length =
 * embedding_length / head_count, rope.freq_base = 10000) and refuses what Cria does not compute, naming
 * the key: another architecture, partial RoPE, RoPE scaling other than linear (and llama3's, which comes
 * as the {@code rope_freqs.weight} tensor; see {@link Llama3RopeFactors}).
 */
final class GgufConfig {
    private GgufConfig() {
    }

    static String architecture(Variant.Family family) {
        return switch (family) {
            case LLAMA, MISTRAL -> "llama";
            case QWEN2 -> "qwen2";
            case QWEN3 -> "qwen3";
        };
    }

    static void write(GgufWriter w, LlamaConfig c, String name, GgufFileType type) {
        String a = architecture(c.variant().family());
        w.putString(GgufKeys.ARCHITECTURE, a);
        w.putString(GgufKeys.TYPE, "model");
        w.putString(GgufKeys.NAME, name);
        w.putU32(GgufKeys.of(GgufKeys.BLOCK_COUNT, a), c.layers());
        w.putU32(GgufKeys.of(GgufKeys.CONTEXT_LENGTH, a), c.maxSeqLen());
        w.putU32(GgufKeys.of(GgufKeys.EMBEDDING_LENGTH, a), c.dim());
        w.putU32(GgufKeys.of(GgufKeys.FEED_FORWARD_LENGTH, a), c.hiddenDim());
        w.putU32(GgufKeys.of(GgufKeys.HEAD_COUNT, a), c.heads());
        w.putU32(GgufKeys.of(GgufKeys.HEAD_COUNT_KV, a), c.kvHeads());
        w.putF32(GgufKeys.of(GgufKeys.ROPE_FREQ_BASE, a), c.ropeTheta());
        w.putF32(GgufKeys.of(GgufKeys.RMS_EPSILON, a), c.normEps());
        if (c.headSize() * c.heads() != c.dim()) {
            w.putU32(GgufKeys.of(GgufKeys.KEY_LENGTH, a), c.headSize());
            w.putU32(GgufKeys.of(GgufKeys.VALUE_LENGTH, a), c.headSize());
        }
        w.putU32(GgufKeys.FILE_TYPE, type.fileType);
        w.putU32(GgufKeys.of(GgufKeys.VOCAB_SIZE, a), c.vocab());
        w.putU32(GgufKeys.of(GgufKeys.ROPE_DIMENSION_COUNT, a), c.headSize());
        if (c.variant().ropeScaling() instanceof Rope.Scaling.Linear linear) {
            w.putString(GgufKeys.of(GgufKeys.ROPE_SCALING_TYPE, a), "linear");
            w.putF32(GgufKeys.of(GgufKeys.ROPE_SCALING_FACTOR, a), linear.factor());
        }
        if (type.quantized()) w.putU32(GgufKeys.QUANTIZATION_VERSION, 2);
    }

    /** The model shape a GGUF file describes; biases and the tied head are read off which tensors it has. */
    static LlamaConfig read(GgufReader r) {
        String a = r.string(GgufKeys.ARCHITECTURE);
        Variant.Family family = switch (a) {
            case "llama" -> Variant.Family.LLAMA;
            case "qwen2" -> Variant.Family.QWEN2;
            case "qwen3" -> Variant.Family.QWEN3;
            default -> throw new CriaException(r.file() + ": general.architecture is '" + a + "'; Cria reads llama, qwen2 and qwen3");
        };
        int dim = u32(r, GgufKeys.of(GgufKeys.EMBEDDING_LENGTH, a));
        int heads = u32(r, GgufKeys.of(GgufKeys.HEAD_COUNT, a));
        Long kv = r.optionalInteger(GgufKeys.of(GgufKeys.HEAD_COUNT_KV, a));
        Long keyLength = r.optionalInteger(GgufKeys.of(GgufKeys.KEY_LENGTH, a));
        Long valueLength = r.optionalInteger(GgufKeys.of(GgufKeys.VALUE_LENGTH, a));
        int headSize = keyLength != null ? keyLength.intValue() : heads > 0 ? dim / heads : 0;
        if (valueLength != null && valueLength != headSize) {
            throw new CriaException(r.file() + ": " + GgufKeys.of(GgufKeys.VALUE_LENGTH, a) + " is " + valueLength
                    + " but key_length is " + headSize + "; Cria's heads have one size");
        }
        Long rotated = r.optionalInteger(GgufKeys.of(GgufKeys.ROPE_DIMENSION_COUNT, a));
        if (rotated != null && rotated != headSize) {
            throw new CriaException(r.file() + ": " + GgufKeys.of(GgufKeys.ROPE_DIMENSION_COUNT, a) + " is " + rotated
                    + " but heads are " + headSize + " wide; Cria rotates whole heads (no partial RoPE)");
        }
        Double theta = r.optionalNumber(GgufKeys.of(GgufKeys.ROPE_FREQ_BASE, a));
        float ropeTheta = theta != null ? theta.floatValue() : 10000f;
        GgufReader.TensorInfo embedding = r.tensor("token_embd.weight");
        if (embedding == null) throw new CriaException(r.file() + ": tensor 'token_embd.weight' is missing");
        Long vocabKey = r.optionalInteger(GgufKeys.of(GgufKeys.VOCAB_SIZE, a));
        int vocab = vocabKey != null ? vocabKey.intValue() : embedding.shape()[0];

        Variant variant = new Variant(family, biases(r, family), family == Variant.Family.QWEN3,
                ropeScaling(r, a, headSize, ropeTheta));
        try {
            return new LlamaConfig(dim, u32(r, GgufKeys.of(GgufKeys.BLOCK_COUNT, a)), heads, kv != null ? kv.intValue() : heads,
                    u32(r, GgufKeys.of(GgufKeys.FEED_FORWARD_LENGTH, a)), vocab, u32(r, GgufKeys.of(GgufKeys.CONTEXT_LENGTH, a)),
                    (float) r.number(GgufKeys.of(GgufKeys.RMS_EPSILON, a)), ropeTheta, r.tensor("output.weight") == null,
                    headSize, variant);
        } catch (CriaException e) {
            throw new CriaException(r.file() + ": " + e.getMessage(), e);
        }
    }

    private static int u32(GgufReader r, String key) {
        long v = r.integer(key);
        if (v <= 0 || v > Integer.MAX_VALUE) throw new CriaException(r.file() + ": metadata key '" + key + "' is " + v + ", expected a positive size");
        return (int) v;
    }

    /** Qwen2 always has q, k and v biases; a llama file may carry attention or MLP biases as optional tensors. */
    private static Set<Projection> biases(GgufReader r, Variant.Family family) {
        if (family == Variant.Family.QWEN2) return EnumSet.of(Projection.Q, Projection.K, Projection.V);
        var biases = EnumSet.noneOf(Projection.class);
        if (r.tensor("blk.0.attn_q.bias") != null) biases.addAll(Set.of(Projection.Q, Projection.K, Projection.V));
        if (r.tensor("blk.0.attn_output.bias") != null) biases.add(Projection.O);
        if (r.tensor("blk.0.ffn_gate.bias") != null) biases.addAll(Set.of(Projection.GATE, Projection.UP, Projection.DOWN));
        return biases;
    }

    private static Rope.Scaling ropeScaling(GgufReader r, String a, int headSize, float theta) {
        GgufReader.TensorInfo factors = r.tensor(GgufNames.ROPE_FREQS);
        String key = GgufKeys.of(GgufKeys.ROPE_SCALING_TYPE, a);
        String type = r.optionalString(key);
        if (factors != null) {
            if (type != null && !type.equals("none")) throw new CriaException(r.file() + ": both " + key + " '" + type + "' and a " + GgufNames.ROPE_FREQS + " tensor; Cria computes one RoPE scaling");
            Rope.Scaling.Llama3 written = Llama3RopeFactors.read(r);
            return written != null ? written : Llama3RopeFactors.fit(r.floats(factors), headSize, theta, r.file() + ": tensor '" + GgufNames.ROPE_FREQS + "'");
        }
        if (type == null || type.equals("none")) return Rope.Scaling.NONE;
        if (type.equals("linear")) {
            String factorKey = GgufKeys.of(GgufKeys.ROPE_SCALING_FACTOR, a);
            double factor = r.number(factorKey);
            if (!(factor > 0)) throw new CriaException(r.file() + ": " + factorKey + " must be positive: " + factor);
            return factor == 1 ? Rope.Scaling.NONE : new Rope.Scaling.Linear((float) factor);
        }
        throw new CriaException(r.file() + ": " + key + " is '" + type + "'; Cria computes linear RoPE scaling (and llama3's, from " + GgufNames.ROPE_FREQS + ")");
    }
}
