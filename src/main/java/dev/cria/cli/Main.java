package dev.cria.cli;

import dev.cria.backend.Backends;
import dev.cria.backend.JavaBackend;
import dev.cria.util.CriaException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code cria} command line. User mistakes (a bad flag, a malformed file) print one message that
 * names the problem and exit non-zero, without a stack trace; {@code CRIA_DEBUG=1} shows the trace.
 */
@Command(name = "cria", mixinStandardHelpOptions = true, version = "cria 0.1.0",
        description = "A small Llama, trained and aligned with human feedback, in pure Java.",
        subcommands = {DemoCommand.class, StoriesCommand.class, TokenizerCommand.class, PackCommand.class,
                PretrainCommand.class, GenerateCommand.class, EvalCommand.class, InfoCommand.class, SftCommand.class, RewardCommand.class,
                DpoCommand.class, KtoCommand.class, OrpoCommand.class, SimpoCommand.class,
                PairsCommand.class, PpoCommand.class, GrpoCommand.class, CatsCommand.class, JudgeCommand.class, ServeCommand.class, RlhfCommand.class, BenchCommand.class,
                OnlineDpoCommand.class, RejectionSamplingCommand.class,
                TemplateCommand.class, ExportCommand.class, ImportCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs a command line and returns its exit code (used by tests too). */
    public static int execute(String... args) {
        var cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof CriaException || e instanceof java.io.UncheckedIOException) {
                commandLine.getErr().println("cria: error: " + e.getMessage());
                if (System.getenv("CRIA_DEBUG") != null) e.printStackTrace(commandLine.getErr());
                return 1;
            }
            throw e;
        });
        cli.setErr(new PrintWriter(System.err, true));
        try {
            return cli.execute(args);
        } finally {
            // a library caller (or a test) may run several commands in one process: each starts from the default
            Backends.use(JavaBackend.F32);
        }
    }
}
