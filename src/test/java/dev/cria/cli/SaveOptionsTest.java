package dev.cria.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cria.checkpoint.WeightFiles;
import dev.cria.io.Safetensors.Dtype;
import dev.cria.util.CriaException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --dtype and --max-shard-size decide how a trained model is written; without them it keeps the dtype it came in. */
class SaveOptionsTest {
    @TempDir
    Path dir;

    @Test
    void sizesReadAsTransformersReadsThem() {
        assertThat(SaveOptions.parseSize("--max-shard-size", "2GB")).isEqualTo(2_000_000_000L);
        assertThat(SaveOptions.parseSize("--max-shard-size", "500MB")).isEqualTo(500_000_000L);
        assertThat(SaveOptions.parseSize("--max-shard-size", "1GiB")).isEqualTo(1L << 30);
        assertThat(SaveOptions.parseSize("--max-shard-size", "4096")).isEqualTo(4096L);
        assertThatThrownBy(() -> SaveOptions.parseSize("--max-shard-size", "2 gigs"))
                .isInstanceOf(CriaException.class).hasMessage("--max-shard-size must be a size such as 500MB or 2GB: 2 gigs");
        assertThatThrownBy(() -> SaveOptions.parseSize("--max-shard-size", "0MB")).hasMessage("--max-shard-size must be positive: 0MB");
    }

    @Test
    void pretrainWritesBf16ShardsAndSftKeepsBf16() throws Exception {
        Path base = dir.resolve("base");
        assertThat(Main.execute("pretrain", "--out", base.toString(), "--dim", "16", "--layers", "1", "--heads", "2", "--kv-heads", "1",
                "--hidden", "32", "--vocab", "300", "--max-seq-len", "256", "--seq-len", "32", "--batch", "2", "--stories", "60",
                "--steps", "2", "--eval-every", "0", "--eval-batches", "1", "--dtype", "bf16", "--max-shard-size", "4KB")).isZero();
        Path model = base.resolve("model");
        assertThat(Files.exists(model.resolve(WeightFiles.INDEX))).isTrue();
        assertThat(WeightFiles.storedDtype(model)).isEqualTo(Dtype.BF16);
        assertThat(new ObjectMapper().readTree(model.resolve("config.json").toFile()).get("torch_dtype").asText()).isEqualTo("bfloat16");

        Path sft = dir.resolve("sft");
        assertThat(Main.execute("sft", "--model", base.toString(), "--out", sft.toString(), "--examples", "20",
                "--steps", "1", "--batch", "2", "--max-len", "200", "--eval-every", "0")).isZero();
        assertThat(Files.exists(sft.resolve("model").resolve(WeightFiles.SINGLE))).isTrue();
        assertThat(WeightFiles.storedDtype(sft.resolve("model"))).isEqualTo(Dtype.BF16);
    }

    @Test
    void anUnknownDtypeIsRefusedBeforeAnythingRuns() {
        assertThat(Main.execute("sft", "--model", dir.toString(), "--out", dir.resolve("x").toString(), "--dtype", "int8")).isEqualTo(1);
        assertThat(Files.exists(dir.resolve("x"))).isFalse();
    }
}
