package dev.cria.align;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cria.align.judge.PairJudge;
import dev.cria.autograd.Tensor;
import dev.cria.chat.ChatFormat;
import dev.cria.checkpoint.TrainingState;
import dev.cria.generate.Generator;
import dev.cria.generate.Sampler;
import dev.cria.io.TensorData;
import dev.cria.model.Llama;
import dev.cria.train.AdamW;
import dev.cria.train.RunDirectory;
import dev.cria.train.StopSignal;
import dev.cria.train.TrainingLoop;
import dev.cria.util.CriaException;
import dev.cria.util.Rng;
import dev.cria.world.SimulatedAnnotator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Online DPO: each step (1) draws a batch of prompts, (2) samples two answers to each from the current
 * policy, (3) asks the judge which is better, (4) applies the DPO loss ({@link PreferenceLoss}, the
 * log-probs of {@link DpoTrainer}) to the judged pairs against the frozen {@link Reference}. The pairs
 * are on-policy at every step, unlike offline DPO's fixed data set.
 *
 * <p>Logs TRL's OnlineDPOTrainer names ({@code objective/kl}, {@code objective/entropy},
 * {@code objective/non_score_reward}, {@code rewards/*}, {@code logps/*}, {@code val/contain_eos_token},
 * {@code beta}) and how the judge decided: {@code judge/ties}, {@code judge/confidence} and
 * {@code judge/annotator_agreement} (how often it picks the answer the simulated annotator prefers).
 * There is no held-out set: the judge's verdicts on fresh samples are the signal.
 */
public final class OnlineDpoTrainer {
    public static final String PLOT = "online_dpo_rewards.png";
    public static final String LOSS_PLOT = "online_dpo_loss.png";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TrainingLoop loop;

    public OnlineDpoTrainer(Llama policy, Reference reference, ChatFormat chat, List<String> prompts, PairJudge judge,
                            OnlineDpoConfig config, RunDirectory run) {
        if (prompts.isEmpty()) throw new CriaException("no prompts to sample answers for");
        var promptTokens = new ArrayList<int[]>();
        for (String p : prompts) {
            int[] tokens = chat.promptTokens(p);
            if (tokens.length >= policy.config().maxSeqLen()) {
                throw new CriaException("a prompt is " + tokens.length + " tokens, which leaves no room for an answer in the model's context of "
                        + policy.config().maxSeqLen() + ": \"" + (p.length() <= 60 ? p : p.substring(0, 57) + "...") + "\"");
            }
            promptTokens.add(tokens);
        }
        var objective = new OnlinePairs(policy, new Generator(policy), reference, chat, prompts, promptTokens, judge, config, SequenceBatch.padId(chat.tokenizer()));
        var settings = new TrainingLoop.Settings("online-dpo", config.run().steps(), config.run().schedule(), config.run().gradClip(),
                AdamW.BETA1, AdamW.BETA2, config.run().weightDecay(), config.run().evalEvery(), config.run().saveEvery(), List.of(
                new RunDirectory.Plot(LOSS_PLOT, "Cria online DPO", config.loss().name() + " loss", List.of("train/loss")),
                new RunDirectory.Plot(PLOT, "Cria online DPO", "implicit reward and KL",
                        List.of("rewards/chosen", "rewards/rejected", "rewards/margins", "objective/kl"))));
        var runConfig = JSON.createObjectNode();
        runConfig.put("beta", config.beta());
        runConfig.put("loss", config.loss().name());
        runConfig.put("steps", config.run().steps());
        runConfig.put("batch", config.run().batchSize());
        runConfig.put("lr", config.run().lr());
        runConfig.put("max_new_tokens", config.maxNewTokens());
        runConfig.put("temperature", config.temperature());
        runConfig.put("judge", judge.name());
        loop = new TrainingLoop(policy, chat.tokenizer(), objective, settings, run, runConfig, new Rng(config.run().seed() ^ 0x0D90L));
    }

    public OnlineDpoTrainer resumeFrom(TrainingState state, Map<String, TensorData> optimizer, Path source) {
        loop.resumeFrom(state, optimizer, source);
        return this;
    }

    public TrainingLoop.Result run(StopSignal stop) {
        return loop.run(stop);
    }

    /** Two sampled answers to one prompt, A and B, as tokens (with the stop token when the answer ended) and text. */
    record Sampled(TokenizedExample a, TokenizedExample b, String textA, String textB, boolean endedA, boolean endedB) {
    }

    /** The generator is kept from step to step, so its decoder and cache are reused rather than allocated each time. */
    private record OnlinePairs(Llama policy, Generator generator, Reference reference, ChatFormat chat, List<String> prompts, List<int[]> promptTokens,
                               PairJudge judge, OnlineDpoConfig config, int pad) implements TrainingLoop.Objective {
        @Override
        public TrainingLoop.StepResult step(Rng rng) {
            // 1. prompts
            int B = config.run().batchSize();
            var picked = new ArrayList<Integer>();
            for (int i = 0; i < B; i++) picked.add(rng.nextInt(prompts.size()));
            // 2. two answers each, from the policy as it is now
            List<Sampled> sampled = sample(picked, rng);
            // 3. the judge's verdicts; a tie teaches nothing, so it makes no pair
            var texts = new ArrayList<String>();
            var answersA = new ArrayList<String>();
            var answersB = new ArrayList<String>();
            for (int i = 0; i < B; i++) {
                texts.add(prompts.get(picked.get(i)));
                answersA.add(sampled.get(i).textA());
                answersB.add(sampled.get(i).textB());
            }
            double[] aWins = judge.probabilityAWins(texts, answersA, answersB);
            var pairs = new ArrayList<PreferencePair>();
            long tokens = 0;
            int ended = 0;
            for (int i = 0; i < B; i++) {
                Sampled s = sampled.get(i);
                tokens += s.a().tokens().length + s.b().tokens().length;
                ended += (s.endedA() ? 1 : 0) + (s.endedB() ? 1 : 0);
                if (aWins[i] > 0.5) pairs.add(new PreferencePair(s.a(), s.b()));
                else if (aWins[i] < 0.5) pairs.add(new PreferencePair(s.b(), s.a()));
            }
            var metrics = new LinkedHashMap<String, Double>(JudgeStats.of(texts, answersA, answersB, aWins));
            metrics.put("val/contain_eos_token", ended / (2.0 * B));
            metrics.put("beta", config.beta());
            if (pairs.isEmpty()) return new TrainingLoop.StepResult(0, tokens, metrics);
            // 4. DPO on the judged pairs
            float[][] ref = reference.read(model -> {
                Tensor[] t = TokenLogProbs.pairSums(model, pairs, pad);
                return new float[][] {t[0].data, t[1].data};
            });
            Tensor[] pol = TokenLogProbs.pairSums(policy, pairs, pad);
            Tensor rc = Tensor.of(ref[0], pairs.size()), rr = Tensor.of(ref[1], pairs.size());
            Tensor loss = config.loss().loss(pol[0], pol[1], rc, rr, config.beta());
            metrics.putAll(DpoMetrics.of(pol[0], pol[1], rc, rr, config.beta()).metrics());
            double kl = 0, logp = 0;
            for (int i = 0; i < pairs.size(); i++) {
                kl += (pol[0].data[i] - ref[0][i]) + (pol[1].data[i] - ref[1][i]);
                logp += pol[0].data[i] + pol[1].data[i];
            }
            kl /= 2 * pairs.size();
            metrics.put("objective/kl", kl);
            metrics.put("objective/entropy", -logp / (2 * pairs.size()));
            metrics.put("objective/non_score_reward", -config.beta() * kl);
            float value = loss.item();
            loss.backward();
            return new TrainingLoop.StepResult(value, tokens, metrics);
        }

        /**
         * Answers A to every picked prompt, then answers B, in one batch. subtle: their log-probs are scored
         * at temperature 1 (the policy itself, which DPO's implicit reward is written in), whatever the
         * sampling temperature was.
         */
        private List<Sampled> sample(List<Integer> picked, Rng rng) {
            var batch = new ArrayList<int[]>();
            for (int round = 0; round < 2; round++) for (int k : picked) batch.add(promptTokens.get(k));
            Sampler sampler = new Sampler(config.temperature(), 0, 1f);
            var done = generator.generate(batch, config.maxNewTokens(), sampler, rng, chat.stopTokens(), null);
            int B = picked.size();
            var out = new ArrayList<Sampled>();
            for (int i = 0; i < B; i++) {
                Generator.Completion a = done.get(i), b = done.get(B + i);
                int[] prompt = batch.get(i);
                out.add(new Sampled(example(prompt, a), example(prompt, b), chat.decodeResponse(a.tokens()), chat.decodeResponse(b.tokens()),
                        a.finish() == Generator.Finish.STOP_TOKEN, b.finish() == Generator.Finish.STOP_TOKEN));
            }
            return out;
        }

        /** Prompt, answer and the stop token that ended it (so stopping is learned too). */
        private static TokenizedExample example(int[] prompt, Generator.Completion c) {
            boolean ended = c.finish() == Generator.Finish.STOP_TOKEN;
            int[] tokens = new int[prompt.length + c.tokens().length + (ended ? 1 : 0)];
            System.arraycopy(prompt, 0, tokens, 0, prompt.length);
            System.arraycopy(c.tokens(), 0, tokens, prompt.length, c.tokens().length);
            if (ended) tokens[tokens.length - 1] = c.stopToken();
            return new TokenizedExample(tokens, prompt.length);
        }

        @Override
        public Map<String, Double> evaluate() {
            return Map.of();
        }
    }

    /** How the judge decided on a batch, and how often its pick is the simulated annotator's. */
    static final class JudgeStats {
        private JudgeStats() {
        }

        static Map<String, Double> of(List<String> prompts, List<String> a, List<String> b, double[] aWins) {
            var annotator = new SimulatedAnnotator();
            int ties = 0, compared = 0, agreed = 0;
            double confidence = 0;
            for (int i = 0; i < aWins.length; i++) {
                confidence += Math.abs(2 * aWins[i] - 1);
                if (aWins[i] == 0.5) {
                    ties++;
                    continue;
                }
                int truth = annotator.prefer(prompts.get(i), a.get(i), b.get(i));
                if (truth == 0) continue;
                compared++;
                if ((truth > 0) == (aWins[i] > 0.5)) agreed++;
            }
            var out = new LinkedHashMap<String, Double>();
            out.put("judge/ties", ties / (double) aWins.length);
            out.put("judge/confidence", confidence / aWins.length);
            if (compared > 0) out.put("judge/annotator_agreement", agreed / (double) compared);
            return out;
        }
    }
}
