package dev.cria.bench;

import dev.cria.generate.Generator;
import dev.cria.generate.Sampler;
import dev.cria.model.Llama;
import dev.cria.model.LlamaConfig;
import dev.cria.util.Rng;
import java.util.ArrayList;

/**
 * Times batched sampling with the KV cache, as the PyTorch peer's {@code bench_decode.py} does: B random
 * prompts of P tokens, N new tokens each by pure sampling (no stop token), prefill included.
 */
public final class DecodeBench {
    public record Result(double seconds, double tokensPerSecond, double gflops) {
    }

    private DecodeBench() {
    }

    public static Result run(LlamaConfig config, int B, int P, int N, int repeats) {
        Llama model = Llama.initialize(config, new Rng(0));
        var generator = new Generator(model);
        Rng rng = new Rng(1);
        var prompts = new ArrayList<int[]>();
        for (int b = 0; b < B; b++) {
            int[] p = new int[P];
            for (int i = 0; i < P; i++) p[i] = rng.nextInt(config.vocab());
            prompts.add(p);
        }
        var sampler = new Sampler(1f, 0, 1f);
        generator.generate(prompts, N, sampler, rng, -1, null);
        double best = Double.MAX_VALUE;
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            generator.generate(prompts, N, sampler, rng, -1, null);
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        return new Result(best, B * (double) N / best, Flops.decode(config, B, P, N) / best / 1e9);
    }
}
