package dev.cria.cli;

import dev.cria.align.LabelledExample;
import dev.cria.align.PreferencePair;
import dev.cria.align.TokenizedExample;
import dev.cria.chat.AlignmentJsonl;
import dev.cria.chat.ChatFormat;
import dev.cria.world.InstructionGenerator;
import dev.cria.chat.PreferenceExample;
import dev.cria.chat.PromptExample;
import dev.cria.chat.SftExample;
import dev.cria.chat.SftTokens;
import dev.cria.chat.UnpairedExample;
import dev.cria.util.CriaException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads alignment data (a TRL JSONL file, or the built-in generator), tokenizes it and splits off a held-out part. */
final class AlignData {
    /** Train and held-out parts of a list. */
    record Split<T>(List<T> train, List<T> val) {
    }

    private AlignData() {
    }

    static List<SftExample> sft(Path file, int builtIn, double echoShare, long seed) {
        if (file != null) return AlignmentJsonl.readSft(file);
        if (!(echoShare >= 0 && echoShare <= 1)) throw new CriaException("--echo-share must be in [0, 1]: " + echoShare);
        System.err.printf("using %,d built-in instruction examples, %.0f%% of them echo requests (seed %d)%n", builtIn, 100 * echoShare, seed);
        return new InstructionGenerator(seed).sft(builtIn, echoShare);
    }

    static List<PreferenceExample> preferences(Path file, int builtIn, long seed) {
        return preferences(file, "story", builtIn, seed);
    }

    /**
     * Preference pairs from {@code file}, else built-in ones of a kind: {@code story} (whole stories with
     * every kind of flaw), {@code request-check} (stories of one to three sentences with the wrong animal or
     * name) or {@code whole-request-check} (whole stories with the wrong animal or name).
     */
    static List<PreferenceExample> preferences(Path file, String kind, int builtIn, long seed) {
        if (file != null) return AlignmentJsonl.readPreferences(file);
        var generator = new InstructionGenerator(seed);
        List<PreferenceExample> pairs = switch (kind) {
            case "story" -> generator.preferences(builtIn);
            case "request-check" -> generator.requestChecks(builtIn);
            case "whole-request-check" -> generator.requestChecks(builtIn, true);
            default -> throw new CriaException("--built-in-pairs must be story, request-check or whole-request-check: " + kind);
        };
        System.err.printf("using %,d built-in %s pairs labelled by the simulated annotator (seed %d)%n", builtIn, kind, seed);
        return pairs;
    }

    /**
     * Unpaired examples (KTO's data) from {@code file}, split as it is ordered; else built-in preference
     * pairs, split first and then unpaired (chosen: good, rejected: bad), so both parts hold both kinds.
     */
    static Split<UnpairedExample> unpaired(Path file, int builtInPairs, double valFraction, long seed) {
        if (file != null) return split(AlignmentJsonl.readUnpaired(file), valFraction);
        var pairs = split(preferences(null, builtInPairs, seed), valFraction);
        System.err.printf("each built-in pair gives a good and a bad example: %,d to train on%n", 2 * pairs.train().size());
        return new Split<>(UnpairedExample.unpair(pairs.train()), UnpairedExample.unpair(pairs.val()));
    }

    /**
     * {@code pairs} followed by {@code n} built-in request checks on whole stories. The trainers draw their
     * batches at random, so appended pairs are mixed in. The checks come from another seed than the
     * built-in pairs, so they do not repeat their instructions.
     */
    static List<PreferenceExample> withRequestChecks(List<PreferenceExample> pairs, int n, long seed) {
        if (n < 0) throw new CriaException("--request-checks must be 0 or more: " + n);
        if (n == 0) return pairs;
        System.err.printf("adding %,d built-in whole-story request checks to the %,d training pairs%n", n, pairs.size());
        var mixed = new ArrayList<>(pairs);
        mixed.addAll(new InstructionGenerator(~seed).requestChecks(n, true));
        return mixed;
    }

