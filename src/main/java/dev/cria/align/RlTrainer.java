package dev.cria.align;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cria.align.reward.Reward;
import dev.cria.autograd.Grad;
import dev.cria.autograd.Ops;
import dev.cria.autograd.Tensor;
import dev.cria.checkpoint.ModelDirectory;
import dev.cria.checkpoint.TrainingState;
import dev.cria.generate.Generator;
import dev.cria.generate.Sampler;
import dev.cria.model.Llama;
import dev.cria.chat.ChatFormat;
import dev.cria.tokenizer.Tokenizer;
import dev.cria.train.AdamW;
import dev.cria.train.GradClip;
import dev.cria.train.RunDirectory;
import dev.cria.train.ProgressBar;
import dev.cria.train.StopSignal;
import dev.cria.train.TrainingDiverged;
import dev.cria.util.CriaException;
import dev.cria.util.Rng;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RL from a reward: PPO with a value model, or the critic-free REINFORCE, RLOO and GRPO, all on one
 * rollout path. One round is:
 * <ol>
 *   <li>sample {@code prompts × samplesPerPrompt} responses from the policy (batched, KV cache, pure
 *       sampling at the configured temperature);</li>
 *   <li>score them with the reward, penalising responses that never emitted eos;</li>
 *   <li>compute the policy's and the frozen reference's log-probs of the sampled tokens (and the values,
 *       for PPO) under the same temperature; padding is masked, so its KL is exactly 0;</li>
 *   <li>turn scores and the per-token KL into advantages (see {@link Estimator}); PPO credits a score's
 *       per-token part ({@link Reward#tokenScores}) to its tokens and the rest to the last token;</li>
 *   <li>run epochs × minibatches of the clipped surrogate (plus the clipped value loss for PPO, or the
 *       k3 KL term for GRPO), skipping a minibatch whose loss is not finite or whose ratio explodes;</li>
 *   <li>update the adaptive KL coefficient, log TRL's metrics, checkpoint on schedule.</li>
 * </ol>
 */
public final class RlTrainer {
    public static final String REWARD_PLOT = "rl_reward.png";
    public static final String KL_PLOT = "rl_kl.png";
    public static final String ENTROPY_PLOT = "rl_entropy.png";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Consecutive skipped minibatches after which the run stops, keeping its last checkpoint. */
    private static final int MAX_SKIPS = 5;

    /** A prompt as text (for rewards and logs) and as the tokens the policy continues. */
    public record Prompt(String text, int[] tokens) {
    }

    private final Llama policy;
    private final Generator generator; // kept across iterations: its decoder and cache are reused, not allocated anew
    private final Reference reference;
    private final Llama critic;      // PPO only
    private final ChatFormat chat;
    private final Tokenizer tokenizer;
    private final Reward reward;
    private final List<Prompt> prompts;
    private final RlConfig config;
    private final RunDirectory run;
    private final AdamW policyOptimizer;
    private final AdamW criticOptimizer;
    private final KlController kl;
    private final Rng rng;
    private long iteration;
    private int skips;
    private double lastGradNorm = Double.NaN;

    public RlTrainer(Llama policy, Reference reference, Llama critic, ChatFormat chat, Reward reward, List<Prompt> prompts,
                     RlConfig config, RunDirectory run) {
        if (prompts.isEmpty()) throw new CriaException("no prompts to train on");
        if (chat.stopTokens().length == 0) throw new CriaException("RL needs a token that ends a response (it is scored as finished there)");
        if (config.estimator().needsCritic() && (critic == null || !critic.hasScoreHead())) {
            throw new CriaException("PPO needs a value model with a scalar head (from the reward model or the policy)");
        }
        for (Prompt p : prompts) {
            if (p.tokens().length == 0) throw new CriaException("empty prompt: '" + p.text() + "'");
            if (p.tokens().length + config.maxNewTokens() > policy.config().maxSeqLen()) {
                throw new CriaException("prompt '" + abbreviate(p.text()) + "' has " + p.tokens().length + " tokens; with --max-new-tokens "
                        + config.maxNewTokens() + " it exceeds the model's context of " + policy.config().maxSeqLen());
            }
        }
        this.policy = policy;
        this.generator = new Generator(policy);
        this.reference = reference;
        this.critic = config.estimator().needsCritic() ? critic : null;
        this.chat = chat;
        this.tokenizer = chat.tokenizer();
        this.reward = reward;
        this.prompts = prompts;
        this.config = config;
        this.run = run;
        this.policyOptimizer = new AdamW(policy.trainableParameters(), (float) AdamW.BETA1, (float) AdamW.BETA2, AdamW.EPS, 0f);
        this.criticOptimizer = this.critic == null ? null : new AdamW(this.critic.trainableParameters(), (float) AdamW.BETA1, (float) AdamW.BETA2,
                AdamW.EPS, 0f);
        this.kl = config.klTarget() > 0 ? new AdaptiveKlController(config.klCoef(), config.klTarget(), config.klHorizon())
                : new FixedKlController(config.klCoef());
        this.rng = new Rng(config.seed() ^ 0x9E1L);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }

    /** Continues a run from the policy checkpoint (and the critic's, for PPO). */
    public RlTrainer resumeFrom(ModelDirectory.Loaded policyCheckpoint, ModelDirectory.Loaded criticCheckpoint) {
        TrainingState state = stateOf(policyCheckpoint);
        run.resume(config.estimator().name(), state, policyOptimizer, policyCheckpoint.optimizer(), policyCheckpoint.dir());
        if (criticOptimizer != null && criticCheckpoint != null) {
            RunDirectory.restoreMoments(criticOptimizer, stateOf(criticCheckpoint), criticCheckpoint.optimizer(), criticCheckpoint.dir());
        }
        rng.setState(state.rngState());
        iteration = state.step();
        double beta = state.runConfig().path("beta").asDouble(config.klCoef());
        if (kl instanceof AdaptiveKlController adaptive) adaptive.setBeta(beta);
        return this;
    }

    private static TrainingState stateOf(ModelDirectory.Loaded checkpoint) {
        return checkpoint.state().orElseThrow(() -> new CriaException(checkpoint.dir() + ": no trainer state to resume"));
    }

    public long iteration() {
        return iteration;
    }

    /** Runs the remaining rounds; returns the last round's metrics. */
    public Map<String, Double> run(StopSignal stop) {
        var progress = new ProgressBar(config.estimator().name(), iteration, config.iterations());
        Map<String, Double> last = Map.of();
        while (iteration < config.iterations()) {
            if (stop.requested()) {
                System.err.printf("%nstopping: saving a checkpoint at round %d%n", iteration);
                break;
            }
            last = round();
            iteration++;
            run.log(iteration, last);
            progress.update(iteration, String.format("score %.3f  kl %.3f  beta %.3g", last.get("objective/scores"),
                    last.get("objective/kl"), kl.beta()));
            if (config.saveEvery() > 0 && iteration % config.saveEvery() == 0 && iteration < config.iterations()) save();
        }
        save();
        run.drawPlots(plots(), "round");
        return last;
    }

    /** One rollout-and-update round (the numbered recipe in the class comment). */
    private Map<String, Double> round() {
        // 1. rollouts
        int k = config.samplesPerPrompt();
        var batchPrompts = new ArrayList<Prompt>();
        for (int i = 0; i < config.prompts(); i++) {
            Prompt p = prompts.get(rng.nextInt(prompts.size()));
            for (int j = 0; j < k; j++) batchPrompts.add(p);
        }
        var promptTokens = new ArrayList<int[]>();
        for (Prompt p : batchPrompts) promptTokens.add(p.tokens());
        var completions = generator.generate(promptTokens, config.maxNewTokens(), new Sampler(config.temperature(), 0, 1f),
                rng, chat.stopTokens(), null);
        int N = batchPrompts.size();
        var sequences = new ArrayList<int[]>();
        int[] starts = new int[N];
        var samples = new ArrayList<Reward.Sample>();
        int finished = 0;
        for (int i = 0; i < N; i++) {
            int[] prompt = promptTokens.get(i), response = completions.get(i).tokens();
            boolean done = completions.get(i).finish() == Generator.Finish.STOP_TOKEN;
            if (done) finished++;
            int[] seq = new int[prompt.length + response.length + (done ? 1 : 0)];
            System.arraycopy(prompt, 0, seq, 0, prompt.length);
            System.arraycopy(response, 0, seq, prompt.length, response.length);
            if (done) seq[seq.length - 1] = completions.get(i).stopToken();
            if (seq.length == prompt.length) seq = java.util.Arrays.copyOf(seq, seq.length + 1); // empty response: score a pad
            sequences.add(seq);
            starts[i] = prompt.length;
            samples.add(new Reward.Sample(batchPrompts.get(i).text(), tokenizer.decode(response), prompt, response, done));
        }
        SequenceBatch batch = SequenceBatch.of(sequences, starts, SequenceBatch.padId(tokenizer));
        float[] mask = batch.responseMask();

        // 2. scores
        float[] scores = reward.score(samples);
        float[][] tokenScores = reward.tokenScores(samples);
        for (int i = 0; i < N; i++) {
            if (!samples.get(i).finished()) scores[i] -= (float) config.missingEosPenalty();
            if (config.rewardClip() > 0) scores[i] = (float) Math.max(-config.rewardClip(), Math.min(config.rewardClip(), scores[i]));
        }

        // 3. log-probs of the sampled tokens under policy and reference, and values
        float[] oldLogp, refLogp, entropy, oldValues = null;
        try (var off = Grad.off()) {
            var policyScores = TokenLogProbs.withEntropy(policy, batch, config.temperature());
            oldLogp = policyScores.logProbs().data;
            entropy = policyScores.entropy();
            refLogp = reference.tokenLogProbs(batch, config.temperature());
            if (critic != null) oldValues = Ops.mul(critic.values(batch.tokens, batch.B, batch.T), Tensor.of(mask, mask.length)).data;
        }
        float[] k1 = KlEstimators.k1(oldLogp, refLogp);
        float[] k3 = KlEstimators.k3(oldLogp, refLogp);
        for (int i = 0; i < k1.length; i++) {
            k1[i] *= mask[i];
            k3[i] *= mask[i];
        }
        double beta = kl.beta();
        float[] seqKl = rowSums(k1, batch), seqK3 = rowSums(k3, batch);

        // 4. advantages
        float[] advantages, returns = null;
        switch (config.estimator()) {
            case Estimator.Ppo p -> {
                float[] rewards = Advantages.tokenRewards(k1, beta, scores, tokenScores, batch);
                var gae = Advantages.gae(rewards, oldValues, mask, batch.B, batch.T, config.gamma(), config.lambda());
                advantages = Advantages.whiten(gae.advantages(), mask, true);
                returns = gae.returns();
            }
            case Estimator.Reinforce r -> advantages = broadcast(minusMean(klPenalised(scores, seqKl, beta)), batch, mask);
            case Estimator.Rloo r -> advantages = broadcast(Advantages.leaveOneOutBaseline(klPenalised(scores, seqKl, beta), k), batch, mask);
            case Estimator.Grpo g -> advantages = broadcast(Advantages.groupNormalized(scores, k, true), batch, mask);
        }

        // 5. epochs × minibatches
        var stats = new LinkedHashMap<String, Double>();
        int updates = 0;
        for (int epoch = 0; epoch < config.epochs(); epoch++) {
            int[] order = shuffled(N);
            for (int mb = 0; mb < config.minibatches(); mb++) {
                int from = N * mb / config.minibatches(), to = N * (mb + 1) / config.minibatches();
                int[] rows = java.util.Arrays.copyOfRange(order, from, to);
                if (update(batch, rows, oldLogp, refLogp, advantages, oldValues, returns, stats)) updates++;
            }
        }

        // 6. KL control and metrics (TRL's names)
        double meanKl = mean(seqKl), meanScore = mean(scores);
        kl.update(meanKl, N);
        var m = new LinkedHashMap<String, Double>();
        m.put("objective/kl", meanKl);
        m.put("objective/kl3", mean(seqK3));
        m.put("objective/scores", meanScore);
        m.put("objective/non_score_reward", -beta * meanKl);
        m.put("objective/rlhf_reward", meanScore - beta * meanKl);
        m.put("objective/beta", beta);
        m.put("policy/entropy_avg", maskedMean(entropy, mask));
        m.put("val/num_eos_tokens", (double) finished);
        m.put("val/response_length", batch.tokenCount() / (double) N - meanPromptLength(batch));
        if (meanKl < 0) m.put("warning/negative_kl", meanKl);
        int done = updates;
        stats.forEach((key, total) -> m.put(key, total / Math.max(1, done)));
        m.put("train/skipped_minibatches", (double) (config.epochs() * config.minibatches() - updates));
        return m;
    }

    /** One minibatch update; false (and a warning) when it had to be skipped. */
    private boolean update(SequenceBatch batch, int[] rows, float[] oldLogp, float[] refLogp, float[] advantages, float[] oldValues,
                           float[] returns, Map<String, Double> stats) {
        SequenceBatch sub = batch.rows(rows);
        float[] mask = sub.responseMask();
        policyOptimizer.zeroGrad();
        if (criticOptimizer != null) criticOptimizer.zeroGrad();
        Tensor newLogp = TokenLogProbs.of(policy, sub, config.temperature());
        var policyLoss = PpoLosses.policy(newLogp, batch.gather(oldLogp, rows), batch.gather(advantages, rows), mask, config.clipRange());
        Tensor loss = policyLoss.loss();
        var step = new LinkedHashMap<>(policyLoss.metrics());
        if (config.estimator() instanceof Estimator.Grpo && config.klCoef() > 0) {
            Tensor k3 = KlEstimators.k3(newLogp, Tensor.of(batch.gather(refLogp, rows), newLogp.size()));
            loss = Ops.add(loss, Ops.scale(Ops.maskedMean(k3, mask), (float) config.klCoef()));
        }
        if (critic != null) {
            Tensor values = critic.values(sub.tokens, sub.B, sub.T);
            var valueLoss = PpoLosses.value(values, batch.gather(oldValues, rows), batch.gather(returns, rows), mask, config.clipRangeValue());
            loss = Ops.add(loss, Ops.scale(valueLoss.loss(), (float) config.vfCoef()));
            step.putAll(valueLoss.metrics());
        }
        double lossValue = loss.item();
        double ratio = policyLoss.meanRatio();
        if (!Double.isFinite(lossValue) || !(ratio <= config.maxRatio())) {
            System.err.printf("%nwarning: round %d: skipped a minibatch (loss %s, mean ratio %s)%n", iteration, lossValue, ratio);
            if (++skips >= MAX_SKIPS) {
                throw new TrainingDiverged(iteration, config.lr(), lossValue, lastGradNorm,
                        skips + " minibatches in a row had a non-finite loss or a mean ratio above --max-ratio " + config.maxRatio()
                                + " (the last: " + ratio + "); the gradient norm is the last good update's");
            }
            return false;
        }
        skips = 0;
        loss.backward();
        lastGradNorm = GradClip.globalNorm(policy.trainableParameters().values());
        policyOptimizer.step((float) config.lr(), GradClip.scale(lastGradNorm, config.gradClip()));
        if (critic != null) {
            double criticNorm = GradClip.globalNorm(critic.trainableParameters().values());
            criticOptimizer.step((float) config.lr(), GradClip.scale(criticNorm, config.gradClip()));
        }
        step.forEach((key, v) -> stats.merge(key, v, Double::sum));
        return true;
    }

    private int[] shuffled(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    private static float[] klPenalised(float[] scores, float[] seqKl, double beta) {
        float[] r = new float[scores.length];
        for (int i = 0; i < r.length; i++) r[i] = (float) (scores[i] - beta * seqKl[i]);
        return r;
    }

    private static float[] minusMean(float[] x) {
        double m = mean(x);
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) out[i] = (float) (x[i] - m);
        return out;
    }

    /** A sequence-level advantage copied to every response position of its row. */
    private static float[] broadcast(float[] perSequence, SequenceBatch batch, float[] mask) {
        float[] out = new float[mask.length];
        for (int i = 0; i < out.length; i++) out[i] = perSequence[i / batch.T] * mask[i];
        return out;
    }

    private static float[] rowSums(float[] x, SequenceBatch batch) {
        float[] out = new float[batch.B];
        for (int i = 0; i < x.length; i++) out[i / batch.T] += x[i];
        return out;
    }

    private static double mean(float[] x) {
        double s = 0;
        for (float v : x) s += v;
        return s / Math.max(1, x.length);
    }

    /** Mean over the positions where mask is 1 (the response tokens). */
    private static double maskedMean(float[] x, float[] mask) {
        double sum = 0, count = 0;
        for (int i = 0; i < x.length; i++) {
            sum += x[i] * mask[i];
            count += mask[i];
        }
        return count == 0 ? 0 : sum / count;
    }

    private static double meanPromptLength(SequenceBatch batch) {
        double s = 0;
        for (int v : batch.trainFrom) s += v;
        return s / batch.B;
    }

    private void save() {
        var runConfig = JSON.createObjectNode();
        runConfig.put("estimator", config.estimator().name());
        runConfig.put("beta", kl.beta());
        runConfig.put("reward", reward.name());
        runConfig.set("config", JSON.valueToTree(config));
        var state = new TrainingState(config.estimator().name(), iteration, policyOptimizer.stepCount(), rng.state(), 0, 0, runConfig);
        run.saveCheckpoint(policy, tokenizer, policyOptimizer, state);
        if (critic != null) {
            var criticState = new TrainingState("critic", iteration, criticOptimizer.stepCount(), rng.state(), 0, 0, runConfig);
            run.nested(CRITIC_DIR).saveCheckpoint(critic, tokenizer, criticOptimizer, criticState);
        }
    }

    /** Where PPO's value model is checkpointed, inside the run directory. */
    public static final String CRITIC_DIR = "critic";

    private List<RunDirectory.Plot> plots() {
        String title = "Cria " + config.estimator().name().toUpperCase(java.util.Locale.ROOT);
        return List.of(new RunDirectory.Plot(REWARD_PLOT, title, "reward", List.of("objective/scores", "objective/rlhf_reward")),
                new RunDirectory.Plot(KL_PLOT, title, "KL to the reference (nats per response)", List.of("objective/kl", "objective/kl3")),
                new RunDirectory.Plot(ENTROPY_PLOT, title, "policy entropy (nats per token)", List.of("policy/entropy_avg")));
    }
}
