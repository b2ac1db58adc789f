package dev.cria.cli;

import dev.cria.checkpoint.ModelDirectory;
import dev.cria.io.Safetensors.Dtype;
import dev.cria.model.Llama;
import dev.cria.util.CriaException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/** How a command that saves a model writes it: the dtype and the largest shard. */
final class SaveOptions {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KB|MB|GB|KIB|MIB|GIB)?");

    @Option(names = "--dtype", description = "Weights' dtype on save: f32, bf16 or f16 (bf16 and f16 round to nearest even). Default: the dtype the model came in; f32 for a new model.")
    String dtype;

    @Option(names = "--max-shard-size", defaultValue = "2GB",
            description = "Largest weights file; above it the weights are split into model-0000N-of-0000M.safetensors with an index, as transformers does. E.g. 500MB, 2GB, 1GiB. Default: ${DEFAULT-VALUE}.")
    String maxShardSize;

    /** Checks the flags; called before anything is loaded. */
    void check() {
        dtype();
        maxShardBytes();
    }

    /** Makes {@code model}'s saves follow the flags. */
    void apply(Llama model) {
        ModelDirectory.saveAs(model, dtype(), maxShardBytes());
    }

    private Dtype dtype() {
        if (dtype == null) return null;
        return switch (dtype.toLowerCase(Locale.ROOT)) {
            case "f32", "float32" -> Dtype.F32;
            case "bf16", "bfloat16" -> Dtype.BF16;
            case "f16", "float16" -> Dtype.F16;
            default -> throw new CriaException("--dtype must be f32, bf16 or f16: " + dtype);
        };
    }

    long maxShardBytes() {
        return parseSize("--max-shard-size", maxShardSize);
    }

    /** {@code 500MB} is 500 * 10^6 bytes and {@code 1GiB} 2^30, as transformers reads them. */
    static long parseSize(String flag, String text) {
        Matcher m = SIZE.matcher(text == null ? "" : text.trim().toUpperCase(Locale.ROOT));
        if (!m.matches()) throw new CriaException(flag + " must be a size such as 500MB or 2GB: " + text);
        long unit = switch (m.group(2) == null ? "B" : m.group(2)) {
            case "KB" -> 1_000L;
            case "MB" -> 1_000_000L;
            case "GB" -> 1_000_000_000L;
            case "KIB" -> 1L << 10;
            case "MIB" -> 1L << 20;
            case "GIB" -> 1L << 30;
            default -> 1L;
        };
        long bytes;
        try {
            bytes = Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new CriaException(flag + " is too large: " + text);
        }
        if (bytes <= 0) throw new CriaException(flag + " must be positive: " + text);
        return bytes;
    }
}
