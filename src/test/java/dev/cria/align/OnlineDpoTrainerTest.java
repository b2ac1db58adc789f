package dev.cria.align;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cria.align.judge.PairJudge;
import dev.cria.autograd.Tensor;
import dev.cria.chat.BuiltInChat;
import dev.cria.model.Llama;
import dev.cria.model.LlamaConfig;
import dev.cria.model.LoraConfig;
import dev.cria.tokenizer.ByteTokenizer;
import dev.cria.train.RunDirectory;
import dev.cria.train.RunSettings;
import dev.cria.train.StopSignal;
import dev.cria.util.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnlineDpoTrainerTest {
    private static final ByteTokenizer TOKENIZER = new ByteTokenizer();
    private static final LlamaConfig SHAPE = new LlamaConfig(32, 2, 4, 2, 48, TOKENIZER.vocabSize(), 128, 1e-5f, 10000f, true);
    private static final List<String> PROMPTS = List.of("a story: sun", "a story: ball", "a story: hat", "a story: tree");

    @TempDir
    Path dir;

    /** Prefers the later answer in alphabetical order, certainly; only equal answers tie. */
    private record Later() implements PairJudge {
        @Override
        public double[] probabilityAWins(List<String> prompts, List<String> a, List<String> b) {
            double[] out = new double[prompts.size()];
            for (int i = 0; i < out.length; i++) out[i] = Math.signum(a.get(i).compareTo(b.get(i))) / 2 + 0.5;
            return out;
        }

        @Override
        public String name() {
            return "later";
        }
    }

    private static OnlineDpoConfig config(int steps) {
        return new OnlineDpoConfig(new RunSettings(4, steps, 5e-3, 0, 0.0, 1.0, 0, 0, 5), 0.1, new PreferenceLoss.Sigmoid(0), 24, 1f);
    }

    private static Map<String, float[]> copy(Map<String, Tensor> params) {
        var out = new HashMap<String, float[]>();
        params.forEach((name, t) -> out.put(name, t.data.clone()));
        return out;
    }

    @Test
    void everyTrainableParameterChangesAndTrlsMetricsAreLogged() throws Exception {
        Llama policy = Llama.initialize(SHAPE, new Rng(1));
        Llama reference = Llama.initialize(SHAPE, new Rng(1));
        var before = copy(policy.trainableParameters());
        var result = new OnlineDpoTrainer(policy, Reference.of(reference, policy), new BuiltInChat(TOKENIZER), PROMPTS, new Later(),
                config(3), RunDirectory.at(dir)).run(StopSignal.manual());
        assertThat(result.steps()).isEqualTo(3);
        policy.trainableParameters().forEach((name, t) -> assertThat(t.data).as(name).isNotEqualTo(before.get(name)));
        var lines = Files.readAllLines(dir.resolve(RunDirectory.METRICS));
        assertThat(lines).hasSize(3);
        var last = new ObjectMapper().readTree(lines.get(2));
        for (String key : List.of("objective/kl", "objective/entropy", "objective/non_score_reward", "rewards/chosen", "rewards/rejected",
                "rewards/margins", "rewards/accuracies", "logps/chosen", "logps/rejected", "val/contain_eos_token", "beta",
                "judge/ties", "judge/confidence")) {
            assertThat(last.has(key)).as(key).isTrue();
        }
        assertThat(dir.resolve(OnlineDpoTrainer.PLOT)).exists();
    }

    @Test
    void loraPolicyTrainsAgainstItsOwnBase() {
        Llama policy = Llama.initialize(SHAPE, new Rng(1));
        policy.attachLora(new LoraConfig(4, 8, 0, LoraConfig.MODULES), new Rng(2));
        var before = copy(policy.trainableParameters());
        new OnlineDpoTrainer(policy, Reference.baseOf(policy), new BuiltInChat(TOKENIZER), PROMPTS, new Later(), config(2), RunDirectory.at(dir))
                .run(StopSignal.manual());
        policy.trainableParameters().forEach((name, t) -> assertThat(t.data).as(name).isNotEqualTo(before.get(name)));
    }

    @Test
    void aJudgeThatCannotTellAnswersApartMakesNoPairsAndTrainsNothing() {
        Llama policy = Llama.initialize(SHAPE, new Rng(1));
        var before = copy(policy.trainableParameters());
        PairJudge undecided = new PairJudge() {
            @Override
            public double[] probabilityAWins(List<String> prompts, List<String> a, List<String> b) {
                double[] out = new double[prompts.size()];
                java.util.Arrays.fill(out, 0.5);
                return out;
            }

            @Override
            public String name() {
                return "undecided";
            }
        };
        var result = new OnlineDpoTrainer(policy, Reference.of(Llama.initialize(SHAPE, new Rng(1)), policy), new BuiltInChat(TOKENIZER), PROMPTS,
                undecided, config(2), RunDirectory.at(dir)).run(StopSignal.manual());
        assertThat(result.metric("judge/ties")).isEqualTo(1.0);
        assertThat(result.trainLoss()).isZero();
        policy.trainableParameters().forEach((name, t) -> assertThat(t.data).as(name).isEqualTo(before.get(name)));
    }

    @Test
    void judgeStatsCountTiesAndAgreementWithTheAnnotator() {
        String prompt = "Write a story about a cat named Tom.";
        String good = "Once upon a time, there was a cat named Tom. Tom liked to play in the park with his red ball every day. "
                + "One day he found a new friend, a little bird, and they played together until the sun went down. "
                + "Tom was very happy. He went home and told his mom about his new friend. She smiled and gave him a hug. "
                + "From that day on, Tom and the bird played in the park every morning, and they were the best of friends.";
        var stats = OnlineDpoTrainer.JudgeStats.of(List.of(prompt, prompt, prompt), List.of(good, "the the", good),
                List.of("the the", good, "x"), new double[] {0.9, 0.8, 0.5});
        assertThat(stats.get("judge/ties")).isEqualTo(1 / 3.0);
        assertThat(stats.get("judge/annotator_agreement")).isEqualTo(0.5);
        assertThat(stats.get("judge/confidence")).isCloseTo((0.8 + 0.6) / 3, org.assertj.core.data.Offset.offset(1e-12));
    }
}
