package dev.cria.autograd;

import static dev.cria.autograd.GradCheck.check;
import static dev.cria.autograd.GradCheck.randomParameter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cria.kernels.HalfMatrix;
import dev.cria.kernels.Rope;
import dev.cria.util.Rng;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every op's hand-written backward against central finite differences. */
class GradCheckTest {
    private final Rng rng = new Rng(7);

    @Test
    void linear() {
        check("linear", in -> Nn.linear(in.get(0), in.get(1)),
                List.of(randomParameter(rng, 1, 5, 7), randomParameter(rng, 1, 3, 7)));
    }

    @Test
    void linearWithVectorWidthSizes() {
        check("linear", in -> Nn.linear(in.get(0), in.get(1)),
                List.of(randomParameter(rng, 0.5f, 9, 37), randomParameter(rng, 0.5f, 6, 37)));
    }

    @Test
    void embedding() {
        int[] tokens = {3, 1, 3, 0};
        check("embedding", in -> Nn.embedding(in.get(0), tokens), List.of(randomParameter(rng, 1, 5, 4)));
    }

    @Test
    void rmsNorm() {
        check("rmsNorm", in -> Nn.rmsNorm(in.get(0), in.get(1), 1e-5f),
                List.of(randomParameter(rng, 1, 4, 19), randomParameter(rng, 1, 19)));
    }

    @Test
    void rope() {
        var table = Rope.Table.of(16, 6, 10000f);
        int[] positions = {0, 3, 7, 15};
        check("rope", in -> Nn.rope(in.get(0), positions, 2, table), List.of(randomParameter(rng, 1, 4, 12)));
    }

    @Test
    void bias() {
        check("bias", in -> Nn.bias(in.get(0), in.get(1)), List.of(randomParameter(rng, 1, 4, 7), randomParameter(rng, 1, 7)));
    }

    @Test
    void linearWithBias() {
        check("linear+bias", in -> Nn.bias(Nn.linear(in.get(0), in.get(1)), in.get(2)),
                List.of(randomParameter(rng, 1, 5, 7), randomParameter(rng, 1, 3, 7), randomParameter(rng, 1, 3)));
    }

    @Test
    void headRmsNorm() {
        check("headRmsNorm", in -> Nn.headRmsNorm(in.get(0), in.get(1), 3, 1e-6f),
                List.of(randomParameter(rng, 1, 4, 3 * 10), randomParameter(rng, 1, 10)));
    }

    @Test
    void ropeWithScaledFrequencies() {
        int[] positions = {0, 3, 7, 15};
        for (var scaling : List.of(new Rope.Scaling.Linear(4f), new Rope.Scaling.Llama3(8f, 1f, 4f, 8))) {
            var table = Rope.Table.of(16, 16, 10000f, scaling);
            check("rope " + scaling, in -> Nn.rope(in.get(0), positions, 2, table), List.of(randomParameter(rng, 1, 4, 32)));
        }
    }

    @Test
    void groupedQueryAttention() {
        int B = 2, T = 5, H = 4, KVH = 2, HS = 3;
        check("attention", in -> Nn.attention(in.get(0), in.get(1), in.get(2), B, T, H, KVH),
                List.of(randomParameter(rng, 1, B * T, H * HS), randomParameter(rng, 1, B * T, KVH * HS),
                        randomParameter(rng, 1, B * T, KVH * HS)));
    }

    @Test
    void multiHeadAttentionWithLongHeads() {
        int B = 1, T = 4, H = 2, KVH = 2, HS = 20;
        check("attention", in -> Nn.attention(in.get(0), in.get(1), in.get(2), B, T, H, KVH),
                List.of(randomParameter(rng, 0.5f, B * T, H * HS), randomParameter(rng, 0.5f, B * T, KVH * HS),
                        randomParameter(rng, 0.5f, B * T, KVH * HS)));
    }

    @Test
    void swiGlu() {
        check("swiGlu", in -> Nn.swiGlu(in.get(0), in.get(1)),
                List.of(randomParameter(rng, 2, 3, 21), randomParameter(rng, 1, 3, 21)));
    }

