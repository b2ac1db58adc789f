package dev.cria.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code cria export FORMAT}: writes a model directory in another project's file format. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write a model directory in another runtime's format.",
        subcommands = {ExportGgufCommand.class, ExportLlama2cCommand.class})
final class ExportCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
