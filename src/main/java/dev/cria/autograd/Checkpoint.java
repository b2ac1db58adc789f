package dev.cria.autograd;

import dev.cria.kernels.Simd;
import dev.cria.tensor.Workspace;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Activation checkpointing: {@code f(x)} with none of f's intermediate results kept. The forward runs
 * with gradients off; the backward runs f again from x with gradients on (the {@code replay}) and
 * back-propagates the output's gradient through that second graph. Memory falls from every activation
 * of f to its input; time rises by one more forward of f. (transformers' {@code gradient_checkpointing}.)
 */
public final class Checkpoint {
    private Checkpoint() {
    }

    /**
     * @param replay     f again, computing exactly what f did (the same dropout masks)
     * @param parameters the tensors inside f that may take gradients (a block's weights and adapters): they
     *                   decide whether the result joins the graph, and gain their gradients during the replay
     */
    public static Tensor of(Tensor x, UnaryOperator<Tensor> f, UnaryOperator<Tensor> replay, List<Tensor> parameters) {
        if (!Grad.isEnabled()) return f.apply(x);
        Tensor out;
        // f's intermediates are dead once it returns: back to the pool with them, not to the collector
        try (var off = Grad.off(); var scratch = Workspace.scratch()) {
            out = f.apply(x);
            scratch.keep(out.data);
        }
        Tensor[] inputs = new Tensor[parameters.size() + 1];
        inputs[0] = x;
        for (int i = 0; i < parameters.size(); i++) inputs[i + 1] = parameters.get(i);
        return Tensor.result(out.data, out.shape(), dout -> {
            Tensor input = x.requiresGrad() ? Tensor.parameter(x.data, x.shape()) : Tensor.of(x.data, x.shape());
            Tensor y = replay.apply(input);
            if (y.requiresGrad()) y.backward(dout);
            if (x.requiresGrad() && input.grad() != null) Simd.axpy(1f, input.grad(), 0, x.gradForUpdate(), 0, x.size());
        }, inputs);
    }
}