    @Test
    void crossEntropyWithIgnoredTargets() {
        int[] targets = {2, Nn.IGNORE_INDEX, 0, 6};
        check("crossEntropy", in -> Nn.crossEntropy(in.get(0), targets), List.of(randomParameter(rng, 2, 4, 7)));
    }

    @Test
    void crossEntropyMatchesHandComputedValue() {
        Tensor logits = Tensor.parameter(new float[] {0, 0, 1, 0}, 2, 2);
        Tensor loss = Nn.crossEntropy(logits, new int[] {0, Nn.IGNORE_INDEX});
        assertThat(loss.item()).isCloseTo((float) Math.log(2), org.assertj.core.data.Offset.offset(1e-6f));
        loss.backward();
        assertThat(logits.grad()).containsExactly(-0.5f, 0.5f, 0f, 0f);
    }

    @Test
    void fusedLinearCrossEntropy() {
        int[] targets = {2, Nn.IGNORE_INDEX, 0, 6, 3};
        check("linearCrossEntropy", in -> Nn.linearCrossEntropy(in.get(0), in.get(1), targets),
                List.of(randomParameter(rng, 1, 5, 6), randomParameter(rng, 1, 7, 6)));
    }

    @Test
    void fusedLinearCrossEntropyEqualsTheTwoOps() {
        int[] targets = {1, 4, Nn.IGNORE_INDEX, 0};
        Tensor x1 = randomParameter(rng, 1, 4, 20), w1 = randomParameter(rng, 1, 37, 20);
        Tensor x2 = Tensor.parameter(x1.data.clone(), 4, 20), w2 = Tensor.parameter(w1.data.clone(), 37, 20);
        Tensor fused = Nn.linearCrossEntropy(x1, w1, targets), plain = Nn.crossEntropy(Nn.linear(x2, w2), targets);
        assertThat(fused.item()).isCloseTo(plain.item(), org.assertj.core.data.Offset.offset(1e-6f));
        fused.backward();
        plain.backward();
        for (int i = 0; i < x1.size(); i++) assertThat(x1.grad()[i]).isCloseTo(x2.grad()[i], org.assertj.core.data.Offset.offset(1e-6f));
        for (int i = 0; i < w1.size(); i++) assertThat(w1.grad()[i]).isCloseTo(w2.grad()[i], org.assertj.core.data.Offset.offset(1e-6f));
    }

    /** A weight kept frozen in 16 bits: only x takes a gradient, through the widened weight. */
    private Tensor frozen(HalfMatrix.Kind kind, int rows, int cols) {
        return Tensor.frozen(HalfMatrix.round(randomParameter(rng, 0.5f, rows, cols).data, rows, cols, kind));
    }

    @Test
    void linearThroughAFrozen16BitWeight() {
        for (var kind : HalfMatrix.Kind.values()) {
            check("frozen " + kind + " linear", in -> Nn.linear(in.get(0), in.get(1)), List.of(randomParameter(rng, 1, 9, 37), frozen(kind, 6, 37)));
        }
    }

    @Test
    void fusedLinearCrossEntropyThroughAFrozen16BitWeight() {
        int[] targets = {2, Nn.IGNORE_INDEX, 0, 6, 3};
        check("frozen linearCrossEntropy", in -> Nn.linearCrossEntropy(in.get(0), in.get(1), targets),
                List.of(randomParameter(rng, 1, 5, 6), frozen(HalfMatrix.Kind.BF16, 7, 6)));
    }

    @Test
    void frozenWeightsGiveTheProductsOfTheirWidenedValues() {
        Tensor w = frozen(HalfMatrix.Kind.BF16, 11, 20), wide = Tensor.of(w.toFloats(), 11, 20);
        Tensor x = randomParameter(rng, 1, 4, 20);
        assertThat(Nn.linear(x, w).data).containsExactly(Nn.linear(x, wide).data);
        int[] tokens = {3, 10, 0, 3};
        assertThat(Nn.embedding(w, tokens).data).containsExactly(Nn.embedding(wide, tokens).data);
        assertThat(w.requiresGrad()).isFalse();
    }

