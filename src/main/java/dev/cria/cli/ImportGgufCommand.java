package dev.cria.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cria import gguf}: placeholder until the importer lands. */
@Command(name = "gguf", mixinStandardHelpOptions = true, description = "Read a GGUF file into a model directory.")
final class ImportGgufCommand implements Callable<Integer> {
    @Option(names = "--gguf", required = true, description = "The .gguf file.")
    Path gguf;

    @Option(names = "--out", required = true, description = "The model directory to write.")
    Path out;

    @Override
    public Integer call() {
        throw new dev.cria.util.CriaException("import gguf is not implemented yet");
    }
}
