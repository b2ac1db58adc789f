package dev.cria.cli;

import dev.cria.kernels.QuantMatrix;
import dev.cria.align.RewardScores;
import dev.cria.align.judge.AnnotatorJudge;
import dev.cria.align.judge.ModelJudge;
import dev.cria.align.judge.PairJudge;
import dev.cria.align.judge.RemoteJudge;
import dev.cria.align.judge.RewardModelJudge;
import dev.cria.align.reward.RewardModelReward;
import dev.cria.checkpoint.ModelDirectory;
import dev.cria.util.CriaException;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The {@code --judge} flag of the commands that compare answers ({@code pairs}, {@code judge},
 * {@code online-dpo}): {@code annotator}, {@code reward-model:DIR}, {@code model:DIR} or
 * {@code remote:URL[#model]}. The command checks the spelling first ({@link #check}) and loads the
 * judge when it needs it ({@link #load}).
 */
final class JudgeSpec {
    static final String HELP = "Who compares two answers: annotator (the simulated annotator), reward-model:DIR (a reward model's"
            + " scores, σ(r_A − r_B)), model:DIR (a chat model asked \"A or B?\", read from its logits, both orders averaged: RLAIF)"
            + " or remote:URL[#MODEL] (an OpenAI-compatible server: llama.cpp, Ollama, ./cria serve; API key from $CRIA_JUDGE_API_KEY).";

    @Option(names = "--judge", defaultValue = "annotator", description = HELP + " Default: ${DEFAULT-VALUE}.")
    String spec;

    @Option(names = "--judge-timeout", defaultValue = "60", description = "Seconds to wait for a remote judge's answer. Default: ${DEFAULT-VALUE}.")
    int timeoutSeconds;

    /** Refuses a misspelled judge before anything is loaded. */
    void check() {
        String arg = argument();
        if (kind().equals("remote")) RemoteJudge.chatEndpoint(urlOf(arg));
        Flags.positive("--judge-timeout", timeoutSeconds);
    }

    boolean isAnnotator() {
        return kind().equals("annotator");
    }

    /** The judge; a judging model is held quantized to {@code quantize} (null: as stored). */
    PairJudge load(QuantMatrix.Kind quantize) {
        String arg = argument();
        return switch (kind()) {
            case "annotator" -> new AnnotatorJudge();
            case "reward-model" -> rewardModel(Path.of(arg), quantize);
            case "model" -> {
                var loaded = ModelDirectory.loadFrozen(Path.of(arg), quantize);
                yield new ModelJudge(loaded.model(), loaded.chat(), "model(" + arg + ")");
            }
            case "remote" -> remote(arg);
            default -> throw new IllegalStateException(spec);
        };
    }

    private String kind() {
        String s = spec == null ? "" : spec.strip();
        String kind = s.contains(":") ? s.substring(0, s.indexOf(':')) : s;
        return switch (kind) {
            case "annotator", "reward-model", "model", "remote" -> kind;
            default -> throw new CriaException("--judge: unknown judge '" + spec + "'; use annotator, reward-model:DIR, model:DIR or remote:URL[#MODEL]");
        };
    }

    /** What follows the colon; required for all but the annotator. */
    private String argument() {
        String s = spec.strip();
        String arg = s.contains(":") ? s.substring(s.indexOf(':') + 1) : null;
        boolean needs = !kind().equals("annotator");
        if (needs && (arg == null || arg.isBlank())) {
            throw new CriaException("--judge " + kind() + " needs " + (kind().equals("remote") ? "a URL: remote:http://127.0.0.1:8080[#MODEL]" : "a directory: " + kind() + ":DIR"));
        }
        if (!needs && arg != null) throw new CriaException("--judge annotator takes no argument: " + spec);
        return arg;
    }

    /** The URL of {@code URL[#MODEL]}. */
    private static String urlOf(String arg) {
        int hash = arg.lastIndexOf('#');
        return hash >= 0 ? arg.substring(0, hash) : arg;
    }

    private static PairJudge rewardModel(Path dir, QuantMatrix.Kind quantize) {
        var loaded = ModelDirectory.loadFrozen(dir, quantize);
        var chat = loaded.chat();
        var reward = new RewardModelReward(loaded.model(), chat, loaded.tokenizer(), RewardScores.read(loaded.dir()));
        return new RewardModelJudge(loaded.model(), reward, chat, "reward-model(" + dir + ")");
    }

    private PairJudge remote(String arg) {
        int hash = arg.lastIndexOf('#');
        String url = urlOf(arg);
        String model = hash >= 0 && hash < arg.length() - 1 ? arg.substring(hash + 1) : null;
        String key = System.getenv("CRIA_JUDGE_API_KEY");
        return new RemoteJudge(url, model, key == null || key.isBlank() ? null : key, Duration.ofSeconds(timeoutSeconds));
    }
}
