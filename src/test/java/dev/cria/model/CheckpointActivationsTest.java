package dev.cria.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cria.autograd.Tensor;
import dev.cria.util.Rng;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Recomputing each block in the backward pass gives the gradients of keeping its activations, bit for bit. */
class CheckpointActivationsTest {
    private static final LlamaConfig SHAPE = new LlamaConfig(32, 3, 4, 2, 64, 50, 16, 1e-5f, 10000f, false);
    private static final int[] TOKENS = {1, 7, 9, 33, 2, 8, 8, 41, 3, 17, 5, 0, 12, 49, 6, 7};

    private static Map<String, float[]> gradients(boolean checkpoint, boolean lora) {
        Llama model = Llama.initialize(SHAPE, new Rng(3));
        if (lora) {
            model.attachLora(new LoraConfig(4, 8, 0.25, LoraConfig.MODULES), new Rng(4));
            Rng init = new Rng(5);
            model.adapterParameters().forEach((name, t) -> {
                for (int i = 0; i < t.size(); i++) t.data[i] = (float) init.nextGaussian() * 0.1f;
            });
        }
        model.checkpointActivations(checkpoint);
        int B = 2, T = 7;
        int[] inputs = new int[B * T], targets = new int[B * T];
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) {
                inputs[b * T + t] = TOKENS[b * 8 + t];
                targets[b * T + t] = TOKENS[b * 8 + t + 1];
            }
        }
        try (var training = model.training(new Rng(6))) {
            model.loss(inputs, targets, B, T).backward();
        }
        Map<String, float[]> grads = new HashMap<>();
        model.trainableParameters().forEach((name, t) -> grads.put(name, t.grad() == null ? null : t.grad().clone()));
        return grads;
    }

    @Test
    void fullTrainingGradientsAreUnchanged() {
        Map<String, float[]> kept = gradients(false, false), recomputed = gradients(true, false);
        assertThat(recomputed.keySet()).isEqualTo(kept.keySet());
        kept.forEach((name, g) -> assertThat(recomputed.get(name)).as(name).isNotNull().containsExactly(g));
    }

    @Test
    void loraGradientsWithDropoutAreUnchangedBecauseTheReplayDrawsTheSameMasks() {
        Map<String, float[]> kept = gradients(false, true), recomputed = gradients(true, true);
        assertThat(kept.keySet()).anyMatch(name -> name.contains("lora_A"));
        kept.forEach((name, g) -> {
            assertThat(g).as(name).isNotNull();
            assertThat(Arrays.equals(recomputed.get(name), g)).as(name).isTrue();
        });
    }

    @Test
    void withoutGradientsTheForwardIsTheSame() {
        Llama model = Llama.initialize(SHAPE, new Rng(3));
        float[] plain;
        try (var off = dev.cria.autograd.Grad.off()) {
            plain = model.logits(TOKENS, 1, TOKENS.length).data.clone();
            model.checkpointActivations(true);
            assertThat(model.logits(TOKENS, 1, TOKENS.length).data).containsExactly(plain);
        }
        Tensor withGraph = model.logits(TOKENS, 1, TOKENS.length);
        assertThat(withGraph.data).containsExactly(plain);
    }
}
