package dev.cria.serve;

/**
 * Something to label: a prompt with two answers to compare ({@code pair}) or one answer to rate
 * ({@code single}, {@code answerB} null). The model names record which policy version wrote each answer.
 */
public record Item(long id, String kind, String prompt, String answerA, String answerB, String modelA, String modelB) {
    public static final String PAIR = "pair";
    public static final String SINGLE = "single";
}
