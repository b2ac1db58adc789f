package dev.cria.bench;

import dev.cria.autograd.OpProfile;
import dev.cria.autograd.Tensor;
import dev.cria.model.Llama;
import dev.cria.model.LlamaConfig;
import dev.cria.train.AdamW;
import dev.cria.train.GradClip;
import dev.cria.util.Rng;

/**
 * Times full training steps on random tokens, as the PyTorch peer's {@code bench_train.py} does:
 * forward, cross-entropy, backward, gradient clipping at 1.0 and an AdamW update.
 */
public final class TrainBench {
    public record Result(double msPerStep, double tokensPerSecond, double gflops, int steps) {
    }

    private TrainBench() {
    }

    private static void step(Llama model, AdamW optimizer, java.util.Collection<Tensor> params, int[] inputs, int[] targets,
                             int B, int T) {
        optimizer.zeroGrad();
        OpProfile.lap();
        Tensor loss = model.loss(inputs, targets, B, T);
        loss.backward();
        optimizer.step(1e-3f, GradClip.scale(GradClip.globalNorm(params), 1.0)); // clipped as the trainers clip
    }

    public static Result run(LlamaConfig config, int B, int T, int steps, int warmup) {
        Llama model = Llama.initialize(config, new Rng(0));
        var optimizer = new AdamW(model.parameters(), (float) AdamW.BETA1, (float) AdamW.BETA2, AdamW.EPS, 0.1f);
        var params = model.parameters().values();
        Rng rng = new Rng(1);
        int[] inputs = new int[B * T], targets = new int[B * T];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = rng.nextInt(config.vocab());
            targets[i] = rng.nextInt(config.vocab());
        }
        // subtle: the JIT reaches its final code for the vector kernels at a moment that varies from run to
        // run, so warm up until two consecutive steps agree within 10% (at least `warmup`, at most 30 steps)
        double previous = Double.MAX_VALUE;
        for (int s = 0; s < 30; s++) {
            long t0 = System.nanoTime();
            step(model, optimizer, params, inputs, targets, B, T);
            double took = System.nanoTime() - t0;
            if (s + 1 >= warmup && Math.abs(took - previous) < 0.1 * previous) break;
            previous = took;
        }
        OpProfile.reset();
        long start = System.nanoTime();
        for (int s = 0; s < steps; s++) step(model, optimizer, params, inputs, targets, B, T);
        double seconds = (System.nanoTime() - start) / 1e9 / steps;
        return new Result(seconds * 1e3, B * T / seconds, Flops.trainStep(config, B, T) / seconds / 1e9, steps);
    }
}
