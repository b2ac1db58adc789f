package dev.cria.serve;

import java.util.List;

/**
 * A request's stop strings: where generated text must end, and how much of its tail to hold back while
 * streaming because it may still grow into a stop string. With stop {@code "The end"}, text ending in
 * {@code "... The e"} holds back {@code "The e"}; the next token decides whether it is sent or cut.
 */
record StopStrings(List<String> stops) {
    static final StopStrings NONE = new StopStrings(List.of());

    StopStrings {
        stops = List.copyOf(stops);
        for (String s : stops) if (s.isEmpty()) throw new IllegalArgumentException("a stop string is empty");
    }

    /** Where the first stop string in {@code text} begins, searching from {@code from}; -1 if none does. */
    int find(StringBuilder text, int from) {
        int first = -1;
        for (String s : stops) {
            int at = text.indexOf(s, from);
            if (at >= 0 && (first < 0 || at < first)) first = at;
        }
        return first;
    }

    /** Length of the longest tail of {@code text}, after {@code from}, that is the start of a stop string. */
    int heldBack(CharSequence text, int from) {
        int longest = 0;
        for (String s : stops) {
            for (int k = Math.min(s.length() - 1, text.length() - from); k > longest; k--) {
                if (endsWith(text, s, k)) {
                    longest = k;
                    break;
                }
            }
        }
        return longest;
    }

    private static boolean endsWith(CharSequence text, String stop, int k) {
        int start = text.length() - k;
        for (int i = 0; i < k; i++) if (text.charAt(start + i) != stop.charAt(i)) return false;
        return true;
    }
}
