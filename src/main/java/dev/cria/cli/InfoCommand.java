package dev.cria.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cria.checkpoint.MemoryEstimate;
import dev.cria.checkpoint.ModelInfo;
import dev.cria.util.CriaException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cria info}: what a model directory holds and the memory it needs, without loading its weights. */
@Command(name = "info", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Describe a model directory: family, parameters, dtype, context length, tokenizer, chat template,",
                "and the memory Cria needs to run and fine-tune it. Running a model and LoRA keep the weights as the file stores",
                "them (w = 2 bytes each for BF16 and F16, else 4); full fine-tuning holds every tensor in float32.",
                "With P parameters, L layers, C hidden size, KV = kv heads × head dim, F intermediate size, H heads, V vocab,",
                "B sequences of T tokens and LoRA rank r, in bytes:",
                "  KV cache      = 2 × L × B × T × KV × 4",
                "  activations   = 4 × B × T × (L × (7C + 2KV + 3F + H×T) + 2V)   (an estimate)",
                "  adapters A    = L × r × (9C + 2KV + 3F)   (all seven projections)",
                "  inference     = wP + KV cache",
                "  LoRA          = wP + 16A (adapter weights, gradients, AdamW's two moments) + activations",
                "  full training = 16P (weights, gradients, AdamW's two moments) + activations"})
final class InfoCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Model or run directory.")
    Path model;

    @Option(names = "--batch", defaultValue = "1", description = "Sequences at once (B) in the estimates. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--seq-len", description = "Tokens per sequence (T) in the estimates. Default: the context length.")
    Integer seqLen;

    @Option(names = "--lora-rank", defaultValue = "8", description = "LoRA rank (r) in the estimate. Default: ${DEFAULT-VALUE}.")
    int rank;

    @Option(names = "--json", description = "Print one JSON object (sizes in bytes) instead of text.")
    boolean json;

    @Override
    public Integer call() {
        Flags.positive("--batch", batch);
        Flags.positive("--lora-rank", rank);
        if (seqLen != null) Flags.positive("--seq-len", seqLen);
        ModelInfo info = ModelInfo.read(model);
        int T = seqLen != null ? seqLen : info.config().maxSeqLen();
        if (T > info.config().maxSeqLen()) {
            throw new CriaException("--seq-len must be at most the model's context of " + info.config().maxSeqLen() + ": " + T);
        }
        MemoryEstimate memory = MemoryEstimate.of(info.config(), info.dtype(), batch, T, rank);
        System.out.print(json ? json(info, memory, T) : text(info, memory, T));
        System.out.flush();
        return 0;
    }

    private String text(ModelInfo info, MemoryEstimate m, int T) {
        var c = info.config();
        return String.format(Locale.ROOT, """
                model:            %s
                family:           %s
                parameters:       %,d
                dtype:            %s
                context length:   %,d tokens
                tokenizer:        %s, %,d tokens
                chat template:    %s
                memory (weights run as stored, trained in float32; B=%d, T=%d, LoRA rank %d; formulas in --help):
                  inference         %s  (weights %s + KV cache %s)
                  LoRA fine-tuning  %s  (%,d adapter parameters; activations %s)
                  full fine-tuning  %s
                """, info.dir(), info.family(), c.parameterCount(), info.dtype(), c.maxSeqLen(), info.tokenizerKind(),
                info.tokenizerVocab(), info.chatTemplate() ? "yes" : "no", batch, T, rank, size(m.inference()),
                size(m.weights()), size(m.kvCache()), size(m.lora()), m.adapterParameters(), size(m.activations()),
                size(m.full()));
    }

    private String json(ModelInfo info, MemoryEstimate m, int T) {
        var mapper = new ObjectMapper();
        var root = mapper.createObjectNode();
        var c = info.config();
        root.put("model", info.dir().toString());
        root.put("family", info.family());
        root.put("parameters", c.parameterCount());
        root.put("dtype", info.dtype().name());
        root.put("context_length", c.maxSeqLen());
        root.put("tokenizer", info.tokenizerKind());
        root.put("tokenizer_vocab", info.tokenizerVocab());
        root.put("chat_template", info.chatTemplate());
        var mem = root.putObject("memory_bytes");
        mem.put("batch", batch);
        mem.put("seq_len", T);
        mem.put("lora_rank", rank);
        mem.put("weights", m.weights());
        mem.put("kv_cache", m.kvCache());
        mem.put("activations", m.activations());
        mem.put("lora_adapter_parameters", m.adapterParameters());
        mem.put("inference", m.inference());
        mem.put("lora", m.lora());
        mem.put("full", m.full());
        try {
            return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a tree of strings and numbers", e);
        }
    }

    /** Binary units, e.g. 1.5 GiB. */
    static String size(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int u = 0;
        while (value >= 1024 && u < units.length - 1) {
            value /= 1024;
            u++;
        }
        return u == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", value, units[u]);
    }
}
