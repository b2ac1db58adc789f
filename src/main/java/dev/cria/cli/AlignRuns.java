package dev.cria.cli;

import dev.cria.align.Reference;
import dev.cria.checkpoint.ModelDirectory;
import dev.cria.kernels.QuantMatrix;
import dev.cria.model.Llama;
import dev.cria.tokenizer.Tokenizer;
import dev.cria.train.RunDirectory;
import dev.cria.train.TrainingLoop;
import dev.cria.util.CriaException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Start and end of an alignment run: where the model comes from, and what is left in OUT/model/. */
final class AlignRuns {
    private AlignRuns() {
    }

    /**
     * The starting model: --model for a new run, the run's own checkpoint for --resume. With
     * {@code frozenBase} (LoRA) its 16-bit weights stay 16-bit, or are quantized to {@code quantize} (null: none),
     * since only the adapters train.
     */
    static ModelDirectory.Loaded start(Path model, Path out, boolean resume, boolean frozenBase, QuantMatrix.Kind quantize) {
        if (resume) return load(out, frozenBase, quantize);
        if (model == null) throw new CriaException("--model is required (the model to start from), unless --resume");
        if (Files.exists(out.resolve(ModelDirectory.RUN_CHECKPOINT))) {
            throw new CriaException(out + " already holds a run; pass --resume to continue it, or choose another --out");
        }
        return load(model, frozenBase, quantize);
    }

    private static ModelDirectory.Loaded load(Path dir, boolean frozen, QuantMatrix.Kind quantize) {
        return frozen ? ModelDirectory.loadFrozen(dir, quantize) : ModelDirectory.load(dir);
    }

    /**
     * The frozen reference of a DPO or RL run: {@code --reference} when given; else, with LoRA, the
     * policy's own base; else a fresh copy of {@code --model}, which a resumed run no longer has. Held
     * quantized to {@code quantize} (null: as stored).
     */
    static Reference reference(Path referenceDir, Path model, Llama policy, boolean resume, QuantMatrix.Kind quantize) {
        if (referenceDir != null) return Reference.copy(ModelDirectory.loadFrozen(referenceDir, quantize).model(), policy);
        if (policy.hasAdapters()) return Reference.baseOf(policy);
        if (resume) throw new CriaException("--resume needs --reference: the model the run started from (the checkpoint has moved away from it)");
        return Reference.copy(ModelDirectory.loadFrozen(model, quantize).model(), policy);
    }

    /** Prints the outcome; folds LoRA adapters into the weights of a finished run when asked to. */
    static void finish(TrainingLoop.Result result, Llama model, Tokenizer tokenizer, Path out, LoraOptions lora) {
        System.out.printf("%s at step %d: train loss %.4f, %,.0f tokens/s, %.1fs%n",
                result.interrupted() ? "stopped (checkpoint saved; --resume continues)" : "finished", result.steps(),
                result.trainLoss(), result.tokensPerSecond(), result.seconds());
        if (!result.interrupted() && lora != null && lora.merge && model.hasAdapters()) {
            model.mergeLora();
            ModelDirectory.save(out.resolve(ModelDirectory.RUN_CHECKPOINT), model, tokenizer);
            System.out.println("LoRA adapters merged into the weights");
        }
        System.out.printf("model: %s   metrics: %s%n", out.resolve(ModelDirectory.RUN_CHECKPOINT), out.resolve(RunDirectory.METRICS));
    }
}
