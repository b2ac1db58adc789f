package dev.cria.cli;

import dev.cria.align.Estimator;
import dev.cria.align.RlTrainer;
import dev.cria.checkpoint.ModelDirectory;
import dev.cria.model.Llama;
import dev.cria.train.RunDirectory;
import dev.cria.train.StopSignal;
import dev.cria.util.CriaException;
import dev.cria.util.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** What {@code cria ppo} and {@code cria grpo} share: models, reward, prompts, the run itself. */
abstract class RlCommand {
    @Option(names = "--model", description = "Policy to start from, usually the SFT model (not needed with --resume).")
    Path model;

    @Option(names = "--reference", description = "Frozen reference. Default: a copy of --model (with --lora: the base, adapters off).")
    Path reference;

    @Option(names = "--out", required = true, description = "Run directory.")
    Path out;

    @Option(names = "--resume", description = "Continue the run in --out from its last checkpoint.")
    boolean resume;

    @Option(names = "--reward", defaultValue = "model",
            description = {"Reward terms: model, keyword:WORD, embedding:TEXT, copy, annotator, combined as term[=weight],... Default: ${DEFAULT-VALUE}.",
                    "embedding:TEXT scores the cosine similarity of the response's all-MiniLM-L6-v2 sentence embedding to TEXT's."})
    String reward;

    @Option(names = "--reward-model", description = "Reward model directory (./cria reward), for --reward model.")
    Path rewardModel;

    @Option(names = "--prompts", description = "Prompt JSONL ({\"prompt\"} per line). Default: built-in story instructions.")
    Path prompts;

    @Option(names = "--num-prompts", defaultValue = "500", description = "Built-in prompts when no --prompts. Default: ${DEFAULT-VALUE}.")
    int numPrompts;

    @Option(names = "--built-in-prompts", defaultValue = "story",
            description = "Kind of built-in prompts when no --prompts: story (instructions) or echo (the copy task's). Default: ${DEFAULT-VALUE}.")
    String builtInPrompts;

    @Mixin
    RlOptions options;

    @Mixin
    LoraOptions lora;

    @Mixin
    QuantizeOptions quantize;

    @Mixin
    SaveOptions save;

    @Mixin
    PrecisionOptions precision;

    /** Runs the chosen estimator; {@code critic} is the value model's starting point, or null. */
    int run(Estimator estimator, int samplesPerPrompt, String valueFrom) {
        var config = options.config(estimator, samplesPerPrompt);
        precision.apply();
        lora.check();
        save.check();
        if (prompts == null) {
            Flags.positive("--num-prompts", numPrompts);
            Flags.oneOf("--built-in-prompts", builtInPrompts, "story", "echo");
        }
        RewardSpec.terms(reward);
        if (valueFrom != null) Flags.oneOf("--value-from", valueFrom, "reward", "policy");
        if ("reward".equals(valueFrom) && rewardModel == null) {
            throw new CriaException("--value-from reward needs --reward-model; or use --value-from policy");
        }
        var loaded = AlignRuns.start(model, out, resume, lora.enabled, quantize.kind());
        Llama policy = loaded.model();
        lora.apply(policy, options.seed);
        options.applyTo(policy);
        save.apply(policy);
        var tokenizer = loaded.tokenizer();
        var chat = loaded.chat();
        var ref = AlignRuns.reference(reference, model, policy, resume, quantize.kind());
        Llama critic = estimator.needsCritic() ? critic(valueFrom, resume) : null;
        if (critic != null) save.apply(critic);
        var rewardFn = RewardSpec.parse(reward, rewardModel, tokenizer, quantize.kind());
        var promptList = new ArrayList<RlTrainer.Prompt>();
        for (String p : AlignData.promptTexts(prompts, builtInPrompts, numPrompts, options.seed)) {
            promptList.add(new RlTrainer.Prompt(p, chat.promptTokens(p)));
        }
        var trainer = new RlTrainer(policy, ref, critic, chat, rewardFn, promptList, config, RunDirectory.at(out));
        if (resume) {
            Path criticRun = out.resolve(RlTrainer.CRITIC_DIR);
            trainer.resumeFrom(loaded, critic != null ? ModelDirectory.load(criticRun) : null);
        }
        System.err.printf("%s with reward %s on %d prompts%n", estimator.name(), rewardFn.name(), promptList.size());
        try (var stop = StopSignal.install()) {
            Map<String, Double> last = trainer.run(stop);
            System.out.printf("%s at round %d: objective/scores %.4f, objective/kl %.4f, objective/rlhf_reward %.4f%n",
                    stop.requested() ? "stopped (checkpoint saved; --resume continues)" : "finished", trainer.iteration(),
                    last.getOrDefault("objective/scores", Double.NaN), last.getOrDefault("objective/kl", Double.NaN),
                    last.getOrDefault("objective/rlhf_reward", Double.NaN));
            if (!stop.requested() && lora.merge && policy.hasAdapters()) {
                policy.mergeLora();
                ModelDirectory.save(out.resolve(ModelDirectory.RUN_CHECKPOINT), policy, tokenizer);
                System.out.println("LoRA adapters merged into the weights");
            }
            System.out.printf("model: %s   metrics: %s   plots: %s, %s%n", out.resolve(ModelDirectory.RUN_CHECKPOINT), out.resolve("metrics.jsonl"),
                    out.resolve(RlTrainer.REWARD_PLOT), out.resolve(RlTrainer.KL_PLOT));
            System.out.flush();
        }
        return 0;
    }

    /** PPO's value model: the reward model's trunk and head, or the policy's trunk with a fresh head. */
    private Llama critic(String valueFrom, boolean resume) {
        Path criticRun = out.resolve(RlTrainer.CRITIC_DIR);
        if (resume && Files.exists(criticRun)) return ModelDirectory.load(criticRun).model();
        switch (valueFrom) {
            case "reward" -> {
                if (rewardModel == null) throw new CriaException("--value-from reward needs --reward-model; or use --value-from policy");
                return ModelDirectory.load(rewardModel).model();
            }
            case "policy" -> {
                Llama critic = ModelDirectory.load(model).model();
                critic.addScoreHead(new Rng(options.seed), 0.01f);
                return critic;
            }
            default -> throw new CriaException("--value-from must be reward or policy: " + valueFrom);
        }
    }
}
