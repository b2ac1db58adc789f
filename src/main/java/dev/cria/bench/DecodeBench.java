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
import java.util.Map;

/**
 * Times batched sampling with the KV cache, as the PyTorch peer's {@code bench_decode.py} does: B random
 * prompts of P tokens, N new tokens each by pure sampling (no stop token), prefill included. The weight
 * matrices can be frozen in 16 bits or block-quantized, as {@code --weights} or {@code --quantize} would
 * load them, to time decoding from narrower weights.
 */
public final class DecodeBench {
    /**
     * Best time, generated tokens/s, GFLOP/s, and the weight bytes one decoding step reads (every matrix
     * but an untied embedding, of which a step reads B rows) per second of decoding steps.
     */
    public record Result(double seconds, double tokensPerSecond, double gflops, long weightBytes, double weightGbPerSecond) {
    }

    private DecodeBench() {
    }

    public static Result run(LlamaConfig config, int B, int P, int N, int repeats) {
        return run(config, B, P, N, repeats, GemmProbe.Weights.F32);
    }

    public static Result run(LlamaConfig config, int B, int P, int N, int repeats, GemmProbe.Weights weights) {
        Llama model = stored(Llama.initialize(config, new Rng(0)), weights);
        long weightBytes = weightBytesPerStep(model);
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
        return new Result(best, B * (double) N / best, Flops.decode(config, B, P, N) / best / 1e9, weightBytes,
                (double) N * weightBytes / best / 1e9);
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
