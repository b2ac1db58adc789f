package dev.cria.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cria.backend.Backends;
import dev.cria.bench.DecodeBench;
import dev.cria.bench.GemmProbe;
import dev.cria.bench.TrainBench;
import dev.cria.checkpoint.ModelDirectory;
import dev.cria.checkpoint.gguf.GgufModel;
import dev.cria.checkpoint.gguf.GgufReader;
import dev.cria.kernels.QuantMatrix;
import dev.cria.model.Llama;
import dev.cria.model.LlamaConfig;
import dev.cria.tensor.Parallel;
import dev.cria.util.CriaException;
import dev.cria.util.Memory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cria bench}: GEMM, training-step and decoding throughput, with the share of the machine's peak. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure Cria's speed: GEMM GFLOP/s, training steps, batched decoding.",
                "Each also runs a 1024³ GEMM probe on the same backend and precision (--backend, --precision) and reports the share of that peak.",
                "Compare with the PyTorch peer in one sitting: scripts/side-by-side.sh."},
        subcommands = {BenchCommand.GemmBench.class, BenchCommand.Train.class, BenchCommand.Decode.class})
final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Flags every bench shares. */
    static final class Common {
        @Option(names = "--json", description = "Print one JSON object instead of text.")
        boolean json;

        @Option(names = "--no-probe", description = "Skip the peak GEMM probe.")
        boolean noProbe;

        @Option(names = "--threads", description = "Threads (default: the machine's cores, or -Dcria.threads).")
        Integer threads;

        /**
         * Sets the thread count for this run, if --threads was given. subtle: {@link Parallel} reads it once,
         * when first used, so this must come before any kernel runs; a second command in the same JVM (a test)
         * with another count is refused.
         */
        void applyThreads() {
            if (threads == null) return;
            Flags.positive("--threads", threads);
            String before = System.getProperty("cria.threads");
            System.setProperty("cria.threads", Integer.toString(threads));
            if (Parallel.threads() != threads) {
                if (before == null) System.clearProperty("cria.threads");
                else System.setProperty("cria.threads", before);
                throw new CriaException("--threads " + threads + ": this JVM already runs " + Parallel.threads() + " threads; start a new one");
            }
        }

        void report(String what, Map<String, Object> fields, double gflops) throws Exception {
            if (!noProbe) {
                double peak = GemmProbe.peakGflops();
                fields.put("peak_gflops", round(peak));
                fields.put("share_of_peak", round(gflops / peak));
            }
            fields.put("backend", Backends.current().label());
            fields.put("threads", Parallel.threads());
            fields.put("peak_rss_mib", round(Memory.peakResidentBytes() / (1024.0 * 1024.0)));
            if (json) {
                System.out.println(new ObjectMapper().writeValueAsString(fields));
                return;
            }
            var line = new StringBuilder(what);
            fields.forEach((k, v) -> line.append("  ").append(k).append('=').append(v));
            System.out.println(line);
        }

        static double round(double x) {
            return Math.round(x * 1000) / 1000.0;
        }
    }

    /** Model-shape flags of the train and decode benches (tiny preset by default). */
    static final class Shape {
        @Option(names = "--dim", defaultValue = "64", description = "Model width (hidden size). Default: ${DEFAULT-VALUE}.") int dim;
        @Option(names = "--layers", defaultValue = "5", description = "Decoder layers. Default: ${DEFAULT-VALUE}.") int layers;
        @Option(names = "--heads", defaultValue = "8", description = "Attention heads. Default: ${DEFAULT-VALUE}.") int heads;
        @Option(names = "--kv-heads", defaultValue = "4", description = "Key/value heads (grouped-query attention). Default: ${DEFAULT-VALUE}.") int kvHeads;
        @Option(names = "--hidden", defaultValue = "172", description = "SwiGLU hidden size. Default: ${DEFAULT-VALUE}.") int hidden;
        @Option(names = "--vocab", defaultValue = "512", description = "Vocabulary size. Default: ${DEFAULT-VALUE}.") int vocab;

        LlamaConfig config(int maxSeqLen, boolean tied) {
            return new LlamaConfig(dim, layers, heads, kvHeads, hidden, vocab, maxSeqLen, 1e-5f, 10000f, tied);
        }

        void describe(Map<String, Object> f) {
            f.put("dim", dim);
            f.put("layers", layers);
            f.put("heads", heads);
            f.put("kv_heads", kvHeads);
            f.put("hidden", hidden);
            f.put("vocab", vocab);
        }
    }

    @Command(name = "gemm", mixinStandardHelpOptions = true, description = "GFLOP/s of C(M,N) = A(M,K)·B(K,N).")
    static final class GemmBench implements Callable<Integer> {
        @Option(names = "--m", defaultValue = "1024", description = "Rows of A and C. Default: ${DEFAULT-VALUE}.") int m;
        @Option(names = "--n", defaultValue = "2048", description = "Columns of B and C. Default: ${DEFAULT-VALUE}.") int n;
        @Option(names = "--k", defaultValue = "2048", description = "Columns of A, rows of B. Default: ${DEFAULT-VALUE}.") int k;
        @Option(names = "--seconds", defaultValue = "3", description = "How long to repeat. Default: ${DEFAULT-VALUE}.") double seconds;
        @Option(names = "--layout", defaultValue = "abt", converter = LayoutConverter.class,
                description = "Which training product: abt (forward x·Wᵀ), ab (input gradient dY·W) or atb (weight gradient dYᵀ·X, accumulated). Default: ${DEFAULT-VALUE}.")
        GemmProbe.Layout layout;
        @Mixin PrecisionOptions precision;
        @Option(names = "--weights", defaultValue = "f32",
                description = "B's storage: f32; bf16 or f16, a frozen 16-bit weight; q8_0 or q4_0, a block-quantized one (frozen weights: layouts abt and ab, widened as they are read). Default: ${DEFAULT-VALUE}.")
        String weights;
        @Mixin Common common;

        @Override
        public Integer call() throws Exception {
            common.applyThreads();
            Flags.positive("--m", m);
            Flags.positive("--n", n);
            Flags.positive("--k", k);
            Flags.positive("--seconds", seconds);
            precision.apply();
            var storage = GemmProbe.Weights.named(weights);
            if (storage == null) throw new CriaException("--weights must be f32, bf16, f16, q8_0 or q4_0: " + weights);
            var r = GemmProbe.run(layout, m, n, k, seconds, storage);
            var f = new LinkedHashMap<String, Object>();
            f.put("bench", "gemm");
            f.put("layout", layout.name().toLowerCase(java.util.Locale.ROOT));
            f.put("weights", weights);
            f.put("m", m);
            f.put("n", n);
            f.put("k", k);
            f.put("gflops", Common.round(r.bestGflops()));
            f.put("median_gflops", Common.round(r.medianGflops()));
            f.put("repetitions", r.repetitions());
            f.put("weight_gb_per_sec", Common.round(r.weightGbPerSecond()));
            common.report("gemm", f, r.bestGflops());
            return 0;
        }
    }

    static final class LayoutConverter implements picocli.CommandLine.ITypeConverter<GemmProbe.Layout> {
        @Override
        public GemmProbe.Layout convert(String value) {
            try {
                return GemmProbe.Layout.valueOf(value.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not a layout; use abt, ab or atb");
            }
        }
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Full AdamW training steps on random tokens: ms/step and tokens/s (untied embeddings, as the PyTorch peer).")
    static final class Train implements Callable<Integer> {
        @Mixin Shape shape;
        @Option(names = "--seq-len", defaultValue = "512", description = "Tokens per sequence. Default: ${DEFAULT-VALUE}.") int seqLen;
        @Option(names = "--batch", defaultValue = "8", description = "Sequences per step. Default: ${DEFAULT-VALUE}.") int batch;
        @Option(names = "--steps", defaultValue = "5", description = "Timed steps, after warm-up steps until two agree within 10%%. Default: ${DEFAULT-VALUE}.") int steps;
        @Option(names = "--tied", description = "Tie the LM head to the embeddings.") boolean tied;
        @Option(names = "--profile", description = "Also print the time of each op, forward and backward (slows the step a little).") boolean profile;
        @Mixin PrecisionOptions precision;
        @Mixin Common common;

        @Override
        public Integer call() throws Exception {
            common.applyThreads();
            Flags.positive("--seq-len", seqLen);
            Flags.positive("--batch", batch);
            Flags.positive("--steps", steps);
            precision.apply();
            if (profile) dev.cria.autograd.OpProfile.enable();
            var r = TrainBench.run(shape.config(seqLen, tied), batch, seqLen, steps, 2);
            if (profile) dev.cria.autograd.OpProfile.report(steps).forEach(System.err::println);
            var f = new LinkedHashMap<String, Object>();
            f.put("bench", "train");
            shape.describe(f);
            f.put("seq_len", seqLen);
            f.put("batch", batch);
            f.put("ms_per_step", Common.round(r.msPerStep()));
            f.put("tokens_per_sec", Math.round(r.tokensPerSecond()));
            f.put("gflops", Common.round(r.gflops()));
            common.report("train", f, r.gflops());
            return 0;
        }
    }

    @Command(name = "decode", mixinStandardHelpOptions = true,
            description = {"Decoding with the KV cache: generated tokens/s over the batch, prefill included.",
                    "Random weights of the shape flags by default (sampling, batch 32); with --model or --gguf, that model decodes greedily "
                            + "(batch 1) from a fixed prompt, as scripts/decode-side-by-side.sh has llama.cpp do."})
    static final class Decode implements Callable<Integer> {
        @Mixin Shape shape;
        @Option(names = "--model", paramLabel = "DIR", description = "Time this model directory instead of random weights (its 16-bit matrices stay 16-bit).")
        java.nio.file.Path model;
        @Option(names = "--gguf", paramLabel = "FILE", description = "Time this GGUF file instead (its F16, BF16, Q8_0 and Q4_0 matrices are read in place).")
        java.nio.file.Path gguf;
        @Mixin QuantizeOptions quantize;
        @Option(names = "--batch", description = "Sequences decoded together. Default: 32, or 1 with --model or --gguf.") Integer batch;
        @Option(names = "--prompt-len", defaultValue = "16", description = "Prompt tokens per sequence. Default: ${DEFAULT-VALUE}.") int promptLen;
        @Option(names = {"--tokens", "--new-tokens"}, defaultValue = "128", description = "New tokens per sequence (no early stop). Default: ${DEFAULT-VALUE}.") int newTokens;
        @Option(names = "--repeats", defaultValue = "2", description = "Timed runs (the best is reported), after one warm-up. Default: ${DEFAULT-VALUE}.") int repeats;
        @Option(names = "--weights", defaultValue = "f32",
                description = "Random shapes: how the weight matrices are stored: f32; bf16 or f16 (frozen, 16 bits); q8_0 or q4_0 (block-quantized as --quantize loads them: under q4_0 the embedding and LM head take q8_0). Default: ${DEFAULT-VALUE}.")
        String weights;
        @Option(names = "--untied", description = "Random shapes: a separate LM head, as TinyLlama has (default: tied to the embedding).") boolean untied;
        @Mixin Common common;

        @Override
        public Integer call() throws Exception {
            common.applyThreads();
            boolean real = model != null || gguf != null;
            if (model != null && gguf != null) throw new CriaException("give --model or --gguf, not both");
            if (gguf != null && quantize.quantize != null) throw new CriaException("--quantize is for --model; a GGUF file runs as its stored types");
            if (gguf != null && !GgufModel.isGguf(gguf)) throw new CriaException("--gguf " + gguf + ": not a .gguf file");
            if (!real && quantize.quantize != null) throw new CriaException("--quantize needs --model; random shapes take --weights");
            if (real && (!weights.equals("f32") || untied)) throw new CriaException("--weights and --untied are for random shapes; a model runs as stored (or --quantize)");
            int B = batch != null ? batch : real ? 1 : 32;
            Flags.positive("--batch", B);
            Flags.positive("--prompt-len", promptLen);
            Flags.positive("--tokens", newTokens);
            Flags.positive("--repeats", repeats);
            var f = new LinkedHashMap<String, Object>();
            f.put("bench", "decode");
            DecodeBench.Result r;
            if (real) {
                Llama loaded;
                if (model != null) {
                    QuantMatrix.Kind kind = quantize.kind();
                    loaded = ModelDirectory.loadModel(ModelDirectory.resolve(model), true, kind);
                    f.put("model", model.toString());
                    f.put("weights", kind == null ? ModelDirectory.formatOf(loaded).dtype().name().toLowerCase(java.util.Locale.ROOT)
                            : kind.name().toLowerCase(java.util.Locale.ROOT));
                } else {
                    loaded = GgufModel.load(gguf).model();
                    f.put("gguf", gguf.toString());
                    f.put("weights", matrixType(gguf));
                }
                int context = loaded.config().maxSeqLen();
                if (promptLen + newTokens > context) {
                    throw new CriaException("--prompt-len " + promptLen + " + --tokens " + newTokens + " exceeds the model's context of " + context);
                }
                r = DecodeBench.run(loaded, B, promptLen, newTokens, repeats);
            } else {
                var storage = GemmProbe.Weights.named(weights);
                if (storage == null) throw new CriaException("--weights must be f32, bf16, f16, q8_0 or q4_0: " + weights);
                shape.describe(f);
                f.put("weights", weights);
                f.put("tied", !untied);
                r = DecodeBench.run(shape.config(promptLen + newTokens, !untied), B, promptLen, newTokens, repeats, storage);
            }
            f.put("batch", B);
            f.put("prompt_len", promptLen);
            f.put("new_tokens", newTokens);
            f.put("seconds", Common.round(r.seconds()));
            f.put("prefill_seconds", Common.round(r.prefillSeconds()));
            f.put("tokens_per_sec", Common.round(r.tokensPerSecond()));
            f.put("decode_tokens_per_sec", Common.round(r.decodeTokensPerSecond()));
            f.put("gflops", Common.round(r.gflops()));
            f.put("weight_mib_per_step", Common.round(r.weightBytes() / 1048576.0));
            f.put("weight_gb_per_sec", Common.round(r.weightGbPerSecond()));
            common.report("decode", f, r.gflops());
            return 0;
        }
    }

    /** The stored type of a GGUF file's first layer's query matrix, e.g. q8_0: what the decoding mostly reads. */
    private static String matrixType(java.nio.file.Path file) {
        return GgufReader.open(file).tensors().stream().filter(t -> t.name().equals("blk.0.attn_q.weight")).findFirst()
                .map(t -> t.type().name().toLowerCase(java.util.Locale.ROOT)).orElse("unknown");
    }
}
