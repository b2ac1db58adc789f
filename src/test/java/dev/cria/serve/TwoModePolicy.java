package dev.cria.serve;

import dev.cria.align.SftConfig;
import dev.cria.align.SftTrainer;
import dev.cria.align.TokenizedExample;
import dev.cria.align.data.ChatTemplate;
import dev.cria.align.data.InstructionGenerator;
import dev.cria.align.data.PromptExample;
import dev.cria.align.data.SftTokens;
import dev.cria.checkpoint.ModelDirectory;
import dev.cria.model.Llama;
import dev.cria.model.LlamaConfig;
import dev.cria.tokenizer.ByteTokenizer;
import dev.cria.train.StopSignal;
import dev.cria.util.Rng;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A policy a test can improve in seconds: a tiny byte-level model fine-tuned to answer any prompt,
 * half the time, with a short story ({@link #GOOD}) and otherwise with a non-answer ({@link #BAD}).
 * The simulated annotator scores the story about 5 points higher, so labels, a reward model and PPO
 * have one clear thing to learn: answer with the story more often.
 */
final class TwoModePolicy {
    /** 16 words ending with a full stop: short (−4) but properly ended (+1), and it names a toy and a place. */
    static final String GOOD = "Once upon a time, a child played with a red ball in the garden. The child was happy.";
    /** Under ten words with no ending: −6 and −2. */
    static final String BAD = "I do not know";

    private TwoModePolicy() {
    }

    static Path train(Path dir, long seed) {
        var tokenizer = new ByteTokenizer();
        var config = new LlamaConfig(48, 2, 4, 2, 128, tokenizer.vocabSize(), 224, 1e-5f, 10000f, true);
        Llama model = Llama.initialize(config, new Rng(seed));
        List<PromptExample> prompts = new InstructionGenerator(seed).prompts(48);
        var examples = new ArrayList<TokenizedExample>();
        // subtle: every prompt comes with both answers, so the mode cannot be memorised per prompt and stays a coin flip
        for (PromptExample p : prompts) {
            for (String answer : List.of(GOOD, BAD)) {
                SftTokens t = ChatTemplate.encode(tokenizer, p.prompt(), answer, config.maxSeqLen());
                examples.add(new TokenizedExample(t.tokens(), t.promptLength()));
            }
        }
        var sft = new SftConfig(16, 200, 1e-2, 20, 0, 1.0, 0, 0, seed);
        new SftTrainer(model, tokenizer, examples, List.of(), sft, dir.resolve("sft")).run(StopSignal.manual());
        Path out = dir.resolve("policy");
        ModelDirectory.save(out, model, tokenizer);
        return out;
    }
}
