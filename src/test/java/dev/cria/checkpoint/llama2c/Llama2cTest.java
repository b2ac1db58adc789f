package dev.cria.checkpoint.llama2c;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cria.autograd.Grad;
import dev.cria.autograd.Tensor;
import dev.cria.kernels.Rope;
import dev.cria.model.Llama;
import dev.cria.model.LlamaConfig;
import dev.cria.model.Projection;
import dev.cria.model.Variant;
import dev.cria.util.CriaException;
import dev.cria.util.Rng;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * llama2.c checkpoints: Cria's export and import against each other (bit-identical weights), and both
 * against {@link RunC}, an independent transcription of run.c's layout and forward pass, which pins the
 * q/k row permutation; plus the one-line messages for files that are cut short or are not llama2.c's.
 */
class Llama2cTest {
    /** GQA (4 query heads share 2 kv heads), head size 4, two layers. */
    private static final int C = 16, F = 24, L = 2, H = 4, KVH = 2, V = 40, T = 16;
    private static final int[] TOKENS = {1, 7, 3, 39, 12, 5, 22};

    @TempDir
    Path dir;

    private static LlamaConfig config(boolean tied) {
        return new LlamaConfig(C, L, H, KVH, F, V, T, 1e-5f, 10000f, tied);
    }

    /** A fresh model with its norms moved off 1, so a norm written in the wrong place would show. */
    private static Llama model(boolean tied, long seed) {
        Rng rng = new Rng(seed);
        Llama model = Llama.initialize(config(tied), rng);
        model.parameters().forEach((name, t) -> {
            for (int i = 0; i < t.size(); i++) t.data[i] += (float) rng.nextGaussian() * (name.contains("norm") ? 0.3f : 0.1f);
        });
        return model;
    }

    private static float[] logits(Llama model) {
        try (var off = Grad.off()) {
            return model.logits(TOKENS, 1, TOKENS.length).data;
        }
    }

    @ParameterizedTest(name = "version {0}, tied {1}")
    @CsvSource({"0, true", "0, false", "1, true", "1, false"})
    void exportThenImportGivesTheSameWeightsAndLogits(int version, boolean tied) {
        Llama model = model(tied, 7);
        Path file = dir.resolve("model.bin");
        Llama2cWriter.write(file, model, version, "test");

        Llama2cReader.Checkpoint back = Llama2cReader.read(file);
        assertThat(back.version()).isEqualTo(version);
        assertThat(back.model().config()).isEqualTo(model.config());
        Map<String, Tensor> expected = model.parameters(), actual = back.model().parameters();
        assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
        expected.forEach((name, t) -> assertThat(actual.get(name).data).as(name).containsExactly(t.data));
        assertThat(logits(back.model())).containsExactly(logits(model));
    }

    @ParameterizedTest(name = "version {0}, shared classifier {1}")
    @CsvSource({"0, true", "0, false", "1, true", "1, false"})
    void aFileInLlama2csOwnLayoutLoadsWithRunCsLogits(int version, boolean shared) throws IOException {
        RunC.Weights w = RunC.Weights.random(C, F, L, H, KVH, V, T, shared, 11);
        Path file = dir.resolve("independent.bin");
        Files.write(file, version == 0 ? w.version0() : w.version1());

        Llama model = Llama2cReader.read(file).model();
        assertThat(model.config().tieEmbeddings()).isEqualTo(shared);
        assertClose(logits(model), RunC.logits(w, TOKENS));
    }

    @ParameterizedTest(name = "tied {0}")
    @CsvSource({"true", "false"})
    void runCGivesCriasLogitsOnAnExportedFile(boolean tied) throws IOException {
        Llama model = model(tied, 5);
        Path v0 = dir.resolve("v0.bin"), v1 = dir.resolve("v1.bin");
        Llama2cWriter.write(v0, model, 0, "test");
        Llama2cWriter.write(v1, model, 1, "test");

        RunC.Weights parsed = RunC.Weights.parseVersion0(Files.readAllBytes(v0));
        assertClose(logits(model), RunC.logits(parsed, TOKENS));
        assertThat(Files.readAllBytes(v1)).as("version 1 holds the same tensors in export.py's order").isEqualTo(parsed.version1());
    }

    private static void assertClose(float[] cria, float[][] runC) {
        float[] flat = new float[cria.length];
        for (int t = 0; t < runC.length; t++) System.arraycopy(runC[t], 0, flat, t * V, V);
        float maxAbs = 0;
        for (float v : flat) maxAbs = Math.max(maxAbs, Math.abs(v));
        assertThat(maxAbs).as("logits large enough to tell a wrong permutation").isGreaterThan(1f);
        for (int i = 0; i < flat.length; i++) {
            assertThat(cria[i]).as("logit %d of position %d", i % V, i / V).isCloseTo(flat[i], org.assertj.core.data.Offset.offset(2e-4f * maxAbs));
        }
    }