    /**
     * The prompts' texts, from a prompt JSONL {@code file}, else {@code n} built-in ones of a kind (see
     * {@link #builtInPrompts}). Refuses to return none: every caller answers or trains on them.
     */
    static List<String> promptTexts(Path file, String kind, int n, long seed) {
        if (file == null && n <= 0) throw new CriaException("--num-prompts must be positive: " + n);
        var texts = new ArrayList<String>();
        for (PromptExample p : file != null ? AlignmentJsonl.readPrompts(file) : builtInPrompts(kind, n, seed)) texts.add(p.prompt());
        if (texts.isEmpty()) throw new CriaException(file + ": no prompts in it");
        return texts;
    }

    /** Built-in prompts of a kind: {@code story} instructions or {@code echo} requests (the copy task's). */
    static List<PromptExample> builtInPrompts(String kind, int n, long seed) {
        return switch (kind) {
            case "story" -> new InstructionGenerator(seed).prompts(n);
            case "echo" -> new InstructionGenerator(seed).echoPrompts(n);
            default -> throw new CriaException("--built-in-prompts must be story or echo: " + kind);
        };
    }

    /** The last {@code fraction} of the items are held out (at least one when there are two or more). */
    static <T> Split<T> split(List<T> items, double fraction) {
        if (!(fraction >= 0 && fraction < 1)) throw new CriaException("--val-fraction must be in [0, 1): " + fraction);
        if (items.isEmpty()) throw new CriaException("no examples to train on");
        int val = items.size() < 2 ? 0 : Math.max(fraction > 0 ? 1 : 0, (int) Math.round(items.size() * fraction));
        return new Split<>(items.subList(0, items.size() - val), items.subList(items.size() - val, items.size()));
    }

    static TokenizedExample tokenize(ChatFormat chat, String prompt, String response, int maxLen) {
        SftTokens t = chat.encode(prompt, response, maxLen);
        return new TokenizedExample(t.tokens(), t.promptLength());
    }

    static List<TokenizedExample> tokenizeSft(ChatFormat chat, List<SftExample> examples, int maxLen) {
        var out = new ArrayList<TokenizedExample>();
        for (SftExample e : examples) {
            SftTokens t = chat.encode(e.context(), e.response(), maxLen);
            out.add(new TokenizedExample(t.tokens(), t.promptLength()));
        }
        warnIfCut(out, chat, maxLen);
        return out;
    }

    static List<PreferencePair> tokenizePairs(ChatFormat chat, List<PreferenceExample> examples, int maxLen) {
        var out = new ArrayList<PreferencePair>();
        var all = new ArrayList<TokenizedExample>();
        for (PreferenceExample e : examples) {
            var pair = new PreferencePair(tokenize(chat, e.prompt(), e.chosen(), maxLen), tokenize(chat, e.prompt(), e.rejected(), maxLen));
            out.add(pair);
            all.add(pair.chosen());
            all.add(pair.rejected());
        }
        warnIfCut(all, chat, maxLen);
        return out;
    }

    static List<LabelledExample> tokenizeUnpaired(ChatFormat chat, List<UnpairedExample> examples, int maxLen) {
        var out = new ArrayList<LabelledExample>();
        for (UnpairedExample e : examples) out.add(new LabelledExample(tokenize(chat, e.prompt(), e.completion(), maxLen), e.label()));
        warnIfCut(out.stream().map(LabelledExample::example).toList(), chat, maxLen);
        return out;
    }

    /** Says how many responses lost their end (and eos) to the length limit: they teach no stopping, and hide flaws at the end. */
    private static void warnIfCut(List<TokenizedExample> examples, ChatFormat chat, int maxLen) {
        long cut = examples.stream().filter(e -> !endsTurn(e.tokens(), chat)).count();
        if (cut > 0) {
            System.err.printf("warning: %,d of %,d responses are longer than --max-len %d allows and lose their end, eos included%n",
                    cut, examples.size(), maxLen);
        }
    }

    /** True when the example ends with its turn's end, or with that token and a newline as ChatML templates write it. */
    private static boolean endsTurn(int[] tokens, ChatFormat chat) {
        int n = tokens.length;
        return chat.isStop(tokens[n - 1]) || n >= 2 && chat.isStop(tokens[n - 2]);
    }
}
