package dev.cria.checkpoint.gguf;

import dev.cria.autograd.Tensor;
import dev.cria.checkpoint.ModelDirectory;
import dev.cria.kernels.Rope;
import dev.cria.model.Llama;
import dev.cria.model.LlamaConfig;
import dev.cria.util.CriaException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A model directory as one GGUF file that llama.cpp (and Ollama, LM Studio ...) runs: the metadata, tensor
 * names and row order of llama.cpp's convert_hf_to_gguf.py, and the tokenizer ({@link VocabExport}).
 * LoRA adapters, if the directory has them, are merged in first. Not written: a reward model's scalar head
 * (GGUF has no place for it).
 *
 * <p>Tensors, per {@link GgufFileType#typeOf}: vectors F32, matrices in the chosen type; for the
 * {@code llama} architecture the q and k rows are permuted ({@link RopePermutation}); Llama 3.1 RoPE
 * scaling becomes the {@code rope_freqs.weight} table.
 */
public final class GgufExport {
    private GgufExport() {
    }

    /** Writes the model in {@code modelDir} (a model or run directory) to {@code out}, atomically. */
    public static void export(Path modelDir, Path out, GgufFileType type) {
        // Frozen: 16-bit checkpoints stay 16-bit until each tensor is written, so export needs about the
        // checkpoint's size in memory plus one tensor in float32.
        ModelDirectory.Loaded loaded = ModelDirectory.loadFrozen(modelDir);
        Llama model = loaded.model();
        if (model.hasScoreHead()) throw new CriaException(loaded.dir() + ": a reward model's scalar head has no place in a GGUF file; export a language model");
        if (model.hasAdapters()) model.mergeLora();
        LlamaConfig c = model.config();
        String architecture = GgufConfig.architecture(c.variant().family());

        GgufWriter gguf = new GgufWriter();
        GgufConfig.write(gguf, c, name(loaded.dir()), type);
        if (c.variant().ropeScaling() instanceof Rope.Scaling.Llama3 llama3) Llama3RopeFactors.write(gguf, llama3);
        VocabExport.write(loaded.dir(), loaded.tokenizer(), c.vocab(), gguf);

        if (c.variant().ropeScaling() instanceof Rope.Scaling.Llama3 llama3) {
            float[] factors = Llama3RopeFactors.factors(llama3, c.headSize(), c.ropeTheta());
            gguf.addTensor(GgufNames.ROPE_FREQS, new int[] {factors.length}, GgufType.F32, TensorEncoding.of(factors, 1, factors.length, GgufType.F32));
        }
        boolean permute = architecture.equals("llama");
        for (Map.Entry<String, Tensor> e : model.parameters().entrySet()) {
            String hfName = e.getKey();
            String ggufName = GgufNames.toGguf(hfName);
            if (ggufName == null) throw new IllegalStateException("no GGUF name for " + hfName);
            Tensor tensor = e.getValue();
            int[] shape = tensor.shape();
            int cols = shape[shape.length - 1];
            int rows = tensor.size() / cols;
            boolean reorder = permute && GgufNames.isQueryOrKey(hfName);
            int heads = GgufNames.isKey(hfName) ? c.kvHeads() : c.heads();
            GgufType tensorType = type.typeOf(ggufName, shape);
            gguf.addTensor(ggufName, shape, tensorType, stream -> {
                float[] values = tensor.frozenMatrix() != null ? tensor.toFloats() : tensor.data;
                if (reorder) values = RopePermutation.toInterleaved(values, heads, shape.length == 2 ? cols : 1);
                TensorEncoding.of(values, rows, cols, tensorType).writeTo(stream);
            });
        }
        gguf.write(out);
    }

    /** general.name: the directory's name, or its run directory's for a run checkpoint. */
    private static String name(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        Path name = abs.getFileName();
        if (name != null && name.toString().startsWith(ModelDirectory.RUN_CHECKPOINT) && abs.getParent() != null && abs.getParent().getFileName() != null) {
            name = abs.getParent().getFileName();
        }
        return name == null ? "cria" : name.toString();
    }
}
