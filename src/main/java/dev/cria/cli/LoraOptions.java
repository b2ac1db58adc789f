package dev.cria.cli;

import dev.cria.model.Llama;
import dev.cria.model.LoraConfig;
import dev.cria.util.Rng;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/** Flags that train LoRA adapters instead of all weights. */
final class LoraOptions {
    @Option(names = "--lora", description = "Train LoRA adapters; the base weights stay frozen.")
    boolean enabled;

    @Option(names = "--lora-rank", defaultValue = "8", description = "Adapter rank r. Default: ${DEFAULT-VALUE}.")
    int rank;

    @Option(names = "--lora-alpha", defaultValue = "16", description = "Adapter scale numerator (update × alpha/r). Default: ${DEFAULT-VALUE}.")
    double alpha;

    @Option(names = "--lora-dropout", defaultValue = "0.05", description = "Dropout on the adapter inputs. Default: ${DEFAULT-VALUE}.")
    double dropout;

    @Option(names = "--lora-targets", split = ",", defaultValue = "q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj",
            description = "Projections that get adapters. Default: all seven.")
    List<String> targets;

    @Option(names = "--merge", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Fold the adapters into the weights at the end (--no-merge keeps them beside the model). Default: ${DEFAULT-VALUE}.")
    boolean merge;

    /** Checks the adapter flags when --lora is given (the config refuses a bad one, naming it). */
    void check() {
        if (enabled) config();
    }

    /** Attaches adapters when --lora is given (a resumed model may already carry them). */
    void apply(Llama model, long seed) {
        if (enabled && !model.hasAdapters()) model.attachLora(config(), new Rng(seed ^ 0x10AL));
    }

    private LoraConfig config() {
        return new LoraConfig(rank, alpha, dropout, Set.copyOf(targets));
    }
}
