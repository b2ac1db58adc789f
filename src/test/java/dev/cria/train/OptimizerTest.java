package dev.cria.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cria.autograd.Tensor;
import dev.cria.util.Rng;
import java.util.LinkedHashMap;
import org.junit.jupiter.api.Test;

class OptimizerTest {
    @Test
    void adamWMatchesTheTorchFormulaOnBothPaths() {
        int n = 37;
        float[] p0 = new float[n], g = new float[n];
        for (int i = 0; i < n; i++) {
            p0[i] = (float) Math.sin(i);
            g[i] = (float) Math.cos(3 * i);
        }
        float lr = 0.01f, b1 = 0.9f, b2 = 0.95f, eps = 1e-8f, wd = 0.1f;
        var params = new LinkedHashMap<String, Tensor>();
        params.put("w", Tensor.parameter(p0.clone(), 1, n));
        var adam = new AdamW(params, b1, b2, eps, wd);
        float[] vectorP = p0.clone(), scalarP = p0.clone();
        float[] mv = new float[n], vv = new float[n], ms = new float[n], vs = new float[n];
        double[] ref = new double[n], m = new double[n], v = new double[n];
        for (int i = 0; i < n; i++) ref[i] = p0[i];
        for (int t = 1; t <= 3; t++) {
            float bc1 = (float) (1 - Math.pow(b1, t)), bc2 = (float) (1 - Math.pow(b2, t));
            adam.updateVector(vectorP, g, 1f, mv, vv, lr, 1 - lr * wd, bc1, bc2, 0, vectorP.length);
            adam.updateScalar(scalarP, g, 1f, ms, vs, lr, 1 - lr * wd, bc1, bc2, 0, scalarP.length);
            for (int i = 0; i < n; i++) {
                ref[i] *= 1 - lr * wd;
                m[i] = b1 * m[i] + (1 - b1) * g[i];
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                ref[i] -= lr * (m[i] / bc1) / (Math.sqrt(v[i] / bc2) + eps);
            }
        }
        for (int i = 0; i < n; i++) {
            assertThat((double) vectorP[i]).isCloseTo(ref[i], org.assertj.core.data.Offset.offset(1e-6));
            assertThat((double) scalarP[i]).isCloseTo(ref[i], org.assertj.core.data.Offset.offset(1e-6));
        }
    }

    @Test
    void aWeightUpdatedInPiecesAcrossThreadsGetsTheBitsOfOnePass() {
        int n = 2 * 65536 + 37; // two whole pieces, and a third ending in a scalar tail
        float[] p0 = new float[n];
        for (int i = 0; i < n; i++) p0[i] = (float) Math.sin(i);
        Tensor w = Tensor.parameter(p0.clone(), 1, n);
        dev.cria.autograd.Ops.sum(dev.cria.autograd.Ops.mul(w, Tensor.of(p0.clone(), 1, n))).backward(); // grad = p0
        var params = new LinkedHashMap<String, Tensor>();
        params.put("model.layers.0.mlp.up_proj.weight", w);
        var adam = new AdamW(params, 0.9f, 0.95f, 1e-8f, 0.1f);
        float lr = 0.01f;
        adam.step(lr);
        float[] onePass = p0.clone(), m = new float[n], v = new float[n];
        adam.updateVector(onePass, p0, 1f, m, v, lr, 1 - lr * 0.1f, 1 - 0.9f, 1 - 0.95f, 0, n);
        assertThat(w.data).containsExactly(onePass);
    }

