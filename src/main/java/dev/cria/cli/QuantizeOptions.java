package dev.cria.cli;

import dev.cria.kernels.QuantMatrix;
import dev.cria.util.CriaException;
import picocli.CommandLine.Option;

/** The flag that holds frozen models block-quantized: a model only run, a reference, a reward model, a LoRA base. */
final class QuantizeOptions {
    @Option(names = "--quantize", paramLabel = "q8_0|q4_0",
            description = "Hold the frozen models' weight matrices block-quantized, as GGUF's Q8_0 (8 bits) or Q4_0 (4 bits; "
                    + "the embedding and LM head stay Q8_0). Default: as stored.")
    String quantize;

    /** The chosen layout, or null for none; an unknown name is refused. */
    QuantMatrix.Kind kind() {
        if (quantize == null) return null;
        QuantMatrix.Kind kind = QuantMatrix.Kind.named(quantize);
        if (kind == null) throw new CriaException("--quantize must be q8_0 or q4_0, not '" + quantize + "'");
        return kind;
    }
}
