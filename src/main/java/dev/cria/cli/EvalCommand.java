package dev.cria.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cria.checkpoint.ModelDirectory;
import dev.cria.checkpoint.gguf.GgufModel;
import dev.cria.kernels.QuantMatrix;
import dev.cria.eval.EvalInput;
import dev.cria.eval.Evaluator;
import dev.cria.io.NpyWriter;
import dev.cria.model.Llama;
import dev.cria.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cria eval}: negative log-likelihood and perplexity of a model on JSONL sequences. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Score sequences under a model: summed negative log-likelihood, token count, mean loss, perplexity.",
                "Input lines are {\"input_ids\": [...]} or {\"text\": \"...\"} (encoded as <bos> text)."})
final class EvalCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Model or run directory.")
    Path model;

    @Option(names = "--data", required = true, description = "JSONL file of sequences.")
    Path data;

    @Mixin
    QuantizeOptions quantize;

    @Option(names = "--json", description = "Print the result as one JSON object.")
    boolean json;

    @Option(names = "--dump-logits", paramLabel = "F.npy", description = "Write float32 logits of shape (total tokens, vocab), in input order.")
    Path dumpLogits;

    @Override
    public Integer call() throws Exception {
        QuantMatrix.Kind quantized = quantize.kind();
        // A model saved by transformers alone has no tokenizer.json; input_ids lines need none. A GGUF file carries its own.
        boolean gguf = GgufModel.isGguf(model);
        Path dir = gguf ? model : ModelDirectory.resolve(model);
        boolean hasTokenizer = gguf || java.nio.file.Files.exists(dir.resolve(ModelDirectory.TOKENIZER));
        var loaded = hasTokenizer ? ModelDirectory.loadFrozen(dir, quantized) : null;
        Llama llama = loaded != null ? loaded.model() : ModelDirectory.loadModel(dir, true, quantized);
        Tokenizer tokenizer = loaded != null ? loaded.tokenizer() : null;
        var config = llama.config();
        var sequences = EvalInput.read(data, tokenizer, config.vocab(), config.maxSeqLen());
        Evaluator.Result result;
        if (dumpLogits != null) {
            int rows = sequences.stream().mapToInt(s -> s.length).sum();
            try (var npy = NpyWriter.open(dumpLogits, rows, config.vocab())) {
                result = Evaluator.evaluate(llama, sequences, npy);
            }
        } else {
            result = Evaluator.evaluate(llama, sequences, null);
        }
        if (json) {
            var out = new LinkedHashMap<String, Object>();
            out.put("nll", result.nll());
            out.put("tokens", result.tokens());
            out.put("loss", result.loss());
            out.put("perplexity", result.perplexity());
            out.put("sequences", result.sequences());
            System.out.println(new ObjectMapper().writeValueAsString(out));
        } else {
            System.out.printf("%d sequences, %d predicted tokens: nll %.4f, loss %.4f, perplexity %.3f%n",
                    result.sequences(), result.tokens(), result.nll(), result.loss(), result.perplexity());
        }
        return 0;
    }
}
