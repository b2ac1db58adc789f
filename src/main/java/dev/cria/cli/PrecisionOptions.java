package dev.cria.cli;

import dev.cria.backend.Backend;
import dev.cria.backend.Backends;
import dev.cria.backend.Precision;
import picocli.CommandLine.Option;

/** The number format of the training products and the backend that computes them. */
final class PrecisionOptions {
    @Option(names = "--precision", paramLabel = "f32|bf16", defaultValue = "f32",
            description = "Operands of the matrix products: f32, or bf16 (rounded to bfloat16, accumulated in float32; "
                    + "master weights, optimizer state and reductions stay float32, as in PyTorch's autocast). Default: ${DEFAULT-VALUE}.")
    String precision;

    @Option(names = "--backend", paramLabel = "auto|java|onednn", defaultValue = "auto",
            description = "Where the products run: the Java kernels, or oneDNN's matmul (libdnnl2, found at run time). "
                    + "auto: oneDNN for bf16 when the library is there and can multiply bfloat16 on this CPU, else Java. Default: ${DEFAULT-VALUE}.")
    String backend;

    /** Chooses the backend for this process and says which on stderr. */
    Backend apply() {
        Backend chosen = Backends.select(backend, Precision.parse(precision));
        Backends.use(chosen);
        if (chosen.precision() != Precision.F32 || !"auto".equals(backend)) System.err.println("backend: " + chosen.label());
        return chosen;
    }
}
