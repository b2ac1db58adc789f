package dev.cria.bench;

import dev.cria.autograd.Tensor;
import dev.cria.generate.Generator;
import dev.cria.generate.Sampler;
import dev.cria.kernels.QuantMatrix;
import dev.cria.model.HfNames;
import dev.cria.model.Llama;
import dev.cria.model.LlamaConfig;
import dev.cria.util.Rng;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Times decoding with the KV cache: B prompts of P tokens, N new tokens each with no stop token, prefill
 * included. Random shapes ({@link #run(LlamaConfig, int, int, int, int, GemmProbe.Weights)}) sample from a random
 * model, as the PyTorch peer's {@code bench_decode.py} does; their weight matrices can be frozen in 16 bits or
 * block-quantized, as {@code --weights} or {@code --quantize} would load them. A real model
 * ({@link #run(Llama, int, int, int, int)}) decodes greedily from the fixed prompt {@link #prompt}, which
 * {@code scripts/llamacpp/llamacpp.mjs} is given too, so llama.cpp does the same work.
 */
public final class DecodeBench {
    /**
     * The best of the timed runs: its whole time, the part until the first new token (prefill and one
     * sample), the new tokens over the whole time, the tokens after the first over the rest, GFLOP/s, and
     * the weight bytes one decoding step reads (every matrix but an untied embedding, of which a step reads B
     * rows) per second of the whole run.
     */
    public record Result(double seconds, double prefillSeconds, double tokensPerSecond, double decodeTokensPerSecond, double gflops,
                         long weightBytes, double weightGbPerSecond) {
    }

    private DecodeBench() {
    }

    public static Result run(LlamaConfig config, int B, int P, int N, int repeats) {
        return run(config, B, P, N, repeats, GemmProbe.Weights.F32);
    }

    public static Result run(LlamaConfig config, int B, int P, int N, int repeats, GemmProbe.Weights weights) {
        Llama model = stored(Llama.initialize(config, new Rng(0)), weights);
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
        long weightBytes = weightBytesPerStep(model);
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
        return new Result(best, bestPrefill, B * (double) N / best, decodeRate, Flops.decode(config, B, P, N) / best / 1e9,
                weightBytes, (double) N * weightBytes / best / 1e9);
    }

    /**
     * The model with its weight matrices (embedding, projections, LM head) stored as {@code weights}: the
     * matrices a checkpoint loaded with {@code --quantize} would quantize, in the layout it would give them
     * (under Q4_0 the embedding and head take Q8_0), or all of them in 16 bits.
     */
    static Llama stored(Llama model, GemmProbe.Weights weights) {
        if (weights == GemmProbe.Weights.F32) return model;
        var floats = new HashMap<String, float[]>();
        var frozen = new HashMap<String, dev.cria.kernels.FrozenMatrix>();
        var shapes = new HashMap<String, int[]>();
        for (Map.Entry<String, Tensor> e : model.parameters().entrySet()) {
            String name = e.getKey();
            Tensor t = e.getValue();
            shapes.put(name, t.shape());
            QuantMatrix.Kind layout = HfNames.quantizeAs(name, weights == GemmProbe.Weights.Q4_0 ? QuantMatrix.Kind.Q4_0 : QuantMatrix.Kind.Q8_0);
            boolean matrix = layout != null && t.rank() == 2 && QuantMatrix.quantizable(t.dim(1));
            if (!matrix) {
                floats.put(name, t.data);
                continue;
            }
            GemmProbe.Weights as = layout == QuantMatrix.Kind.Q8_0 && weights == GemmProbe.Weights.Q4_0 ? GemmProbe.Weights.Q8_0 : weights;
            frozen.put(name, as.freeze(t.data, t.dim(0), t.dim(1)));
        }
        return HfNames.load(model.config(), floats, frozen, shapes, "the decode bench's random model");
    }

    /** Bytes of the matrices one decoding step reads whole: all but an untied embedding. */
    static long weightBytesPerStep(Llama model) {
        long bytes = 0;
        var seen = new java.util.IdentityHashMap<Tensor, Boolean>();
        Map<String, Tensor> params = new LinkedHashMap<>(model.parameters());
        if (!model.config().tieEmbeddings()) params.remove("model.embed_tokens.weight");
        for (Tensor t : params.values()) {
            if (seen.put(t, true) != null) continue;
            bytes += t.frozenMatrix() != null ? t.frozenMatrix().byteSize() : 4L * t.size();
        }
        return bytes;
    }
}
