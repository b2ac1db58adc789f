package dev.cria.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cria.checkpoint.GenerationConfig;
import dev.cria.checkpoint.ModelDirectory;
import dev.cria.model.Llama;
import dev.cria.model.LlamaConfig;
import dev.cria.tokenizer.ByteTokenizer;
import dev.cria.util.Rng;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** generation_config.json sets generate's defaults; a flag wins over it. */
class GenerationDefaultsTest {
    private static final ByteTokenizer TOKENIZER = new ByteTokenizer();

    @TempDir
    Path dir;

    @Test
    void theFileSetsTheDefaultsAndFlagsWin() throws Exception {
        Path plain = model("plain");
        Path shipped = model("shipped");
        Files.writeString(shipped.resolve(GenerationConfig.FILE),
                "{\"do_sample\": false, \"temperature\": 0.6, \"max_new_tokens\": 5, \"top_k\": 7, \"eos_token_id\": [1, 2]}");
        String[] noStop = {"--prompt", "ab", "--no-stop"};

        // do_sample false and max_new_tokens 5 make a bare generate greedy and 5 tokens long.
        assertThat(generate(shipped, noStop)).isEqualTo(generate(plain, with(noStop, "--temperature", "0", "--max-new-tokens", "5")));
        // A flag wins over the file.
        assertThat(generate(shipped, with(noStop, "--max-new-tokens", "2")))
                .isEqualTo(generate(plain, with(noStop, "--temperature", "0", "--max-new-tokens", "2")));

        var command = new GenerateCommand();
        var settings = command.settings(GenerationConfig.read(shipped), TOKENIZER.eosId());
        assertThat(settings).isEqualTo(new GenerateCommand.Settings(5, 0f, 7, 1.0f, List.of(1, 2)));
        command.temperature = 0.9f;
        command.topK = 0;
        assertThat(command.settings(GenerationConfig.read(shipped), TOKENIZER.eosId()))
                .isEqualTo(new GenerateCommand.Settings(5, 0.9f, 0, 1.0f, List.of(1, 2)));
        assertThat(new GenerateCommand().settings(GenerationConfig.read(plain), TOKENIZER.eosId()))
                .isEqualTo(new GenerateCommand.Settings(200, 0.8f, 0, 1.0f, List.of(TOKENIZER.eosId())));
    }

    @Test
    void theWebAppSamplesWithTheFilesDefaultsUnlessFlagsSayOtherwise() throws Exception {
        Path shipped = model("shipped");
        Files.writeString(shipped.resolve(GenerationConfig.FILE), "{\"temperature\": 0.6, \"top_p\": 0.9, \"max_new_tokens\": 50}");
        var serve = new ServeCommand();
        new picocli.CommandLine(serve).parseArgs("--model", shipped.toString());
        assertThat(serve.settings().sampling()).isEqualTo(new dev.cria.serve.Sampling(50, 0.6f, 0.9f, 0));
        serve = new ServeCommand();
        new picocli.CommandLine(serve).parseArgs("--model", shipped.toString(), "--temperature", "1.2");
        assertThat(serve.settings().sampling()).isEqualTo(new dev.cria.serve.Sampling(50, 1.2f, 0.9f, 0));
        serve = new ServeCommand();
        new picocli.CommandLine(serve).parseArgs();
        assertThat(serve.settings().sampling()).isEqualTo(new dev.cria.serve.Sampling(200, 1.0f, 1.0f, 0));
    }

    @Test
    void helpSaysTheFileSetsTheDefaults() {
        assertThat(new picocli.CommandLine(new GenerateCommand()).getUsageMessage()).contains("generation_config.json");
    }

    private Path model(String name) {
        Llama model = Llama.initialize(new LlamaConfig(16, 1, 2, 1, 32, TOKENIZER.vocabSize(), 64, 1e-5f, 10000f, true), new Rng(3));
        Path out = dir.resolve(name);
        ModelDirectory.save(out, model, TOKENIZER);
        return out;
    }

    private static String[] with(String[] a, String... b) {
        var all = new java.util.ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(String[]::new);
    }

    private static String generate(Path model, String... flags) {
        PrintStream saved = System.out;
        var captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            var args = new java.util.ArrayList<>(List.of("generate", "--model", model.toString()));
            args.addAll(List.of(flags));
            assertThat(Main.execute(args.toArray(String[]::new))).isZero();
        } finally {
            System.setOut(saved);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
