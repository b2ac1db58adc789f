package dev.cria.cli;

import dev.cria.align.ReferenceFreeConfig;
import dev.cria.align.ReferenceFreeLoss;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cria simpo}: simple preference optimisation on length-normalised log-probs, with no reference model. */
@Command(name = "simpo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"SimPO: trains the policy on preference pairs to put the chosen answer's mean token log-prob above the"
                + " rejected one's by a margin, with no reference model and no reward model.",
                "Logs rewards/*, logps/* and nll_loss as TRL's CPOTrainer does."})
final class SimpoCommand extends ReferenceFreeCommand {
    @Option(names = "--beta", description = "β, the scale of the length-normalised reward. Default: ${DEFAULT-VALUE}.")
    double beta = ReferenceFreeConfig.SIMPO_BETA;

    @Option(names = "--gamma", description = "γ, the target reward margin (the paper's γ/β ratio is 0.5). Default: ${DEFAULT-VALUE}.")
    double gamma = ReferenceFreeConfig.SIMPO_GAMMA;

    @Override
    ReferenceFreeLoss loss() {
        Flags.positive("--beta", beta);
        Flags.nonNegative("--gamma", gamma);
        return new ReferenceFreeLoss.Simpo(beta, gamma);
    }
}
