package dev.cria.cli;

import dev.cria.align.ReferenceFreeConfig;
import dev.cria.align.ReferenceFreeLoss;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cria orpo}: odds-ratio preference optimisation, SFT and preference in one loss, with no reference model. */
@Command(name = "orpo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"ORPO: trains the policy on preference pairs with the chosen answers' NLL plus an odds-ratio term,"
                + " with no reference model and no reward model.",
                "Logs rewards/*, logps/*, nll_loss, log_odds_ratio and log_odds_chosen as TRL does."})
final class OrpoCommand extends ReferenceFreeCommand {
    @Option(names = "--beta", description = "λ, the weight of the odds-ratio term (TRL's beta). Default: ${DEFAULT-VALUE}.")
    double lambda = ReferenceFreeConfig.ORPO_LAMBDA;

    @Override
    ReferenceFreeLoss loss() {
        Flags.positive("--beta", lambda);
        return new ReferenceFreeLoss.Orpo(lambda);
    }
}
