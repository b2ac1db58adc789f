package dev.cria.checkpoint.gguf;

import dev.cria.kernels.FrozenMatrix;
import dev.cria.kernels.HalfMatrix;
import dev.cria.kernels.QuantMatrix;
import dev.cria.model.HfNames;
import dev.cria.model.Llama;
import dev.cria.model.LlamaConfig;
import dev.cria.util.CriaException;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A GGUF file's tensors as a {@link Llama}: renamed to Hugging Face's names, the q and k rows of a
 * {@code llama} file put back in rotate-half order, shapes checked by {@link HfNames#load}.
 * Either every tensor is widened to float32 (a model to train or save), or the 16-bit and quantized
 * matrices stay views of the mapped file (a model to run: {@link FrozenMatrix}, zero copy, except the q and
 * k matrices of a {@code llama} file, whose reordered rows are copied).
 */
final class GgufWeights {
    private GgufWeights() {
    }

    static Llama model(GgufReader r, LlamaConfig c, boolean frozen) {
        boolean permuted = GgufConfig.architecture(c.variant().family()).equals("llama");
        var weights = new LinkedHashMap<String, float[]>();
        var matrices = new LinkedHashMap<String, FrozenMatrix>();
        var shapes = new LinkedHashMap<String, int[]>();
        for (GgufReader.TensorInfo t : r.tensors()) {
            if (t.name().equals(GgufNames.ROPE_FREQS)) continue;
            String name = GgufNames.toHf(t.name());
            if (name == null) throw new CriaException(r.file() + ": tensor '" + t.name() + "' is not one Cria computes for architecture " + r.string(GgufKeys.ARCHITECTURE));
            int[] shape = t.shape();
            shapes.put(name, shape);
            boolean reorder = permuted && GgufNames.isQueryOrKey(name);
            int heads = GgufNames.isKey(name) ? c.kvHeads() : c.heads();
            FrozenMatrix view = frozen ? r.matrix(t) : null;
            if (view != null) {
                if (reorder) view = GgufReader.matrix(t, RopePermutation.toRotateHalf(storage(view), heads, t.bytes() / shape[0]));
                matrices.put(name, view);
            } else {
                float[] values = r.floats(t);
                weights.put(name, reorder ? RopePermutation.toRotateHalf(values, heads, shape.length == 2 ? shape[1] : 1) : values);
            }
        }
        return HfNames.load(c, weights, matrices, shapes, r.file().toString());
    }

    /** The bytes a matrix reads: for quantized blocks, the copy already read off the mapping, not the mapping again. */
    private static MemorySegment storage(FrozenMatrix m) {
        return switch (m) {
            case HalfMatrix h -> h.bits();
            case QuantMatrix q -> q.blocks();
        };
    }
}
