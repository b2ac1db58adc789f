package dev.cria.cli;

import dev.cria.model.LlamaConfig;
import picocli.CommandLine.Option;

/** Flags that choose a model shape: a preset, with any field overridden. */
final class ModelShapeOptions {
    @Option(names = "--preset", defaultValue = "tiny", description = "Model preset: tiny (~0.26M params) or small (~15M). Default: ${DEFAULT-VALUE}.")
    String preset;

    @Option(names = "--dim", description = "Model width (hidden_size).")
    Integer dim;

    @Option(names = "--layers", description = "Decoder blocks.")
    Integer layers;

    @Option(names = "--heads", description = "Query heads.")
    Integer heads;

    @Option(names = "--kv-heads", description = "Key/value heads (grouped-query attention).")
    Integer kvHeads;

    @Option(names = "--hidden", description = "SwiGLU inner width (intermediate_size).")
    Integer hidden;

    @Option(names = "--vocab", description = "Vocabulary size; a BPE tokenizer is trained to this size. Default: the preset's.")
    Integer vocab;

    @Option(names = "--max-seq-len", description = "Longest sequence the model supports. Default: the preset's.")
    Integer maxSeqLen;

    @Option(names = "--untied", description = "Give the LM head its own weights instead of reusing the embeddings.")
    boolean untied;

    LlamaConfig resolve() {
        LlamaConfig p = LlamaConfig.preset(preset);
        return new LlamaConfig(or(dim, p.dim()), or(layers, p.layers()), or(heads, p.heads()), or(kvHeads, p.kvHeads()),
                or(hidden, p.hiddenDim()), or(vocab, p.vocab()), or(maxSeqLen, p.maxSeqLen()), p.normEps(), p.ropeTheta(),
                !untied && p.tieEmbeddings());
    }

    private static int or(Integer value, int fallback) {
        return value != null ? value : fallback;
    }
}
