package dev.cria.serve;

import dev.cria.train.RunSettings;
import dev.cria.train.RunDirectory;
import dev.cria.align.SftConfig;
import dev.cria.align.SftTrainer;
import dev.cria.align.TokenizedExample;
import dev.cria.chat.ChatTemplate;
import dev.cria.world.InstructionGenerator;
import dev.cria.chat.PromptExample;
import dev.cria.chat.SftTokens;
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
 * A policy a test can improve in seconds: a tiny byte-level model fine-tuned to tell one short story,
 * which half the time it finishes ({@link #GOOD}) and half the time it stops mid-sentence
 * ({@link #BAD}). The simulated annotator scores the finished story 5 points higher (a proper ending
 * instead of a truncated one), so labels, a reward model and PPO have one clear thing to learn: finish
 * the story. Both answers share their words up to the last one, so an update that garbles words
 * garbles both alike and cannot favour the shorter answer.
 */
final class TwoModePolicy {
    /** 13 words ending with a full stop: short (−4), properly ended (+1); it names a toy and a place. */
    static final String GOOD = "A child played with a red ball in the garden. The child was happy.";
    /** The same, stopped on a dangling word: no ending (−2), truncated (−2). */
    static final String BAD = "A child played with a red ball in the garden. The child was";

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
        var sft = new SftConfig(new RunSettings(16, 240, 5e-3, 20, 0, 1.0, 0, 0, seed));
        new SftTrainer(model, tokenizer, examples, List.of(), sft, RunDirectory.at(dir.resolve("sft"))).run(StopSignal.manual());
        Path out = dir.resolve("policy");
        ModelDirectory.save(out, model, tokenizer);
        return out;
    }
}
