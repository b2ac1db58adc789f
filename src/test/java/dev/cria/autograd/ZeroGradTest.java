package dev.cria.autograd;

import static dev.cria.autograd.GradCheck.randomParameter;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cria.util.Rng;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * {@link Tensor#zeroGrad} on a parameter only marks its gradient: the next backward's first writer
 * overwrites it, later writers add to it, and a reader before any writer sees zeros. Each case is pinned
 * to the gradients of the same graph on fresh parameters, bit for bit.
 */
class ZeroGradTest {
    private final Rng rng = new Rng(11);

    @Test
    void theFirstWriterAfterZeroGradOverwritesTheOldGradient() {
        // a product large enough for the packed kernels: 70 rows, 300 outputs, 37 inputs
        Tensor x = randomParameter(rng, 1, 70, 37), w = randomParameter(rng, 1, 300, 37);
        Supplier<Tensor> loss = () -> Ops.sum(Ops.mul(Nn.linear(x, w), Nn.linear(x, w)));
        loss.get().backward();
        float[] once = w.grad().clone(), onceX = x.grad().clone();
        loss.get().backward();
        assertThat(w.grad()).as("without zeroGrad, gradients add up").isNotEqualTo(once);

        w.zeroGrad();
        x.zeroGrad();
        loss.get().backward();
        assertThat(w.grad()).as("w used twice: overwritten, then added to").containsExactly(once);
        assertThat(x.grad()).containsExactly(onceX);
    }

    @Test
    void theLanguageModelHeadOverwritesItsWeightGradient() {
        Tensor x = randomParameter(rng, 1, 40, 24), w = randomParameter(rng, 1, 97, 24);
        int[] targets = new int[40];
        for (int i = 0; i < targets.length; i++) targets[i] = i * 7 % 97;
        Nn.linearCrossEntropy(x, w, targets).backward();
        float[] once = w.grad().clone();
        w.zeroGrad();
        Nn.linearCrossEntropy(x, w, targets).backward();
        assertThat(w.grad()).containsExactly(once);
    }

    @Test
    void aGradientNobodyWritesAfterZeroGradReadsAsZeros() {
        Tensor used = randomParameter(rng, 1, 4, 5), unused = randomParameter(rng, 1, 5);
        Ops.sum(Ops.add(Nn.rmsNorm(used, unused, 1e-5f), used)).backward();
        assertThat(unused.grad()).isNotEqualTo(new float[5]);

        unused.zeroGrad();
        used.zeroGrad();
        Ops.sum(Ops.mul(used, used)).backward();
        assertThat(unused.grad()).containsExactly(new float[5]);
        float[] expected = new float[used.size()];
        for (int i = 0; i < expected.length; i++) expected[i] = 2 * used.data[i];
        assertThat(used.grad()).containsExactly(expected);
    }

    @Test
    void aGradientAddedToAfterZeroGradStartsFromZeros() {
        // the norm's weight gradient is accumulated (not overwritten) by its backward
        Tensor x = randomParameter(rng, 1, 6, 19), w = randomParameter(rng, 1, 19);
        Supplier<Tensor> loss = () -> Ops.sum(Ops.mul(Nn.rmsNorm(x, w, 1e-5f), x));
        loss.get().backward();
        float[] once = w.grad().clone();
        w.zeroGrad();
        loss.get().backward();
        assertThat(w.grad()).containsExactly(once);
    }
}
