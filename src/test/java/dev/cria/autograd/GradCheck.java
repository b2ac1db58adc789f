package dev.cria.autograd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cria.util.Rng;
import java.util.List;
import java.util.function.Function;

/**
 * Finite-difference gradient check: compares every analytic gradient entry with a central difference
 * of a scalar projection {@code Σ f(inputs) · R} (R fixed random), in float32. Shared by the tests of
 * every package whose ops have hand-written backwards.
 */
public final class GradCheck {
    private GradCheck() {
    }

    public static Tensor randomParameter(Rng rng, float scale, int... shape) {
        float[] data = new float[Tensor.sizeOf(shape)];
        for (int i = 0; i < data.length; i++) data[i] = (float) rng.nextGaussian() * scale;
        return Tensor.parameter(data, shape);
    }

    public static void check(String name, Function<List<Tensor>, Tensor> f, List<Tensor> inputs) {
        check(name, f, inputs, 1e-2f, 3e-3f, 3e-2f);
    }

    public static void check(String name, Function<List<Tensor>, Tensor> f, List<Tensor> inputs, float eps, float atol, float rtol) {
        Tensor probe = f.apply(inputs);
        Rng rng = new Rng(12345);
        float[] weights = new float[probe.size()];
        for (int i = 0; i < weights.length; i++) weights[i] = (float) rng.nextGaussian();
        Function<List<Tensor>, Tensor> scalar = in -> {
            Tensor out = f.apply(in);
            return out.size() == 1 ? Ops.scale(out, weights[0]) : Ops.sum(Ops.mul(out, Tensor.of(weights, out.shape())));
        };
        for (Tensor t : inputs) t.zeroGrad();
        scalar.apply(inputs).backward();
        for (int which = 0; which < inputs.size(); which++) {
            Tensor t = inputs.get(which);
            if (!t.requiresGrad()) continue;
            float[] analytic = t.grad() == null ? new float[t.size()] : t.grad().clone();
            for (int i = 0; i < t.size(); i++) {
                float saved = t.data[i];
                double plus, minus;
                try (var off = Grad.off()) {
                    t.data[i] = saved + eps;
                    plus = scalar.apply(inputs).item();
                    t.data[i] = saved - eps;
                    minus = scalar.apply(inputs).item();
                }
                t.data[i] = saved;
                float numeric = (float) ((plus - minus) / (2 * eps));
                float tolerance = atol + rtol * Math.max(Math.abs(numeric), Math.abs(analytic[i]));
                assertThat(Math.abs(analytic[i] - numeric))
                        .as("%s: d/d input %d [%d]: analytic %s vs numeric %s", name, which, i, analytic[i], numeric)
                        .isLessThanOrEqualTo(tolerance);
            }
        }
    }
}
