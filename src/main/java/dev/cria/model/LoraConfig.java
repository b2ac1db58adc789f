package dev.cria.model;

import dev.cria.util.CriaException;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Low-rank adapters (Hu et al. 2021, "LoRA"): each targeted projection W gains a trainable update
 * {@code (alpha/rank) · B·A} with A (rank, in) and B (out, rank), B starting at zero so training starts
 * from the base model exactly. Module names follow Hugging Face PEFT: q_proj, k_proj, v_proj, o_proj,
 * gate_proj, up_proj, down_proj.
 *
 * @param rank    r, the adapters' inner width
 * @param alpha   scaling numerator: the update is scaled by alpha / rank
 * @param dropout probability of zeroing an input of the adapter path while training
 * @param targets module names that get adapters
 */
public record LoraConfig(int rank, double alpha, double dropout, Set<String> targets) {
    /** Every projection's module name, in forward order. */
    public static final Set<String> MODULES = modules();

    public LoraConfig {
        if (rank <= 0) throw new CriaException("--lora-rank must be positive: " + rank);
        if (!(alpha > 0)) throw new CriaException("--lora-alpha must be positive: " + alpha);
        if (!(dropout >= 0 && dropout < 1)) throw new CriaException("--lora-dropout must be in [0, 1): " + dropout);
        if (targets.isEmpty()) throw new CriaException("--lora-targets needs at least one module of " + MODULES);
        for (String t : targets) {
            if (!MODULES.contains(t)) throw new CriaException("unknown LoRA target module '" + t + "'; choose from " + MODULES);
        }
        targets = Set.copyOf(targets);
    }

    private static Set<String> modules() {
        var modules = new LinkedHashSet<String>();
        for (Projection p : Projection.values()) modules.add(p.module());
        return Collections.unmodifiableSet(modules);
    }

    public double scale() {
        return alpha / rank;
    }
}
