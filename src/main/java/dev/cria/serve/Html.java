package dev.cria.serve;

/** HTML escaping: every piece of text a page shows goes through {@link #text}, model output above all. */
public final class Html {
    private Html() {
    }

    /** Escapes the five characters that can start markup or end an attribute. */
    public static String text(String s) {
        if (s == null) return "";
        var out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** A number for display: up to 3 decimals, a dash for NaN or missing. */
    public static String number(double v) {
        if (!Double.isFinite(v)) return "–";
        if (v == Math.rint(v) && Math.abs(v) < 1e9) return Long.toString((long) v);
        return String.format(java.util.Locale.ROOT, "%.3f", v);
    }

    public static String percent(double v) {
        return Double.isFinite(v) ? String.format(java.util.Locale.ROOT, "%.0f%%", 100 * v) : "–";
    }
}
