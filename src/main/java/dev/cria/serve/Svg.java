package dev.cria.serve;

import java.util.List;
import java.util.Locale;

/**
 * Line charts as inline SVG, drawn on the server: one polyline per series, axes with the value range,
 * and a legend. Small on purpose; the curves come from the rounds' metrics.jsonl.
 */
public final class Svg {
    /** One curve: a name and its points. */
    public record Series(String name, double[] x, double[] y) {
    }

    private static final String[] COLORS = {"#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#4b5563"};
    private static final int W = 460, H = 220, LEFT = 48, RIGHT = 12, TOP = 14, BOTTOM = 40;

    private Svg() {
    }

    public static String chart(String title, String xLabel, List<Series> series) {
        double minX = Double.POSITIVE_INFINITY, maxX = Double.NEGATIVE_INFINITY, minY = Double.POSITIVE_INFINITY, maxY = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.x().length; i++) {
                if (!Double.isFinite(s.y()[i])) continue;
                minX = Math.min(minX, s.x()[i]);
                maxX = Math.max(maxX, s.x()[i]);
                minY = Math.min(minY, s.y()[i]);
                maxY = Math.max(maxY, s.y()[i]);
            }
        }
        var svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<figure class=\"chart\"><figcaption>%s</figcaption><svg viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">",
                Html.text(title), W, H, Html.text(title)));
        if (!Double.isFinite(minX)) {
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"empty\">no data yet</text></svg></figure>", W / 2 - 40, H / 2));
            return svg.toString();
        }
        if (maxX == minX) maxX = minX + 1;
        if (maxY == minY) {
            maxY += 0.5;
            minY -= 0.5;
        }
        int plotW = W - LEFT - RIGHT, plotH = H - TOP - BOTTOM;
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#cbd5e1\"/>", LEFT, TOP, plotW, plotH));
        svg.append(label(LEFT - 4, TOP + 10, Html.number(maxY), "end"));
        svg.append(label(LEFT - 4, TOP + plotH, Html.number(minY), "end"));
        svg.append(label(LEFT, TOP + plotH + 14, Html.number(minX), "start"));
        svg.append(label(LEFT + plotW, TOP + plotH + 14, Html.number(maxX), "end"));
        svg.append(label(LEFT + plotW / 2, TOP + plotH + 14, xLabel, "middle"));
        int legendX = LEFT;
        for (int k = 0; k < series.size(); k++) {
            Series s = series.get(k);
            String color = COLORS[k % COLORS.length];
            var points = new StringBuilder();
            for (int i = 0; i < s.x().length; i++) {
                if (!Double.isFinite(s.y()[i])) continue;
                double px = LEFT + (s.x()[i] - minX) / (maxX - minX) * plotW;
                double py = TOP + (maxY - s.y()[i]) / (maxY - minY) * plotH;
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
            }
            svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\" points=\"%s\"/>", color, points.toString().strip()));
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>", legendX, H - 14, color));
            svg.append(label(legendX + 14, H - 5, s.name(), "start"));
            legendX += 24 + 7 * s.name().length();
        }
        return svg.append("</svg></figure>").toString();
    }

    private static String label(int x, int y, String text, String anchor) {
        return String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"%s\">%s</text>", x, y, anchor, Html.text(text));
    }
}