    @Test
    void anUpdateThatAppliesTheClippingFactorGetsTheBitsOfClippingInPlaceFirst() {
        int n = 65536 + 21; // a whole piece, and one ending in a scalar tail
        Rng rng = new Rng(5);
        float[] p0 = new float[n], g = new float[n];
        for (int i = 0; i < n; i++) {
            p0[i] = (float) rng.nextGaussian();
            g[i] = 3 * (float) rng.nextGaussian();
        }
        Tensor clipped = withGradient(p0, g), fused = withGradient(p0, g);
        var clippedAdam = new AdamW(java.util.Map.of("w.weight", clipped), 0.9f, 0.95f, 1e-8f, 0.1f);
        var fusedAdam = new AdamW(java.util.Map.of("w.weight", fused), 0.9f, 0.95f, 1e-8f, 0.1f);
        for (int step = 0; step < 2; step++) {
            double norm = GradClip.clip(java.util.List.of(clipped), 1.0);
            clippedAdam.step(0.01f);
            float scale = GradClip.scale(GradClip.globalNorm(java.util.List.of(fused)), 1.0);
            assertThat(scale).isLessThan(1f);
            assertThat(GradClip.globalNorm(java.util.List.of(fused))).isEqualTo(norm);
            fusedAdam.step(0.01f, scale);
            assertThat(fused.data).containsExactly(clipped.data);
            System.arraycopy(g, 0, clipped.grad(), 0, n); // unclipped again, as the fused update left its own
        }
        assertThat(GradClip.scale(0.5, 1.0)).isEqualTo(1f);
        assertThat(GradClip.scale(5.0, 0.0)).isEqualTo(1f);
    }

    /** A parameter holding p whose gradient is g. */
    private static Tensor withGradient(float[] p, float[] g) {
        Tensor t = Tensor.parameter(p.clone(), p.length);
        dev.cria.autograd.Ops.sum(dev.cria.autograd.Ops.mul(t, Tensor.of(g.clone(), g.length))).backward();
        return t;
    }

    @Test
    void theGlobalNormOfGradientsSpanningSeveralPiecesIsTheirExactNormToRounding() {
        Rng rng = new Rng(3);
        int[] sizes = {GradClip.PIECE * 2 + 5, 3, GradClip.PIECE - 1};
        var params = new java.util.ArrayList<Tensor>();
        double exact = 0;
        for (int size : sizes) {
            float[] g = new float[size];
            for (int i = 0; i < size; i++) {
                g[i] = (float) rng.nextGaussian();
                exact += (double) g[i] * g[i];
            }
            Tensor t = Tensor.parameter(new float[size], size);
            dev.cria.autograd.Ops.sum(dev.cria.autograd.Ops.mul(t, Tensor.of(g, size))).backward(); // grad = g
            params.add(t);
        }
        assertThat(GradClip.globalNorm(params)).isCloseTo(Math.sqrt(exact), org.assertj.core.data.Percentage.withPercentage(1e-10));
    }

    @Test
    void noWeightDecayOnNormsOrEmbeddings() {
        var params = new LinkedHashMap<String, Tensor>();
        params.put("model.embed_tokens.weight", Tensor.parameter(new float[4], 2, 2));
        params.put("model.norm.weight", Tensor.parameter(new float[2], 2));
        params.put("model.layers.0.mlp.up_proj.weight", Tensor.parameter(new float[4], 2, 2));
        var decay = new AdamW(params, 0.9f, 0.95f, 1e-8f, 0.1f).slots().stream().map(AdamW.Slot::decay).toList();
        assertThat(decay).containsExactly(false, false, true);
    }

    @Test
    void gradientClippingScalesToTheLimit() {
        Tensor a = Tensor.parameter(new float[] {0, 0}, 2), b = Tensor.parameter(new float[] {0}, 1);
        dev.cria.autograd.Ops.sum(dev.cria.autograd.Ops.add(dev.cria.autograd.Ops.scale(dev.cria.autograd.Ops.sum(a), 3f),
                dev.cria.autograd.Ops.scale(dev.cria.autograd.Ops.sum(b), 4f))).backward();
        // grads: a = (3, 3), b = (4): norm sqrt(34)
        double norm = GradClip.clip(java.util.List.of(a, b), 1.0);
        assertThat(norm).isCloseTo(Math.sqrt(34), org.assertj.core.data.Offset.offset(1e-6));
        assertThat(GradClip.globalNorm(java.util.List.of(a, b))).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
    }

    @Test
    void warmupThenCosineDecay() {
        var s = new LrSchedule(1.0, 0.1, 10, 110);
        assertThat(s.at(0)).isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(s.at(9)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(s.at(10)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(s.at(60)).isCloseTo(0.55, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(s.at(110)).isEqualTo(0.1);
        assertThat(s.at(500)).isEqualTo(0.1);
    }
}
