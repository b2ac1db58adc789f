package dev.cria.cli;

import picocli.CommandLine.Command;

/** {@code cria import}: another tool's model file as a model directory. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Read another tool's model file into a model directory.",
        subcommands = {ImportGgufCommand.class})
final class ImportCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