    @Test
    void rotaryRowsUndoEachOther() {
        float[] w = new float[2 * 6 * 3];
        for (int i = 0; i < w.length; i++) w[i] = i;
        // head 0 rows (HS = 6): Hugging Face 0 1 2 | 3 4 5 → interleaved 0 3 1 4 2 5
        float[] meta = RotaryRows.toInterleaved(w, 2, 3);
        assertThat(Arrays.copyOfRange(meta, 0, 18)).containsExactly(0, 1, 2, 9, 10, 11, 3, 4, 5, 12, 13, 14, 6, 7, 8, 15, 16, 17);
        assertThat(RotaryRows.toHalves(meta, 2, 3)).containsExactly(w);
    }

    @Test
    void aTruncatedFileNamesTheByteAndTheTensor() throws IOException {
        Path file = dir.resolve("cut.bin");
        Llama2cWriter.write(file, model(true, 1), 0, "test");
        long wqAt = 28 + 4L * (V * C + L * C);
        byte[] all = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(all, (int) wqAt + 100));
        assertThatThrownBy(() -> Llama2cReader.read(file)).isInstanceOf(CriaException.class)
                .hasMessage(file + ": truncated at byte " + (wqAt + 100) + ", expected " + (C * C)
                        + " floats of layers.0.attention.wq.weight from byte " + wqAt);

        Files.write(file, Arrays.copyOf(all, 10));
        assertThatThrownBy(() -> Llama2cReader.read(file)).hasMessage(file + ": truncated at byte 10, expected 28 bytes of the version 0 header from byte 0");
    }

    @Test
    void extraBytesMeanTheHeaderDoesNotMatch() throws IOException {
        Path file = dir.resolve("long.bin");
        Llama2cWriter.write(file, model(true, 1), 1, "test");
        byte[] all = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(all, all.length + 8));
        assertThatThrownBy(() -> Llama2cReader.read(file))
                .hasMessageStartingWith(file + ": 8 bytes left after the last tensor (layers.1.feed_forward.w3.weight) at byte " + all.length);
    }

    @Test
    void badMagicVersionAndFieldsAreNamed() throws IOException {
        Path file = dir.resolve("bad.bin");
        Files.write(file, "GGUF and then some more bytes than a header".getBytes());
        assertThatThrownBy(() -> Llama2cReader.read(file)).hasMessageStartingWith(file + ": starts with \"GGUF\", which is not llama2.c's magic");

        Files.write(file, header(256, 0x616b3432, 2));
        assertThatThrownBy(() -> Llama2cReader.read(file)).hasMessageStartingWith(file + ": llama2.c version 2 at byte 4; Cria reads versions 0 and 1");

        Files.write(file, header(28, C, F, L, 0, KVH, V, T));
        assertThatThrownBy(() -> Llama2cReader.read(file)).hasMessage(file + ": header field n_heads at byte 12 is 0; it must be positive");

        Files.write(file, header(28, C, F, L, H, 3, V, T));
        assertThatThrownBy(() -> Llama2cReader.read(file)).hasMessage(file + ": header field n_heads 4 is not a multiple of n_kv_heads 3");

        Files.write(file, header(28, 1 << 30, 4, 1, 1 << 29, 1 << 29, 1 << 30, 4));
        assertThatThrownBy(() -> Llama2cReader.read(file)).as("sizes of a garbage header do not overflow")
                .hasMessage(file + ": truncated at byte 28, expected " + (1L << 60) + " floats of tok_embeddings.weight from byte 28");
    }

    private static byte[] header(int bytes, int... ints) {
        ByteBuffer b = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i : ints) b.putInt(i);
        return b.array();
    }

    @Test
    void modelsRunCCannotComputeAreRefusedByField() {
        var qwen3 = config(true).withVariant(new Variant(Variant.Family.QWEN3, Set.of(), true, Rope.Scaling.NONE));
        var biased = config(true).withVariant(Variant.LLAMA.withBiases(Set.of(Projection.Q)));
        var theta = new LlamaConfig(C, L, H, KVH, F, V, T, 1e-5f, 500000f, true);
        var eps = new LlamaConfig(C, L, H, KVH, F, V, T, 1e-6f, 10000f, true);
        Path file = dir.resolve("refused.bin");
        assertThatThrownBy(() -> Llama2cWriter.write(file, Llama.initialize(qwen3, new Rng(1)), 0, "m")).hasMessageContaining("q/k norms");
        assertThatThrownBy(() -> Llama2cWriter.write(file, Llama.initialize(biased, new Rng(1)), 0, "m")).hasMessageContaining("attention_bias");
        assertThatThrownBy(() -> Llama2cWriter.write(file, Llama.initialize(theta, new Rng(1)), 0, "m"))
                .hasMessage("m: cannot export to llama2.c: the model has rope_theta 500000.0; run.c's RoPE base is 10000");
        assertThatThrownBy(() -> Llama2cWriter.write(file, Llama.initialize(eps, new Rng(1)), 0, "m")).hasMessageContaining("rms_norm_eps");
        assertThatThrownBy(() -> Llama2cWriter.write(file, model(true, 1), 2, "m")).hasMessageStartingWith("llama2.c version must be 0 or 1: 2");
        assertThat(file).doesNotExist();
    }
}
