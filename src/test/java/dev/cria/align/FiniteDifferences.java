package dev.cria.align;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cria.autograd.Grad;
import dev.cria.autograd.Tensor;
import java.util.List;
import java.util.function.Function;

/**
 * A central-difference gradient check for the scalar losses of this package: every entry of every
 * input that requires a gradient, analytic against (f(x + h) − f(x − h)) / 2h in float32. The losses
 * here are already scalars, so unlike the autograd package's check there is no random projection.
 */
final class FiniteDifferences {
    private static final float H = 1e-2f, ATOL = 2e-3f, RTOL = 2e-2f;

    private FiniteDifferences() {
    }

    static void check(String name, Function<List<Tensor>, Tensor> loss, List<Tensor> inputs) {
        for (Tensor t : inputs) t.zeroGrad();
        loss.apply(inputs).backward();
        for (int which = 0; which < inputs.size(); which++) {
            Tensor t = inputs.get(which);
            if (!t.requiresGrad()) continue;
            float[] analytic = t.grad() == null ? new float[t.size()] : t.grad().clone();
            for (int i = 0; i < t.size(); i++) {
                float saved = t.data[i];
                double plus, minus;
                try (var _ = Grad.off()) {
                    t.data[i] = saved + H;
                    plus = loss.apply(inputs).item();
                    t.data[i] = saved - H;
                    minus = loss.apply(inputs).item();
                }
                t.data[i] = saved;
                float numeric = (float) ((plus - minus) / (2 * H));
                float tolerance = ATOL + RTOL * Math.max(Math.abs(numeric), Math.abs(analytic[i]));
                assertThat(Math.abs(analytic[i] - numeric))
                        .as("%s: d/d input %d [%d]: analytic %s vs numeric %s", name, which, i, analytic[i], numeric)
                        .isLessThanOrEqualTo(tolerance);
            }
        }
    }
}
