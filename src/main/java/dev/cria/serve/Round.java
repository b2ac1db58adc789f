package dev.cria.serve;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One numbered turn of the loop: labels → reward model and PPO, DPO, online DPO or KTO ({@code method}, a {@link RoundMethod} id) → new policy. {@code figures}
 * holds what the round measured (labels used, held-out accuracy, final PPO reward and KL, ...).
 */
public record Round(long id, String method, String status, String policyBefore, String policyDir, JsonNode figures, String error,
                    String startedAt, String finishedAt) {
    public static final String RUNNING = "running";
    public static final String DONE = "done";
    public static final String FAILED = "failed";

    /** The name answers by this round's policy carry. */
    public String modelName() {
        return "round-" + id;
    }
}
