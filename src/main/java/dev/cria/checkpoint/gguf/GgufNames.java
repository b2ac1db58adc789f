package dev.cria.checkpoint.gguf;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tensor names in GGUF files (llama.cpp's, from gguf-py's tensor_mapping.py) against Hugging Face's:
 * {@code model.layers.3.self_attn.q_proj.weight} is {@code blk.3.attn_q.weight}. Only the tensors of the
 * families Cria computes are here.
 */
final class GgufNames {
    static final String ROPE_FREQS = "rope_freqs.weight";

    private static final Map<String, String> TOP = Map.of(
            "model.embed_tokens.weight", "token_embd.weight",
            "model.norm.weight", "output_norm.weight",
            "lm_head.weight", "output.weight");

    /** Inside a layer: Hugging Face's module path to GGUF's, without the .weight / .bias suffix. */
    private static final Map<String, String> LAYER = Map.ofEntries(
            Map.entry("input_layernorm", "attn_norm"),
            Map.entry("self_attn.q_proj", "attn_q"),
            Map.entry("self_attn.k_proj", "attn_k"),
            Map.entry("self_attn.v_proj", "attn_v"),
            Map.entry("self_attn.o_proj", "attn_output"),
            Map.entry("self_attn.q_norm", "attn_q_norm"),
            Map.entry("self_attn.k_norm", "attn_k_norm"),
            Map.entry("post_attention_layernorm", "ffn_norm"),
            Map.entry("mlp.gate_proj", "ffn_gate"),
            Map.entry("mlp.up_proj", "ffn_up"),
            Map.entry("mlp.down_proj", "ffn_down"));

    private static final Pattern HF_LAYER = Pattern.compile("model\\.layers\\.(\\d+)\\.(.+)\\.(weight|bias)");
    private static final Pattern GGUF_LAYER = Pattern.compile("blk\\.(\\d+)\\.(.+)\\.(weight|bias)");

    private GgufNames() {
    }

    /** The GGUF name of a Hugging Face tensor, or null for one GGUF has no place for (a reward model's score head). */
    static String toGguf(String hfName) {
        if (TOP.containsKey(hfName)) return TOP.get(hfName);
        Matcher m = HF_LAYER.matcher(hfName);
        if (!m.matches() || !LAYER.containsKey(m.group(2))) return null;
        return "blk." + m.group(1) + "." + LAYER.get(m.group(2)) + "." + m.group(3);
    }

    /** The Hugging Face name of a GGUF tensor, or null for one Cria does not know. */
    static String toHf(String ggufName) {
        for (Map.Entry<String, String> e : TOP.entrySet()) if (e.getValue().equals(ggufName)) return e.getKey();
        Matcher m = GGUF_LAYER.matcher(ggufName);
        if (!m.matches()) return null;
        for (Map.Entry<String, String> e : LAYER.entrySet()) {
            if (e.getValue().equals(m.group(2))) return "model.layers." + m.group(1) + "." + e.getKey() + "." + m.group(3);
        }
        return null;
    }

    /** True for the q and k projections (weights and biases), whose rows llama.cpp's {@code llama} architecture wants permuted. */
    static boolean isQueryOrKey(String hfName) {
        return hfName.contains(".self_attn.q_proj.") || hfName.contains(".self_attn.k_proj.");
    }

    static boolean isKey(String hfName) {
        return hfName.contains(".self_attn.k_proj.");
    }
}
