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

    public static Result run(LlamaConfig config, int B, int T, int steps, int warmup) {
        Llama model = Llama.initialize(config, new Rng(0));
        var optimizer = new AdamW(model.parameters(), 0.9f, 0.95f, 1e-8f, 0.1f);
        var params = model.parameters().values();
        Rng rng = new Rng(1);
        int[] inputs = new int[B * T], targets = new int[B * T];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = rng.nextInt(config.vocab());
            targets[i] = rng.nextInt(config.vocab());
        }
        long start = 0;
        for (int s = 0; s < warmup + steps; s++) {
            if (s == warmup) {
                start = System.nanoTime();
                OpProfile.reset();
            }
            optimizer.zeroGrad();
            OpProfile.lap();
            Tensor loss = model.loss(inputs, targets, B, T);
            loss.backward();
            GradClip.clip(params, 1.0);
            optimizer.step(1e-3f);
        }
        double seconds = (System.nanoTime() - start) / 1e9 / steps;
        return new Result(seconds * 1e3, B * T / seconds, Flops.trainStep(config, B, T) / seconds / 1e9, steps);
    }
}
