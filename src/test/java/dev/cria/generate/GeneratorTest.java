package dev.cria.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cria.autograd.Grad;
import dev.cria.model.Llama;
import dev.cria.model.LlamaConfig;
import dev.cria.model.Projection;
import dev.cria.model.Variant;
import dev.cria.kernels.Rope;
import dev.cria.util.CriaException;
import dev.cria.util.Rng;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GeneratorTest {
    private static final LlamaConfig SHAPE = new LlamaConfig(32, 2, 4, 2, 48, 40, 64, 1e-5f, 10000f, true);
    private final Llama model = Llama.initialize(SHAPE, new Rng(5));

    @Test
    void greedyDecodingEqualsArgmaxOfFullForwards() {
        int[] prompt = {1, 7, 3};
        var out = new Generator(model).generate(List.of(prompt), 6, Sampler.greedy(), new Rng(0), -1, null).get(0);
        int[] seq = prompt.clone();
        for (int step = 0; step < 6; step++) {
            float[] logits;
            try (var off = Grad.off()) {
                logits = model.logits(seq, 1, seq.length).data;
            }
            int next = Sampler.argmax(logits, (seq.length - 1) * SHAPE.vocab(), SHAPE.vocab());
            assertThat(out.tokens()[step]).as("token %d", step).isEqualTo(next);
            seq = java.util.Arrays.copyOf(seq, seq.length + 1);
            seq[seq.length - 1] = next;
        }
        assertThat(out.finish()).isEqualTo(Generator.Finish.LENGTH);
    }

    @Test
    void aReusedGeneratorTakesWeightsChangedInPlaceAndAdaptersAttachedSinceItsLastCall() {
        // biases on q, k and v (as Qwen2 has), so the joined biases are taken again too
        var config = new LlamaConfig(32, 2, 4, 2, 48, 40, 64, 1e-5f, 10000f, false, 8,
                new Variant(Variant.Family.QWEN2, Set.of(Projection.Q, Projection.K, Projection.V), false, Rope.Scaling.NONE));
        Llama m = Llama.initialize(config, new Rng(3));
        Rng noise = new Rng(4);
        m.parameters().values().forEach(t -> perturb(t, noise));
        // nine sequences: each step has enough rows for the packed weights, which are then packed again
        var prompts = new java.util.ArrayList<int[]>();
        for (int b = 0; b < 9; b++) prompts.add(new int[] {1 + b, 2 + 3 * b % 7, 5});
        var reused = new Generator(m);
        float[] before = stepLogits(reused, prompts);
        assertThat(stepLogits(reused, prompts)).as("the same bits from a reused generator").containsExactly(before);

        m.parameters().values().forEach(t -> perturb(t, noise));   // as an optimizer step does, in place
        float[] changed = stepLogits(reused, prompts);
        assertThat(changed).containsExactly(stepLogits(new Generator(m), prompts));
        assertThat(maxDifference(changed, before)).isGreaterThan(1e-2f);

        m.attachLora(new dev.cria.model.LoraConfig(2, 4, 0, Set.of("q_proj", "up_proj", "o_proj")), new Rng(5));
        m.trainableParameters().values().forEach(t -> perturb(t, noise));
        float[] adapted = stepLogits(reused, prompts);
        assertThat(adapted).containsExactly(stepLogits(new Generator(m), prompts));
        assertThat(maxDifference(adapted, changed)).isGreaterThan(1e-2f);
        try (var off = m.adaptersOff()) {
            assertThat(stepLogits(reused, prompts)).containsExactly(changed);
        }
    }

    private static void perturb(dev.cria.autograd.Tensor t, Rng rng) {
        for (int i = 0; i < t.size(); i++) t.data[i] += (float) (0.05 * rng.nextGaussian());
    }

    /** Every logits row greedy decoding drew a token from, step by step, sequence by sequence. */
    private static float[] stepLogits(Generator generator, List<int[]> prompts) {
        var rows = new java.util.ArrayList<float[]>();
        generator.generate(prompts, 4, Sampler.greedy(), new Rng(0), -1, new Generator.Listener() {
            @Override
            public void onToken(int sequence, int token) {
            }

            @Override
            public boolean onStep(int sequence, int token, float[] logits, int offset) {
                rows.add(java.util.Arrays.copyOfRange(logits, offset, offset + 40));
                return true;
            }
        });
        float[] all = new float[rows.size() * 40];
        for (int i = 0; i < rows.size(); i++) System.arraycopy(rows.get(i), 0, all, i * 40, 40);
        return all;
    }

    private static float maxDifference(float[] a, float[] b) {
        float max = 0;
        for (int i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
        return max;
    }

    @Test
    void aSampleDoesNotDependOnTheRestOfTheBatch() {
        var sampler = new Sampler(1f, 0, 1f);
        var generator = new Generator(model);
        int[] a = {1, 2, 3, 4, 5}, b = {9};
        var together = generator.generate(List.of(a, b, a), 10, sampler, new Rng(42), -1, null);
        var alone = generator.generate(List.of(a), 10, sampler, new Rng(42), -1, null);
        assertThat(together.get(0).tokens()).containsExactly(alone.get(0).tokens());
        assertThat(together.get(1).tokens()).hasSize(10);
    }

    @Test
    void stopsAtAnyOfSeveralStopTokens() {
        var generator = new Generator(model);
        int[] prompt = {1, 2};
        int[] free = generator.generate(List.of(prompt), 8, Sampler.greedy(), new Rng(0), -1, null).get(0).tokens();
        int[] stops = {free[5], free[2], SHAPE.vocab() + 3};
        int firstStop = 0;
        while (free[firstStop] != stops[0] && free[firstStop] != stops[1]) firstStop++;
        var out = generator.generate(List.of(prompt), 8, Sampler.greedy(), new Rng(0), stops, null).get(0);
        assertThat(out.tokens()).containsExactly(java.util.Arrays.copyOf(free, firstStop));
        assertThat(out.finish()).isEqualTo(Generator.Finish.STOP_TOKEN);
    }

    @Test
    void stopsAtTheStopTokenAndStreamsEachToken() {
        var generator = new Generator(model);
        int[] prompt = {1, 2};
        int[] free = generator.generate(List.of(prompt), 8, Sampler.greedy(), new Rng(0), -1, null).get(0).tokens();
        int stop = free[3];
        var streamed = new java.util.ArrayList<Integer>();
        var out = generator.generate(List.of(prompt), 8, Sampler.greedy(), new Rng(0), stop, (s, t) -> streamed.add(t)).get(0);
        int firstStop = 0;
        while (free[firstStop] != stop) firstStop++;
        assertThat(out.tokens()).containsExactly(java.util.Arrays.copyOf(free, firstStop));
        assertThat(out.finish()).isEqualTo(Generator.Finish.STOP_TOKEN);
        assertThat(streamed).containsExactlyElementsOf(java.util.Arrays.stream(out.tokens()).boxed().toList());
    }

    @Test
    void aListenerEndsItsSequenceEarlyAndSeesTheRowEachTokenCameFrom() {
        var generator = new Generator(model);
        int[] prompt = {1, 2};
        int[] free = generator.generate(List.of(prompt, prompt), 8, Sampler.greedy(), new Rng(0), -1, null).get(0).tokens();
        var seen = new java.util.ArrayList<Integer>();
        var listener = new Generator.Listener() {
            @Override
            public void onToken(int sequence, int token) {
                throw new AssertionError("the generator calls onStep");
            }

            @Override
            public boolean onStep(int sequence, int token, float[] logits, int offset) {
                assertThat(Sampler.argmax(logits, offset, SHAPE.vocab())).as("greedy picks the row's argmax").isEqualTo(token);
                if (sequence == 0) seen.add(token);
                return sequence != 0 || seen.size() < 3;
            }
        };
        var out = generator.generate(List.of(prompt, prompt), 8, Sampler.greedy(), new Rng(0), -1, listener);
        assertThat(out.get(0).tokens()).containsExactly(java.util.Arrays.copyOf(free, 3));
        assertThat(out.get(0).finish()).isEqualTo(Generator.Finish.LISTENER);
        assertThat(seen).as("no token is generated after the listener ends it").hasSize(3);
        assertThat(out.get(1).tokens()).as("the rest of the batch runs on").containsExactly(free);
        assertThat(out.get(1).finish()).isEqualTo(Generator.Finish.LENGTH);
    }

    @Test
    void stopsWhenTheContextIsFull() {
        var out = new Generator(model).generate(List.of(new int[60]), 100, Sampler.greedy(), new Rng(0), -1, null).get(0);
        assertThat(out.tokens()).hasSize(64 - 60 + 1);
        assertThat(out.finish()).isEqualTo(Generator.Finish.LENGTH);
    }

    @Test
    void badPromptsAreRefused() {
        var generator = new Generator(model);
        assertThatThrownBy(() -> generator.generate(List.of(new int[0]), 5, Sampler.greedy(), new Rng(0), -1, null))
                .isInstanceOf(CriaException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> generator.generate(List.of(new int[64]), 5, Sampler.greedy(), new Rng(0), -1, null))
                .hasMessageContaining("64 tokens");
    }
}
