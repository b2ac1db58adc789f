package dev.cria.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cria.autograd.Grad;
import dev.cria.util.Rng;
import org.junit.jupiter.api.Test;

/** {@link Llama#adaptersOff()}, {@link Llama#training} and {@link Llama#evaluation()} restore what they found. */
class ModeScopeTest {
    private static final LlamaConfig SHAPE = new LlamaConfig(16, 2, 4, 2, 24, 30, 16, 1e-5f, 10000f, false);
    private static final int[] TOKENS = {1, 5, 9, 2, 7, 3, 3, 11};

    /** A model whose adapters change its logits (B is no longer zero) and drop half their inputs in training. */
    private static Llama adapted() {
        Llama model = Llama.initialize(SHAPE, new Rng(1));
        model.attachLora(new LoraConfig(4, 8, 0.5, LoraConfig.MODULES), new Rng(2));
        var rng = new Rng(3);
        model.adapterParameters().forEach((name, t) -> {
            if (name.endsWith("lora_B.weight")) for (int i = 0; i < t.size(); i++) t.data[i] = (float) rng.nextGaussian() * 0.1f;
        });
        return model;
    }

    private static float[] logits(Llama model) {
        try (var off = Grad.off()) {
            return model.logits(TOKENS, 1, TOKENS.length).data.clone();
        }
    }

    /** Logits of the same weights without adapters. */
    private static float[] baseLogits() {
        return logits(Llama.initialize(SHAPE, new Rng(1)));
    }

    @Test
    void adaptersOffRunsTheBaseAndCloseTurnsThemBackOn() {
        Llama model = adapted();
        float[] adapted = logits(model);
        try (var off = model.adaptersOff()) {
            assertThat(logits(model)).containsExactly(baseLogits());
        }
        assertThat(logits(model)).containsExactly(adapted);
    }

    @Test
    void nestedAdaptersOffStaysOffUntilTheOuterScopeCloses() {
        Llama model = adapted();
        float[] adapted = logits(model), base = baseLogits();
        try (var outer = model.adaptersOff()) {
            try (var inner = model.adaptersOff()) {
                assertThat(logits(model)).containsExactly(base);
            }
            assertThat(logits(model)).containsExactly(base);
        }
        assertThat(logits(model)).containsExactly(adapted);
    }

    @Test
    void anExceptionInsideTheScopeStillRestores() {
        Llama model = adapted();
        float[] adapted = logits(model);
        var rng = new Rng(4);
        assertThatThrownBy(() -> {
            try (var training = model.training(rng); var off = model.adaptersOff()) {
                throw new IllegalStateException("boom");
            }
        }).hasMessage("boom");
        assertThat(logits(model)).containsExactly(adapted);
        long[] before = rng.state();
        logits(model);
        assertThat(rng.state()).as("no dropout masks drawn after the scope").containsExactly(before);
    }

    @Test
    void closingTwiceRestoresOnce() {
        Llama model = adapted();
        float[] adapted = logits(model);
        var outer = model.adaptersOff();
        var inner = model.adaptersOff();
        inner.close();
        inner.close();
        assertThat(logits(model)).as("the outer scope is still open").containsExactly(baseLogits());
        outer.close();
        assertThat(logits(model)).containsExactly(adapted);
    }

    @Test
    void trainingDrawsDropoutMasksAndCloseStops() {
        Llama model = adapted();
        float[] clean = logits(model);
        var rng = new Rng(5);
        try (var training = model.training(rng)) {
            long[] before = rng.state();
            assertThat(logits(model)).isNotEqualTo(clean);
            assertThat(rng.state()).isNotEqualTo(before);
        }
        long[] after = rng.state();
        assertThat(logits(model)).containsExactly(clean);
        assertThat(rng.state()).containsExactly(after);
    }

    @Test
    void evaluationInsideTrainingPausesDropoutAndResumesIt() {
        Llama model = adapted();
        float[] clean = logits(model);
        var rng = new Rng(6);
        try (var training = model.training(rng)) {
            try (var eval = model.evaluation()) {
                long[] before = rng.state();
                assertThat(logits(model)).containsExactly(clean);
                assertThat(rng.state()).containsExactly(before);
            }
            long[] before = rng.state();
            logits(model);
            assertThat(rng.state()).as("dropout again after evaluation").isNotEqualTo(before);
        }
    }

    @Test
    void nestedTrainingRestoresTheOuterRng() {
        Llama model = adapted();
        var outerRng = new Rng(7);
        var innerRng = new Rng(8);
        try (var outer = model.training(outerRng)) {
            try (var inner = model.training(innerRng)) {
                long[] before = outerRng.state();
                logits(model);
                assertThat(outerRng.state()).containsExactly(before);
            }
            long[] before = innerRng.state();
            logits(model);
            assertThat(innerRng.state()).as("the inner generator is no longer used").containsExactly(before);
        }
    }

    @Test
    void withoutDropoutTrainingDrawsNothing() {
        Llama model = Llama.initialize(SHAPE, new Rng(1));
        model.attachLora(new LoraConfig(4, 8, 0, LoraConfig.MODULES), new Rng(2));
        var rng = new Rng(9);
        long[] before = rng.state();
        try (var training = model.training(rng)) {
            logits(model);
        }
        assertThat(rng.state()).containsExactly(before);
    }

    @Test
    void trainingNeedsAGenerator() {
        Llama model = adapted();
        assertThatThrownBy(() -> model.training(null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("null");
    }
}