    @Test
    void logSoftmaxGather() {
        int[] index = {1, 4, 0};
        check("logSoftmaxGather", in -> Nn.logSoftmaxGather(in.get(0), index), List.of(randomParameter(rng, 2, 3, 5)));
    }

    @Test
    void elementwiseBinaryOps() {
        for (var op : List.<java.util.function.BinaryOperator<Tensor>>of(Ops::add, Ops::sub, Ops::mul, Ops::minimum, Ops::maximum)) {
            check("binary", in -> op.apply(in.get(0), in.get(1)),
                    List.of(randomParameter(rng, 1, 2, 5), randomParameter(rng, 1, 2, 5)));
        }
        Tensor positive = randomParameter(rng, 1, 2, 5);
        for (int i = 0; i < positive.size(); i++) positive.data[i] = 1.5f + Math.abs(positive.data[i]);
        check("div", in -> Ops.div(in.get(0), in.get(1)), List.of(randomParameter(rng, 1, 2, 5), positive));
    }

    @Test
    void broadcastScalarOperand() {
        check("broadcast", in -> Ops.mul(in.get(0), in.get(1)), List.of(randomParameter(rng, 1, 6), randomParameter(rng, 1, 1)));
        check("broadcast", in -> Ops.sub(in.get(1), in.get(0)), List.of(randomParameter(rng, 1, 6), randomParameter(rng, 1, 1)));
    }

    @Test
    void elementwiseUnaryOps() {
        check("exp", in -> Ops.exp(in.get(0)), List.of(randomParameter(rng, 1, 8)));
        check("logSigmoid", in -> Ops.logSigmoid(in.get(0)), List.of(randomParameter(rng, 3, 8)));
        check("sigmoid", in -> Ops.sigmoid(in.get(0)), List.of(randomParameter(rng, 3, 8)));
        check("neg", in -> Ops.neg(in.get(0)), List.of(randomParameter(rng, 1, 8)));
        check("scale", in -> Ops.scale(in.get(0), -2.5f), List.of(randomParameter(rng, 1, 8)));
        check("addScalar", in -> Ops.addScalar(in.get(0), 3f), List.of(randomParameter(rng, 1, 8)));
        Tensor positive = randomParameter(rng, 1, 8);
        for (int i = 0; i < positive.size(); i++) positive.data[i] = 0.5f + Math.abs(positive.data[i]);
        check("log", in -> Ops.log(in.get(0)), List.of(positive));
        check("pow", in -> Ops.pow(in.get(0), -0.5f), List.of(positive));
    }

    @Test
    void clampAwayFromItsBounds() {
        Tensor x = Tensor.parameter(new float[] {-2f, -0.5f, 0.1f, 0.7f, 3f}, 5);
        check("clamp", in -> Ops.clamp(in.get(0), -1f, 1f), List.of(x));
        x.zeroGrad();
        Ops.sum(Ops.clamp(x, -1f, 1f)).backward();
        assertThat(x.grad()).containsExactly(0f, 1f, 1f, 1f, 0f);
    }

    @Test
    void gatherRowsAndDropout() {
        check("gatherRows", in -> Nn.gatherRows(in.get(0), new int[] {2, 0, 2}), List.of(randomParameter(rng, 1, 3, 5)));
        check("dropout", in -> Ops.dropout(in.get(0), 0.5, new Rng(3)), List.of(randomParameter(rng, 1, 40)));
        Tensor x = Tensor.parameter(new float[1000], 1000);
        java.util.Arrays.fill(x.data, 1f);
        Tensor y = Ops.dropout(x, 0.25, new Rng(9));
        long zeros = 0;
        double sum = 0;
        for (float v : y.data) {
            if (v == 0) zeros++;
            sum += v;
        }
        assertThat(zeros).isBetween(200L, 300L);
        assertThat(sum / 1000).isCloseTo(1.0, org.assertj.core.data.Offset.offset(0.1));
    }

