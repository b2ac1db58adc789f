package dev.cria.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cria.autograd.Grad;
import dev.cria.util.CriaException;
import dev.cria.util.Rng;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The checkpoint names and their order are a file format: saved models must keep loading, in Cria and in transformers. */
class HfNamesTest {
    private static final LlamaConfig ONE_LAYER = new LlamaConfig(16, 1, 4, 2, 24, 30, 16, 1e-5f, 10000f, false);

    @Test
    void weightsAreNamedAndOrderedAsLlamaForCausalLm() {
        Llama model = Llama.initialize(ONE_LAYER, new Rng(1));
        model.addScoreHead(new Rng(2), 0.1f);
        assertThat(model.parameters().keySet()).containsExactly(
                "model.embed_tokens.weight",
                "model.layers.0.input_layernorm.weight",
                "model.layers.0.self_attn.q_proj.weight",
                "model.layers.0.self_attn.k_proj.weight",
                "model.layers.0.self_attn.v_proj.weight",
                "model.layers.0.self_attn.o_proj.weight",
                "model.layers.0.post_attention_layernorm.weight",
                "model.layers.0.mlp.gate_proj.weight",
                "model.layers.0.mlp.up_proj.weight",
                "model.layers.0.mlp.down_proj.weight",
                "model.norm.weight",
                "lm_head.weight",
                "score.weight");
        assertThat(model.parameters().get("model.layers.0.self_attn.k_proj.weight").shape()).containsExactly(ONE_LAYER.kvDim(), 16);
        assertThat(model.parameters().get("model.layers.0.mlp.down_proj.weight").shape()).containsExactly(16, 24);
    }

    @Test
    void adaptersAreNamedAsPeftDoesInProjectionOrder() {
        Llama model = Llama.initialize(ONE_LAYER, new Rng(1));
        model.attachLora(new LoraConfig(2, 4, 0, Set.of("down_proj", "v_proj", "q_proj")), new Rng(2));
        assertThat(model.adapterParameters().keySet()).containsExactly(
                "model.layers.0.self_attn.q_proj.lora_A.weight",
                "model.layers.0.self_attn.q_proj.lora_B.weight",
                "model.layers.0.self_attn.v_proj.lora_A.weight",
                "model.layers.0.self_attn.v_proj.lora_B.weight",
                "model.layers.0.mlp.down_proj.lora_A.weight",
                "model.layers.0.mlp.down_proj.lora_B.weight");
        assertThat(model.adapterParameters().get("model.layers.0.mlp.down_proj.lora_A.weight").shape()).containsExactly(2, 24);
        assertThat(model.trainableParameters()).isEqualTo(model.adapterParameters());
    }

    @Test
    void loadingWhatWasNamedGivesTheSameModel() {
        Llama model = Llama.initialize(ONE_LAYER, new Rng(1));
        var data = new LinkedHashMap<String, float[]>();
        var shapes = new LinkedHashMap<String, int[]>();
        splitInto(model, data, shapes);
        Llama loaded = HfNames.load(ONE_LAYER, data, shapes, "test");
        int[] tokens = {3, 4, 5, 6};
        try (var off = Grad.off()) {
            assertThat(loaded.logits(tokens, 1, 4).data).containsExactly(model.logits(tokens, 1, 4).data);
        }
    }

    @Test
    void loadingNamesTheFirstMissingOrMisshapenTensorAndAnyLeftOver() {
        Llama model = Llama.initialize(ONE_LAYER, new Rng(1));
        var data = new LinkedHashMap<String, float[]>();
        var shapes = new LinkedHashMap<String, int[]>();
        splitInto(model, data, shapes);
        var missing = new LinkedHashMap<>(data);
        missing.remove("model.layers.0.post_attention_layernorm.weight");
        missing.remove("model.layers.0.mlp.up_proj.weight");
        assertThatThrownBy(() -> HfNames.load(ONE_LAYER, missing, shapes, "w.safetensors")).isInstanceOf(CriaException.class)
                .hasMessage("w.safetensors: tensor 'model.layers.0.post_attention_layernorm.weight' is missing");
        var wrongShape = new LinkedHashMap<>(shapes);
        wrongShape.put("model.layers.0.self_attn.k_proj.weight", new int[] {16, 16});
        assertThatThrownBy(() -> HfNames.load(ONE_LAYER, data, wrongShape, "w.safetensors"))
                .hasMessage("w.safetensors: tensor 'model.layers.0.self_attn.k_proj.weight' has shape [16, 16] but the config needs [8, 16]");
        var extra = new LinkedHashMap<>(data);
        extra.put("model.layers.1.input_layernorm.weight", new float[16]);
        assertThatThrownBy(() -> HfNames.load(ONE_LAYER, extra, shapes, "w.safetensors"))
                .hasMessageContaining("unexpected tensor 'model.layers.1.input_layernorm.weight'");
    }

    /** A model's named tensors as a checkpoint holds them: values and shapes apart. */
    private static void splitInto(Llama model, Map<String, float[]> data, Map<String, int[]> shapes) {
        model.parameters().forEach((n, t) -> {
            data.put(n, t.data);
            shapes.put(n, t.shape());
        });
    }
}
