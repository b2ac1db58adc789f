package dev.cria.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every command checks its flags before it does any work: a bad value is refused in one line that names
 * the flag and the value, with exit code 1 and nothing written. The model paths here do not exist, so a
 * command that loaded its model (or built its data) before checking its flags would fail differently.
 */
class CommandFlagsTest {
    @TempDir
    Path dir;

    /** Each row: the command line (with OUT for a fresh output path, NONE for a missing model), then the message expected. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            pretrain --out OUT --steps -1                            | --steps must be positive: -1
            pretrain --out OUT --batch 0                             | --batch must be positive: 0
            pretrain --out OUT --val-fraction 2                      | --val-fraction must be in [0, 1): 2.0
            pretrain --out OUT --seq-len 100000                      | --seq-len must be at most the model's --max-seq-len 512: 100000
            pretrain --out OUT --stories 1                           | --stories must be at least 2: 1
            pretrain --out OUT --resume --steps 0                    | --steps must be positive: 0
            sft --model NONE --out OUT --steps 0                     | --steps must be positive: 0
            sft --model NONE --out OUT --examples -5                 | --examples must be positive: -5
            sft --model NONE --out OUT --eval-every -1               | --eval-every must be 0 or more: -1
            sft --model NONE --out OUT --lora --lora-rank 0          | --lora-rank must be positive: 0
            reward --model NONE --out OUT --lora --lora-rank 0       | --lora-rank must be positive: 0
            dpo --model NONE --out OUT --lora --lora-rank 0          | --lora-rank must be positive: 0
            kto --model NONE --out OUT --lora --lora-rank 0          | --lora-rank must be positive: 0
            orpo --model NONE --out OUT --lora --lora-rank 0         | --lora-rank must be positive: 0
            simpo --model NONE --out OUT --lora --lora-rank 0        | --lora-rank must be positive: 0
            online-dpo --model NONE --out OUT --lora --lora-rank 0   | --lora-rank must be positive: 0
            ppo --model NONE --out OUT --lora --lora-rank 0          | --lora-rank must be positive: 0
            grpo --model NONE --out OUT --lora --lora-rank 0         | --lora-rank must be positive: 0
            rejection-sampling --model NONE --out OUT --lora --lora-rank 0 | --lora-rank must be positive: 0
            cats --model NONE --out OUT --lora --lora-rank 0         | --lora-rank must be positive: 0
            sft --model NONE --out OUT --max-len -3                  | --max-len must be positive, or 0 for the model's context: -3
            dpo --model NONE --out OUT --pairs 0                     | --pairs must be positive: 0
            dpo --model NONE --out OUT --beta 0                      | --beta must be positive: 0.0
            reward --model NONE --out OUT --batch -2                 | --batch must be positive: -2
            reward --model NONE --out OUT --val-fraction 1           | --val-fraction must be in [0, 1): 1.0
            ppo --model NONE --out OUT --iterations 0                | --iterations must be positive: 0
            ppo --model NONE --out OUT --value-from critic           | --value-from must be reward or policy: critic
            ppo --model NONE --out OUT --value-from reward           | --value-from reward needs --reward-model
            grpo --model NONE --out OUT -k 0                         | --samples-per-prompt must be positive: 0
            grpo --model NONE --out OUT --num-prompts 0              | --num-prompts must be positive: 0
            grpo --model NONE --out OUT --reward embedding:          | --reward: write it as embedding:TEXT, e.g. embedding:cat
            ppo --model NONE --out OUT --reward keyword:cat,embedding:=2 | --reward: write it as embedding:TEXT, e.g. embedding:cat
            cats --model NONE --out OUT --rounds 0                   | --rounds must be positive: 0
            judge --model NONE --max-new-tokens -1                   | --max-new-tokens must be positive: -1
            judge --model NONE --temperature -1                      | --temperature must be 0 or more: -1.0
            pairs --model NONE --out OUT --samples 1                 | --samples must be at least 2 to make a pair: 1
            pairs --model NONE --out OUT --judge oracle              | --judge: unknown judge 'oracle'; use annotator, reward-model:DIR, model:DIR or remote:URL[#MODEL]
            pairs --model NONE --out OUT --judge remote:ftp://h      | remote judge: the URL must be http:// or https:// with a host
            judge --model NONE --judge reward-model:                 | --judge reward-model needs a directory: reward-model:DIR
            online-dpo --model NONE --out OUT --max-new-tokens 0     | --max-new-tokens must be positive: 0
            online-dpo --model NONE --out OUT --temperature 0        | --temperature must be above 0, or the two answers are the same: 0.0
            online-dpo --model NONE --out OUT --num-prompts 0        | --num-prompts must be positive: 0
            online-dpo --model NONE --out OUT --judge-timeout 0      | --judge-timeout must be positive: 0
            rejection-sampling --model NONE --out OUT --samples 1    | --samples must be at least 2: 1
            rejection-sampling --model NONE --out OUT --rounds 0     | --rounds must be positive: 0
            generate --model NONE --best-of 1 --reward annotator     | --best-of must be at least 2: 1
            generate --model NONE --reward annotator                 | --reward ranks the answers of --best-of N; add --best-of
            generate --model NONE --max-new-tokens 0                 | --max-new-tokens must be positive: 0
            generate --model NONE --top-p 2                          | --top-p must be in (0, 1]: 2.0
            generate --model NONE --top-k -1                         | --top-k must be 0 or more: -1
            generate --model NONE --quantize q5_1                    | --quantize must be q8_0 or q4_0, not 'q5_1'
            eval --model NONE --data NONE --quantize int8             | --quantize must be q8_0 or q4_0, not 'int8'
            sft --model NONE --out OUT --lora --quantize q4           | --quantize must be q8_0 or q4_0, not 'q4'
            dpo --model NONE --out OUT --quantize q4                  | --quantize must be q8_0 or q4_0, not 'q4'
            grpo --model NONE --out OUT --quantize q4                 | --quantize must be q8_0 or q4_0, not 'q4'
            export llama2c --model NONE --out OUT --version 2        | llama2.c version must be 0 or 1: 2
            import llama2c --bin NONE --out OUT --tokenizer-json NONE --tokenizer NONE | give --tokenizer-json or --tokenizer, not both
            pack --data NONE --tokenizer NONE --out OUT --val-fraction 1.5 | --val-fraction must be in [0, 1): 1.5
            demo --out OUT --steps 0                                 | --steps must be positive: 0
            demo --out OUT --align-scale 0                           | --align-scale must be at least 1: 0
            rlhf --human --run OUT --reward-steps 0                  | --reward-steps must be positive: 0
            serve --model NONE --run OUT --port 70000                | --port must be from 0 to 65535
            serve simulate --api-key k --count 0                     | --count must be positive: 0
            bench gemm --seconds 0                                   | --seconds must be positive: 0.0
            stories --out OUT --count 0                              | --count must be positive: 0
            """)
    void aBadFlagIsRefusedBeforeAnyWork(String commandLine, String message) {
        Path out = dir.resolve("out");
        List<String> args = new ArrayList<>();
        for (String a : commandLine.strip().split("\\s+")) {
            args.add(switch (a) {
                case "OUT" -> out.toString();
                case "NONE" -> dir.resolve("no-such-model").toString();
                default -> a;
            });
        }
        PrintStream savedOut = System.out, savedErr = System.err;
        var stdout = new ByteArrayOutputStream();
        var stderr = new ByteArrayOutputStream();
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
        int code;
        long start = System.nanoTime();
        try {
            // a command that starts its work before checking its flags may run for minutes; stop waiting long before that
            code = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> Main.execute(args.toArray(String[]::new)));
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        String err = stderr.toString(StandardCharsets.UTF_8);
        assertThat(code).as(err).isEqualTo(1);
        assertThat(err).startsWith("cria: error: " + message.strip());
        assertThat(err.strip().lines()).as("one line, no stack trace").hasSize(1);
        assertThat(stdout.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(out).as("nothing written").doesNotExist();
        assertThat(millis).as("refused before any work").isLessThan(5_000);
    }
}
