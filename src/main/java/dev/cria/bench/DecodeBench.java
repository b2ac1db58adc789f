package dev.cria.bench;

import dev.cria.generate.Generator;
import dev.cria.generate.Sampler;
import dev.cria.model.Llama;
import dev.cria.model.LlamaConfig;
import dev.cria.util.Rng;
import java.util.ArrayList;
import java.util.List;

/**
 * Times decoding with the KV cache: B prompts of P tokens, N new tokens each with no stop token, prefill
 * included. Random shapes ({@link #run(LlamaConfig, int, int, int, int)}) sample from a random model, as the
 * PyTorch peer's {@code bench_decode.py} does; a real model ({@link #run(Llama, int, int, int, int)}) decodes
 * greedily from the fixed prompt {@link #prompt}, which {@code scripts/llamacpp/llamacpp.mjs} is given too, so
 * llama.cpp does the same work.
 */
public final class DecodeBench {
    /**
     * The best of the timed runs: its whole time, the part until the first new token (prefill and one
     * sample), the new tokens over the whole time, and the tokens after the first over the rest.
     */
    public record Result(double seconds, double prefillSeconds, double tokensPerSecond, double decodeTokensPerSecond, double gflops) {
    }

    private DecodeBench() {
    }

    public static Result run(LlamaConfig config, int B, int P, int N, int repeats) {
        Llama model = Llama.initialize(config, new Rng(0));
        Rng rng = new Rng(1);
        var prompts = new ArrayList<int[]>();
        for (int b = 0; b < B; b++) {
            int[] p = new int[P];
            for (int i = 0; i < P; i++) p[i] = rng.nextInt(config.vocab());
            prompts.add(p);
        }
        return time(model, prompts, N, repeats, new Sampler(1f, 0, 1f), rng);
    }

    /** Greedy decoding of a loaded model, each of the B sequences from {@link #prompt}. */
    public static Result run(Llama model, int B, int P, int N, int repeats) {
        int[] p = prompt(P, model.config().vocab());
        var prompts = new ArrayList<int[]>();
        for (int b = 0; b < B; b++) prompts.add(p);
        return time(model, prompts, N, repeats, Sampler.greedy(), new Rng(1));
    }

    /**
     * The benchmark prompt of P tokens for a vocabulary of V: token i is 1 + (7919·i mod (V − 1)), spread over
     * the vocabulary and never 0 (often padding or unknown). The node script computes the same list.
     */
    public static int[] prompt(int P, int V) {
        int[] p = new int[P];
        for (int i = 0; i < P; i++) p[i] = 1 + (int) ((7919L * i) % (V - 1));
        return p;
    }

    private static Result time(Llama model, List<int[]> prompts, int N, int repeats, Sampler sampler, Rng rng) {
        LlamaConfig config = model.config();
        int B = prompts.size(), P = prompts.getFirst().length;
        var generator = new Generator(model);
        long[] firstToken = new long[1];
        Generator.Listener listener = (sequence, token) -> {
            if (firstToken[0] == 0) firstToken[0] = System.nanoTime();
        };
        generator.generate(prompts, N, sampler, rng, -1, null);
        double best = Double.MAX_VALUE, bestPrefill = 0;
        for (int r = 0; r < repeats; r++) {
            firstToken[0] = 0;
            long t0 = System.nanoTime();
            generator.generate(prompts, N, sampler, rng, -1, listener);
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (seconds < best) {
                best = seconds;
                bestPrefill = (firstToken[0] - t0) / 1e9;
            }
        }
        double decodeRate = N > 1 ? B * (double) (N - 1) / (best - bestPrefill) : 0;
        return new Result(best, bestPrefill, B * (double) N / best, decodeRate, Flops.decode(config, B, P, N) / best / 1e9);
    }
}
