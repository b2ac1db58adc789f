package dev.cria.cli;

import picocli.CommandLine.Command;

/** {@code cria export}: a model directory in another tool's format. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write a model directory in another tool's format.",
        subcommands = {ExportGgufCommand.class})
final class ExportCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