    @Test
    void where() {
        boolean[] mask = {true, false, true, false};
        check("where", in -> Ops.where(mask, in.get(0), in.get(1)), List.of(randomParameter(rng, 1, 4), randomParameter(rng, 1, 4)));
    }

    @Test
    void reductions() {
        float[] mask = {1, 0, 1, 1, 0, 1};
        check("sum", in -> Ops.sum(in.get(0)), List.of(randomParameter(rng, 1, 6)));
        check("mean", in -> Ops.mean(in.get(0)), List.of(randomParameter(rng, 1, 6)));
        check("maskedSum", in -> Ops.maskedSum(in.get(0), mask), List.of(randomParameter(rng, 1, 6)));
        check("maskedMean", in -> Ops.maskedMean(in.get(0), mask), List.of(randomParameter(rng, 1, 6)));
        check("maskedSumRows", in -> Ops.maskedSumRows(in.get(0), mask), List.of(randomParameter(rng, 1, 2, 3)));
    }

    @Test
    void maskedWhiten() {
        float[] mask = {1, 1, 0, 1, 1, 1, 0};
        check("maskedWhiten", in -> Ops.maskedWhiten(in.get(0), mask, true), List.of(randomParameter(rng, 1, 7)));
        check("maskedWhiten", in -> Ops.maskedWhiten(in.get(0), mask, false), List.of(randomParameter(rng, 1, 7)));
    }

    @Test
    void reshapePassesGradientsThrough() {
        check("reshape", in -> Nn.linear(in.get(0).reshape(3, 4), in.get(1)),
                List.of(randomParameter(rng, 1, 12), randomParameter(rng, 1, 2, 4)));
    }

    @Test
    void intermediateGradientsAreWrittenByTheFirstConsumerAndAddedToByTheRest() {
        // scaled copies are intermediates (not leaves), whose first gradient is written over a pooled array
        // that may hold anything; each feeds several consumers, in the orders a Llama block has them
        int[] positions = {0, 1, 2};
        var table = Rope.Table.of(8, 8, 10000f);
        check("shared intermediates", in -> {
            Tensor h = Ops.scale(in.get(0), 1.5f);
            Tensor q = Nn.rope(Nn.linear(h, in.get(1)), positions, 1, table);
            Tensor gate = Nn.linear(h, in.get(2)), both = Ops.scale(gate, 0.5f);
            Tensor mixed = Ops.add(Nn.swiGlu(gate, both), Nn.swiGlu(both, both));
            return Ops.add(Ops.add(Ops.add(q, h), Ops.add(h, h)), Nn.rope(mixed, positions, 1, table));
        }, List.of(randomParameter(rng, 1, 3, 8), randomParameter(rng, 0.5f, 8, 8), randomParameter(rng, 0.5f, 8, 8)));
    }

    @Test
    void gradientsAccumulateAcrossUses() {
        Tensor x = Tensor.parameter(new float[] {3f}, 1);
        Ops.sum(Ops.mul(x, x)).backward();
        assertThat(x.grad()).containsExactly(6f);
    }

    @Test
    void noGradScopeBuildsNoGraph() {
        Tensor w = randomParameter(rng, 1, 2, 3);
        Tensor out;
        try (var off = Grad.off()) {
            out = Nn.linear(Tensor.of(new float[6], 2, 3), w);
        }
        assertThat(out.requiresGrad()).isFalse();
        assertThat(Grad.isEnabled()).isTrue();
        assertThatThrownBy(() -> Ops.sum(out).backward()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shapeMismatchNamesTheShapes() {
        assertThatThrownBy(() -> Ops.add(Tensor.zeros(2, 3), Tensor.zeros(3, 2)))
                .hasMessageContaining("[2, 3]").hasMessageContaining("[3, 2]");
        assertThatThrownBy(() -> Nn.linear(Tensor.zeros(2, 3), Tensor.zeros(4, 5))).hasMessageContaining("expects 5");
    }
}
