package dev.cria.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code cria import FORMAT}: builds a model directory from another project's file format. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Build a model directory from another runtime's format.",
        subcommands = {ImportGgufCommand.class, ImportLlama2cCommand.class})
final class ImportCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
