package dev.cria.align;

import dev.cria.autograd.Grad;
import dev.cria.model.Llama;
import dev.cria.util.CriaException;
import java.util.function.Function;

/**
 * The frozen model a policy is kept close to (DPO's reference, RL's KL anchor): a separate copy of the
 * starting model, or the policy's own base with its LoRA adapters switched off. Either way it is only
 * read, never trained, and runs without gradients.
 */
public sealed interface Reference permits Reference.Copy, Reference.PolicyBase {
    /** A frozen copy, of the policy's shape. */
    record Copy(Llama model) implements Reference {
    }

    /** The policy itself with its adapters off: no second copy of the weights in memory. */
    record PolicyBase(Llama policy) implements Reference {
    }

    /** A frozen copy; its shape must be the policy's. */
    static Reference copy(Llama model, Llama policy) {
        if (!model.config().equals(policy.config())) {
            throw new CriaException("the reference model's shape " + model.config() + " differs from the policy's " + policy.config());
        }
        return new Copy(model);
    }

    /** The policy's base; the policy must be training LoRA adapters, or its base would move with it. */
    static Reference baseOf(Llama policy) {
        if (!policy.hasAdapters()) {
            throw new CriaException("a reference model is needed: pass one, or train LoRA adapters so the base serves as reference");
        }
        return new PolicyBase(policy);
    }

    /** {@code copy} when there is one, else the policy's base. */
    static Reference of(Llama copyOrNull, Llama policy) {
        return copyOrNull != null ? copy(copyOrNull, policy) : baseOf(policy);
    }

    /** Runs {@code read} on the reference's weights, without gradients. */
    default <T> T read(Function<Llama, T> read) {
        try (var off = Grad.off()) {
            return switch (this) {
                case Copy c -> read.apply(c.model());
                case PolicyBase b -> {
                    try (var base = b.policy().adaptersOff()) {
                        yield read.apply(b.policy());
                    }
                }
            };
        }
    }

    /** Per-token log-probs of a batch's tokens at {@code temperature} (see {@link TokenLogProbs}). */
    default float[] tokenLogProbs(SequenceBatch batch, float temperature) {
        return read(model -> TokenLogProbs.of(model, batch, temperature).data);
    }
}
