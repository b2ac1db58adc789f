package dev.cria.checkpoint.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The header, metadata and tensor list of an exported file, against what llama.cpp's loader expects. */
class GgufExportTest {
    @TempDir
    Path dir;

    @Test
    void llamaFileHasLlamaCppsKeysAndTensors() {
        Path model = TinyModels.save(dir.resolve("tiny-llama"), TinyModels.llama(false), 1);
        Path file = dir.resolve("m.gguf");
        GgufExport.export(model, file, GgufFileType.F32);

        GgufReader r = GgufReader.open(file);
        assertThat(r.version()).isEqualTo(3);
        assertThat(r.string("general.architecture")).isEqualTo("llama");
        assertThat(r.string("general.name")).isEqualTo("tiny-llama");
        assertThat(r.integer("general.file_type")).isZero();
        assertThat(r.integer("general.alignment")).isEqualTo(32);
        assertThat(r.integer("llama.context_length")).isEqualTo(64);
        assertThat(r.integer("llama.embedding_length")).isEqualTo(64);
        assertThat(r.integer("llama.block_count")).isEqualTo(2);
        assertThat(r.integer("llama.feed_forward_length")).isEqualTo(96);
        assertThat(r.integer("llama.attention.head_count")).isEqualTo(4);
        assertThat(r.integer("llama.attention.head_count_kv")).isEqualTo(2);
        assertThat(r.number("llama.rope.freq_base")).isEqualTo(10000.0);
        assertThat((float) r.number("llama.attention.layer_norm_rms_epsilon")).isEqualTo(1e-5f);
        assertThat(r.has("llama.attention.key_length")).as("head size is dim / heads").isFalse();
        assertThat(r.integer("llama.vocab_size")).isEqualTo(TinyModels.tokenizer().vocabSize());
        assertThat(r.string("tokenizer.ggml.model")).isEqualTo("gpt2");
        assertThat(r.string("tokenizer.ggml.pre")).isEqualTo("dbrx");
        assertThat(r.strings("tokenizer.ggml.tokens")).hasSize(TinyModels.tokenizer().vocabSize());
        assertThat(r.integer("tokenizer.ggml.bos_token_id")).isEqualTo(TinyModels.tokenizer().bosId());
        assertThat(r.integer("tokenizer.ggml.eos_token_id")).isEqualTo(TinyModels.tokenizer().eosId());
        assertThat(r.optionalBool("tokenizer.ggml.add_bos_token")).isTrue();
        assertThat(r.string("tokenizer.chat_template")).contains("<|assistant|>");

        List<String> names = new ArrayList<>();
        for (var t : r.tensors()) names.add(t.name() + " " + java.util.Arrays.toString(t.dims()) + " " + t.type());
        int V = TinyModels.tokenizer().vocabSize();
        assertThat(names).startsWith("token_embd.weight [64, " + V + "] F32", "blk.0.attn_norm.weight [64] F32",
                "blk.0.attn_q.weight [64, 64] F32", "blk.0.attn_k.weight [64, 32] F32", "blk.0.attn_v.weight [64, 32] F32",
                "blk.0.attn_output.weight [64, 64] F32", "blk.0.ffn_norm.weight [64] F32", "blk.0.ffn_gate.weight [64, 96] F32",
                "blk.0.ffn_up.weight [64, 96] F32", "blk.0.ffn_down.weight [96, 64] F32");
        assertThat(names).endsWith("output_norm.weight [64] F32", "output.weight [64, " + V + "] F32");
        for (var t : r.tensors()) assertThat(t.offset() % 32).isZero();
    }
}
