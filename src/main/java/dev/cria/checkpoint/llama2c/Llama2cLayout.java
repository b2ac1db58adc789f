package dev.cria.checkpoint.llama2c;

import dev.cria.model.HfNames;
import dev.cria.model.Projection;
import java.util.ArrayList;
import java.util.List;

/**
 * The order of the tensors in a llama2.c checkpoint, one list per version, which the reader and the
 * writer both walk. Each kind of tensor is stored for all layers before the next kind.
 *
 * <p>Version 0 (run.c's memory_map_weights): embedding, attention norms, wq, wk, wv, wo, ffn norms, w1,
 * w2, w3, final norm, the legacy RoPE tables freqs_cos and freqs_sin (seq_len, HS/2) each, then the
 * classifier if not shared. Version 1 (export.py's version1_export): attention norms, ffn norms, final
 * norm, embedding, wq, wk, wv, wo, w1, w2, w3, then the classifier if not shared; no RoPE tables.
 * llama2.c's w1 is Hugging Face's gate_proj, w2 down_proj and w3 up_proj.
 */
final class Llama2cLayout {
    private Llama2cLayout() {
    }

    static List<Llama2cTensor> tensors(Llama2cHeader h, int version) {
        var out = new ArrayList<Llama2cTensor>();
        Llama2cTensor embedding = new Llama2cTensor("tok_embeddings.weight", HfNames.embedding(), new int[] {h.vocab(), h.dim()}, 0);
        Llama2cTensor finalNorm = new Llama2cTensor("norm.weight", HfNames.finalNorm(), new int[] {h.dim()}, 0);
        if (version == 0) {
            out.add(embedding);
            attentionNorms(h, out);
            attention(h, out);
            ffnNorms(h, out);
            feedForward(h, out);
            out.add(finalNorm);
            int[] table = {h.seqLen(), h.headSize() / 2};
            out.add(new Llama2cTensor("freqs_cos", null, table, 0));
            out.add(new Llama2cTensor("freqs_sin", null, table, 0));
        } else {
            attentionNorms(h, out);
            ffnNorms(h, out);
            out.add(finalNorm);
            out.add(embedding);
            attention(h, out);
            feedForward(h, out);
        }
        if (!h.sharedClassifier()) out.add(new Llama2cTensor("output.weight", HfNames.lmHead(), new int[] {h.vocab(), h.dim()}, 0));
        return out;
    }

    private static void attentionNorms(Llama2cHeader h, List<Llama2cTensor> out) {
        for (int l = 0; l < h.layers(); l++) {
            out.add(new Llama2cTensor("layers." + l + ".attention_norm.weight", HfNames.attnNorm(l), new int[] {h.dim()}, 0));
        }
    }

    private static void ffnNorms(Llama2cHeader h, List<Llama2cTensor> out) {
        for (int l = 0; l < h.layers(); l++) {
            out.add(new Llama2cTensor("layers." + l + ".ffn_norm.weight", HfNames.mlpNorm(l), new int[] {h.dim()}, 0));
        }
    }

    private static void attention(Llama2cHeader h, List<Llama2cTensor> out) {
        int C = h.dim(), KV = h.kvDim();
        addPerLayer(h, out, "attention.wq", Projection.Q, C, C, h.heads());
        addPerLayer(h, out, "attention.wk", Projection.K, KV, C, h.kvHeads());
        addPerLayer(h, out, "attention.wv", Projection.V, KV, C, 0);
        addPerLayer(h, out, "attention.wo", Projection.O, C, C, 0);
    }

    private static void feedForward(Llama2cHeader h, List<Llama2cTensor> out) {
        int C = h.dim(), F = h.hiddenDim();
        addPerLayer(h, out, "feed_forward.w1", Projection.GATE, F, C, 0);
        addPerLayer(h, out, "feed_forward.w2", Projection.DOWN, C, F, 0);
        addPerLayer(h, out, "feed_forward.w3", Projection.UP, F, C, 0);
    }

    private static void addPerLayer(Llama2cHeader h, List<Llama2cTensor> out, String module, Projection p, int rows, int cols,
                                    int ropeHeads) {
        for (int l = 0; l < h.layers(); l++) {
            out.add(new Llama2cTensor("layers." + l + "." + module + ".weight", HfNames.weight(l, p), new int[] {rows, cols}, ropeHeads));
        }
    }

    /**
     * The legacy RoPE table version 0 carries, as model.py's precompute_freqs_cis computes it:
     * (seq_len, HS/2) of cos (or sin) of pos·theta^(-2j/HS). run.c skips it; it is written so the file
     * has the legacy size.
     */
    static float[] ropeTable(Llama2cHeader h, boolean sin) {
        int half = h.headSize() / 2;
        float[] out = new float[h.seqLen() * half];
        for (int pos = 0; pos < h.seqLen(); pos++) {
            for (int j = 0; j < half; j++) {
                float freq = (float) (1.0 / Math.pow(Llama2cHeader.ROPE_THETA, (2.0 * j) / h.headSize()));
                float angle = pos * freq;
                out[pos * half + j] = (float) (sin ? Math.sin(angle) : Math.cos(angle));
            }
        }
        return out;
    }
}
