package dev.cria.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cria.checkpoint.ModelDirectory;
import dev.cria.eval.EvalInput;
import dev.cria.eval.Evaluator;
import dev.cria.io.NpyWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
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

    @Option(names = "--json", description = "Print the result as one JSON object.")
    boolean json;

    @Option(names = "--dump-logits", paramLabel = "F.npy", description = "Write float32 logits of shape (total tokens, vocab), in input order.")
    Path dumpLogits;

    @Override
    public Integer call() throws Exception {
        var loaded = ModelDirectory.load(model);
        var config = loaded.model().config();
        var sequences = EvalInput.read(data, loaded.tokenizer(), config.vocab(), config.maxSeqLen());
        Evaluator.Result result;
        if (dumpLogits != null) {
            int rows = sequences.stream().mapToInt(s -> s.length).sum();
            try (var npy = NpyWriter.open(dumpLogits, rows, config.vocab())) {
                result = Evaluator.evaluate(loaded.model(), sequences, npy);
            }
        } else {
            result = Evaluator.evaluate(loaded.model(), sequences, null);
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
