package dev.cria.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cria.serve.ApiError;
import dev.cria.serve.Round;
import dev.cria.serve.RoundConfig;
import dev.cria.serve.RunDir;
import dev.cria.serve.Rounds;
import dev.cria.util.CriaException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cria rlhf --human}: one training round from the labels people gave in the web app, as its train action does. */
@Command(name = "rlhf", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run one round of RLHF from human labels: reward model on every preference so far, then PPO (or DPO on them; KTO on the ratings of single answers;"
                        + " online DPO on the current policy's own pairs, whose unlabelled pairs are then retired); the new policy writes the next pairs.",
                "Reads RUN/labels.db (cria serve); writes RUN/rounds/N/ and records the round, which the dashboard shows."})
final class RlhfCommand implements Callable<Integer> {
    @Option(names = "--human", required = true, description = "Train from the labels in the run's database (the only source for now).")
    boolean human;

    @Option(names = "--run", defaultValue = "runs/hitl", description = "Run directory of cria serve. Default: ${DEFAULT-VALUE}.")
    Path run;

    @Option(names = "--model", description = "Model the run starts from, if the run has none recorded yet.")
    Path model;

    @Mixin
    RoundOptions round;

    @Override
    public Integer call() throws Exception {
        RoundConfig config = round.config();
        try (RunDir dir = RunDir.openWithBase(run, model)) {
            var rounds = new Rounds(dir);
            System.err.printf("%s round from %s on %d labels%n", config.method(), dir.currentPolicy(), rounds.examples(config.method()));
            Round r = rounds.run(config);
            System.out.printf("round %d (%s) done: new policy %s%n%s%n", r.id(), r.method(), r.policyDir(),
                    new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(r.figures()));
        } catch (ApiError e) {
            throw new CriaException(e.getMessage());
        }
        return 0;
    }
}
