package dev.cria.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cria.world.StoryGenerator;
import dev.cria.io.AtomicFiles;
import dev.cria.util.CriaException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Writes the built-in children's stories as JSONL ({@code {"text": ...}} per line). */
@Command(name = "stories", mixinStandardHelpOptions = true,
        description = "Write built-in, seeded children's stories as JSONL ({\"text\": ...} per line).")
final class StoriesCommand implements Callable<Integer> {
    @Option(names = "--count", defaultValue = "1000", description = "Number of stories. Default: ${DEFAULT-VALUE}.")
    int count;

    @Option(names = "--seed", defaultValue = "1", description = "Generator seed; the same seed gives the same stories. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--out", required = true, description = "Output .jsonl file.")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (count <= 0) throw new CriaException("--count must be positive: " + count);
        var json = new ObjectMapper();
        var text = new StringBuilder();
        for (String story : new StoryGenerator(seed).stories(count)) {
            text.append(json.writeValueAsString(java.util.Map.of("text", story))).append('\n');
        }
        AtomicFiles.writeString(out, text.toString());
        System.out.printf("wrote %,d stories to %s%n", count, out);
        return 0;
    }
}
