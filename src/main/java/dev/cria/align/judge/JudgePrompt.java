package dev.cria.align.judge;

/**
 * The question an AI judge is asked, the same for a local model and a remote one: the request, the two
 * answers labelled A and B, and an instruction to reply with one letter, so the verdict is the next
 * token. What it deliberately is not: a rubric; the judge model brings its own idea of "better".
 */
public final class JudgePrompt {
    public static final String A = "A";
    public static final String B = "B";

    private JudgePrompt() {
    }

    public static String of(String prompt, String first, String second) {
        return "Which answer to the request below is better? Reply with a single letter, A or B.\n\n"
                + "Request:\n" + prompt + "\n\n"
                + "Answer A:\n" + first + "\n\n"
                + "Answer B:\n" + second + "\n\n"
                + "Which answer is better, A or B?";
    }

    /** P(A) from the log-probabilities (or logits) of the two letters: softmax over just the two. */
    public static double probabilityA(double logA, double logB) {
        return 1 / (1 + Math.exp(logB - logA));
    }
}
