package dev.cria.model;

import dev.cria.kernels.Rope;
import dev.cria.util.CriaException;
import java.util.EnumSet;
import java.util.Set;

/**
 * What a Llama cousin changes in the decoder, beyond the sizes in {@link LlamaConfig}: which projections
 * carry a bias (Qwen2 on q, k and v), whether q and k are RMS-normalized per head before RoPE (Qwen3),
 * and how RoPE's frequencies are scaled (Llama 3.1's "llama3", "linear"). Plain Llama is {@link #LLAMA}.
 * It describes the computation only; which Hugging Face model_type a checkpoint names is {@link #family}.
 *
 * @param family      the Hugging Face model family, written back as model_type and architectures
 * @param biases      the projections with a bias vector of their output size
 * @param qkNorm      whether q and k go through a per-head RMSNorm (weights of size head_dim) before RoPE
 * @param ropeScaling the rescaling of RoPE's inverse frequencies
 */
public record Variant(Family family, Set<Projection> biases, boolean qkNorm, Rope.Scaling ropeScaling) {
    public static final Variant LLAMA = new Variant(Family.LLAMA, Set.of(), false, Rope.Scaling.NONE);

    /** The Hugging Face families Cria computes, by their model_type and the class that loads them. */
    public enum Family {
        LLAMA("llama", "LlamaForCausalLM"),
        MISTRAL("mistral", "MistralForCausalLM"),
        QWEN2("qwen2", "Qwen2ForCausalLM"),
        QWEN3("qwen3", "Qwen3ForCausalLM");

        private final String modelType;
        private final String architecture;

        Family(String modelType, String architecture) {
            this.modelType = modelType;
            this.architecture = architecture;
        }

        public String modelType() {
            return modelType;
        }

        public String architecture() {
            return architecture;
        }

        /** The family named by a config.json's model_type, or null if Cria does not compute it. */
        public static Family ofModelType(String modelType) {
            for (Family f : values()) if (f.modelType.equals(modelType)) return f;
            return null;
        }
    }

    public Variant {
        if (family == null) throw new CriaException("family is null");
        if (biases == null) throw new CriaException("biases is null; use Set.of() for none");
        if (ropeScaling == null) throw new CriaException("ropeScaling is null; use Rope.Scaling.NONE");
        biases = biases.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(biases));
    }

    public boolean hasBias(Projection p) {
        return biases.contains(p);
    }

    public Variant withFamily(Family newFamily) {
        return new Variant(newFamily, biases, qkNorm, ropeScaling);
    }

    public Variant withBiases(Set<Projection> newBiases) {
        return new Variant(family, newBiases, qkNorm, ropeScaling);
    }

    public Variant withQkNorm(boolean newQkNorm) {
        return new Variant(family, biases, newQkNorm, ropeScaling);
    }

    public Variant withRopeScaling(Rope.Scaling newScaling) {
        return new Variant(family, biases, qkNorm, newScaling);
    }
}
