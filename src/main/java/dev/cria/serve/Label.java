package dev.cria.serve;

/**
 * One person's judgement of an item: for a pair {@code a}, {@code b}, {@code tie} or {@code bad} (both
 * bad); for a single answer {@code up} or {@code down}, optionally with an edited, better answer.
 */
public record Label(long id, String submissionId, long itemId, String user, String choice, String comment, String edited,
                    String source, String createdAt) {
    public static boolean validFor(String kind, String choice) {
        return switch (kind) {
            case Item.PAIR -> choice.equals("a") || choice.equals("b") || choice.equals("tie") || choice.equals("bad");
            case Item.SINGLE -> choice.equals("up") || choice.equals("down");
            default -> false;
        };
    }
}
