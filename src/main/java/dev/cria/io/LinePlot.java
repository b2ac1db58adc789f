package dev.cria.io;

import dev.cria.util.CriaException;

import javax.imageio.ImageIO;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A PNG line chart of training curves (loss against step, reward against episode): a title, axis
 * labels, "nice" round-number ticks with a light grid, and one anti-aliased line per named series
 * with a legend. Rendered headless with java.awt, saved atomically.
 *
 * <p>Deliberately small: linear axes only, no log scale, no smoothing, no subplots. Non-finite points
 * (a NaN loss) break the line rather than failing. Series with few points also get markers, so a
 * validation curve measured every few hundred steps stays visible.
 */
public final class LinePlot {
    /** matplotlib's "tab10" palette: distinct, and familiar to anyone reading ML plots. */
    private static final Color[] PALETTE = {
            new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
            new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
            new Color(0xbcbd22), new Color(0x17becf)};
    private static final Color GRID = new Color(0xE6E6E6);
    private static final Color FRAME = new Color(0x888888);
    private static final Color TEXT = new Color(0x222222);
    private static final int MARKER_MAX_POINTS = 50;
    private static final int TARGET_TICKS = 6;

    /** One named curve; {@code x} and {@code y} have the same length. */
    public record Series(String name, double[] x, double[] y) {
        public Series {
            if (name == null) throw new IllegalArgumentException("series name is null");
            if (x == null || y == null) throw new IllegalArgumentException("series \"" + name + "\" has null data");
            if (x.length != y.length) {
                throw new IllegalArgumentException("series \"" + name + "\": " + x.length + " x values but "
                        + y.length + " y values");
            }
            x = x.clone();
            y = y.clone();
        }
    }

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<Series> series = new ArrayList<>();

    public LinePlot(String title, String xLabel, String yLabel) {
        this.title = title == null ? "" : title;
        this.xLabel = xLabel == null ? "" : xLabel;
        this.yLabel = yLabel == null ? "" : yLabel;
    }

    /** Adds a curve; returns this plot for chaining. */
    public LinePlot add(String name, double[] x, double[] y) {
        series.add(new Series(name, x, y));
        return this;
    }

    /** Renders to an in-memory image of {@code width} x {@code height} pixels. */
    public BufferedImage render(int width, int height) {
        if (width < 200) throw new IllegalArgumentException("width < 200: " + width);
        if (height < 150) throw new IllegalArgumentException("height < 150: " + height);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            draw(g, width, height);
        } finally {
            g.dispose();
        }
        return image;
    }

    /** Renders and writes a PNG atomically. */
    public void save(Path png, int width, int height) {
        if (png == null) throw new IllegalArgumentException("png path is null");
        BufferedImage image = render(width, height);
        AtomicFiles.write(png, out -> {
            // subtle: an explicit in-memory stream, because ImageIO's default may buffer through a
            // temporary file of its own, outside the atomic write.
            try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
                if (!ImageIO.write(image, "png", stream)) throw new CriaException("no PNG writer in this JVM");
            }
        });
    }

    private void draw(Graphics2D g, int width, int height) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);

        // Fonts grow with the image so a large plot does not end up with tiny print.
        float scale = (float) Math.clamp(Math.min(width / 800.0, height / 500.0), 0.6, 3.0);
        Font tickFont = new Font(Font.SANS_SERIF, Font.PLAIN, Math.round(12 * scale));
        Font labelFont = new Font(Font.SANS_SERIF, Font.PLAIN, Math.round(14 * scale));
        Font titleFont = new Font(Font.SANS_SERIF, Font.BOLD, Math.round(17 * scale));
        int pad = Math.round(12 * scale);

        Axis xAxis = Axis.of(finiteRange(true));
        Axis yAxis = Axis.of(finiteRange(false));

        // The plot area is what is left after the title, the axis labels and the tick labels.
        FontMetrics tickMetrics = g.getFontMetrics(tickFont);
        FontMetrics labelMetrics = g.getFontMetrics(labelFont);
        FontMetrics titleMetrics = g.getFontMetrics(titleFont);
        int yTickWidth = 0;
        for (double t : yAxis.ticks) yTickWidth = Math.max(yTickWidth, tickMetrics.stringWidth(yAxis.format(t)));
        int left = pad + (yLabel.isEmpty() ? 0 : labelMetrics.getHeight() + pad / 2) + yTickWidth + pad / 2 + 4;
        int top = pad + (title.isEmpty() ? 0 : titleMetrics.getHeight() + pad / 2);
        int bottom = height - (pad + (xLabel.isEmpty() ? 0 : labelMetrics.getHeight() + pad / 2)
                + tickMetrics.getHeight() + 4);
        // Room on the right for the last x tick label to stay inside the image.
        String lastXTick = xAxis.ticks.length == 0 ? "" : xAxis.format(xAxis.ticks[xAxis.ticks.length - 1]);
        int right = width - Math.max(pad * 2, tickMetrics.stringWidth(lastXTick) / 2 + pad);
        Rectangle2D.Double area = new Rectangle2D.Double(left, top, right - left, bottom - top);

        drawGrid(g, area, xAxis, yAxis, tickFont);
        drawTitles(g, area, height, pad, titleFont, labelFont);
        List<double[]> inked = drawCurves(g, area, xAxis, yAxis, scale);
        drawLegend(g, area, labelFont, scale, inked);
    }

    /** Grid lines, tick marks and tick labels, then the frame. */
    private static void drawGrid(Graphics2D g, Rectangle2D.Double area, Axis xAxis, Axis yAxis, Font tickFont) {
        g.setFont(tickFont);
        FontMetrics m = g.getFontMetrics();
        g.setStroke(new BasicStroke(1f));
        for (double t : yAxis.ticks) {
            double py = yAxis.toPixel(t, area.getMaxY(), area.getMinY());
            g.setColor(GRID);
            g.draw(new Line2D.Double(area.getMinX(), py, area.getMaxX(), py));
            g.setColor(FRAME);
            g.draw(new Line2D.Double(area.getMinX() - 4, py, area.getMinX(), py));
            g.setColor(TEXT);
            String label = yAxis.format(t);
            g.drawString(label, (float) (area.getMinX() - 6 - m.stringWidth(label)), (float) (py + m.getAscent() / 2.0 - 1));
        }
        for (double t : xAxis.ticks) {
            double px = xAxis.toPixel(t, area.getMinX(), area.getMaxX());
            g.setColor(GRID);
            g.draw(new Line2D.Double(px, area.getMinY(), px, area.getMaxY()));
            g.setColor(FRAME);
            g.draw(new Line2D.Double(px, area.getMaxY(), px, area.getMaxY() + 4));
            g.setColor(TEXT);
            String label = xAxis.format(t);
            g.drawString(label, (float) (px - m.stringWidth(label) / 2.0), (float) (area.getMaxY() + 4 + m.getAscent()));
        }
        g.setColor(FRAME);
        g.draw(area);
    }

    private void drawTitles(Graphics2D g, Rectangle2D.Double area, int height, int pad, Font titleFont, Font labelFont) {
        g.setColor(TEXT);
        if (!title.isEmpty()) {
            g.setFont(titleFont);
            FontMetrics m = g.getFontMetrics();
            g.drawString(title, (float) (area.getCenterX() - m.stringWidth(title) / 2.0), pad + m.getAscent());
        }
        g.setFont(labelFont);
        FontMetrics m = g.getFontMetrics();
        if (!xLabel.isEmpty()) {
            g.drawString(xLabel, (float) (area.getCenterX() - m.stringWidth(xLabel) / 2.0), height - pad - m.getDescent());
        }
        if (!yLabel.isEmpty()) {
            AffineTransform saved = g.getTransform();
            g.rotate(-Math.PI / 2);
            // After rotating by -90 degrees, drawing at (-y, x) puts text at (x, y), reading upwards.
            g.drawString(yLabel, (float) (-area.getCenterY() - m.stringWidth(yLabel) / 2.0), pad + m.getAscent());
            g.setTransform(saved);
        }
    }

    /**
     * One line per series (markers too when it has few points), clipped to the plot area.
     *
     * @return pixel positions along the curves, for placing the legend where it hides least
     */
    private List<double[]> drawCurves(Graphics2D g, Rectangle2D.Double area, Axis xAxis, Axis yAxis, float scale) {
        Shape savedClip = g.getClip();
        g.clip(new Rectangle2D.Double(area.x - 4, area.y - 4, area.width + 8, area.height + 8));
        g.setStroke(new BasicStroke(2f * scale, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        double markerRadius = Math.max(2.5, 3.5 * scale);
        List<double[]> inked = new ArrayList<>();
        for (int s = 0; s < series.size(); s++) {
            Series one = series.get(s);
            g.setColor(PALETTE[s % PALETTE.length]);
            Path2D.Double path = new Path2D.Double();
            List<double[]> points = new ArrayList<>();
            boolean penDown = false;
            for (int i = 0; i < one.x().length; i++) {
                if (!Double.isFinite(one.x()[i]) || !Double.isFinite(one.y()[i])) {
                    penDown = false; // a gap in the line, not a jump across the missing point
                    continue;
                }
                double px = xAxis.toPixel(one.x()[i], area.getMinX(), area.getMaxX());
                double py = yAxis.toPixel(one.y()[i], area.getMaxY(), area.getMinY());
                if (penDown) {
                    double[] from = inked.getLast();
                    for (int k = 1; k <= 4; k++) {
                        inked.add(new double[] {from[0] + (px - from[0]) * k / 4, from[1] + (py - from[1]) * k / 4});
                    }
                    path.lineTo(px, py);
                } else {
                    inked.add(new double[] {px, py});
                    path.moveTo(px, py);
                }
                points.add(new double[] {px, py});
                penDown = true;
            }
            g.draw(path);
            if (points.size() <= MARKER_MAX_POINTS) {
                for (double[] p : points) {
                    g.fill(new Ellipse2D.Double(p[0] - markerRadius, p[1] - markerRadius, 2 * markerRadius, 2 * markerRadius));
                }
            }
        }
        g.setClip(savedClip);
        return inked;
    }

    /** The legend box goes in whichever corner of the plot area covers the fewest curve pixels. */
    private void drawLegend(Graphics2D g, Rectangle2D.Double area, Font font, float scale, List<double[]> inked) {
        if (series.isEmpty()) return;
        g.setFont(font);
        FontMetrics m = g.getFontMetrics();
        int sample = Math.round(24 * scale);
        int gap = Math.round(8 * scale);
        int row = m.getHeight();
        int textWidth = 0;
        for (Series s : series) textWidth = Math.max(textWidth, m.stringWidth(s.name()));
        double boxWidth = gap + sample + gap + textWidth + gap;
        double boxHeight = gap + row * series.size() + gap / 2.0;
        double left = area.getMinX() + gap;
        double right = area.getMaxX() - boxWidth - gap;
        double top = area.getMinY() + gap;
        double bottom = area.getMaxY() - boxHeight - gap;
        double[][] corners = {{right, top}, {left, top}, {right, bottom}, {left, bottom}};
        Rectangle2D.Double box = null;
        int fewest = Integer.MAX_VALUE;
        for (double[] corner : corners) {
            Rectangle2D.Double candidate = new Rectangle2D.Double(corner[0], corner[1], boxWidth, boxHeight);
            int covered = 0;
            for (double[] p : inked) if (candidate.contains(p[0], p[1])) covered++;
            if (covered < fewest) {
                fewest = covered;
                box = candidate;
            }
        }
        double bx = box.x;
        double by = box.y;
        g.setColor(new Color(255, 255, 255, 225));
        g.fill(box);
        g.setColor(new Color(0xCCCCCC));
        g.setStroke(new BasicStroke(1f));
        g.draw(box);
        for (int s = 0; s < series.size(); s++) {
            double baseline = by + gap + row * s + m.getAscent();
            double mid = baseline - m.getAscent() / 2.0 + m.getDescent() / 2.0;
            g.setColor(PALETTE[s % PALETTE.length]);
            g.setStroke(new BasicStroke(2f * scale, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            g.draw(new Line2D.Double(bx + gap, mid, bx + gap + sample, mid));
            g.setColor(TEXT);
            g.drawString(series.get(s).name(), (float) (bx + gap + sample + gap), (float) baseline);
        }
    }

    /** {min, max} of the finite x (or y) values of all series, or null when there are none. */
    private double[] finiteRange(boolean x) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.x().length; i++) {
                if (!Double.isFinite(s.x()[i]) || !Double.isFinite(s.y()[i])) continue;
                double v = x ? s.x()[i] : s.y()[i];
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        return min <= max ? new double[] {min, max} : null;
    }

    /**
     * A linear axis spanning the data plus a small margin (so no curve runs along the frame), with
     * ticks at the round numbers inside it: multiples of 1, 2 or 5 times a power of ten.
     */
    private record Axis(double min, double max, double step, double[] ticks) {
        private static final double MARGIN = 0.04;

        static Axis of(double[] range) {
            double lo = range == null ? 0 : range[0];
            double hi = range == null ? 1 : range[1];
            if (hi - lo <= Math.abs(hi) * 1e-12) {
                // A flat curve: centre it in a band instead of dividing by a zero range.
                double half = lo == 0 ? 1 : Math.abs(lo) * 0.1;
                lo -= half;
                hi += half;
            }
            double margin = MARGIN * (hi - lo);
            double min = lo - margin;
            double max = hi + margin;
            double step = niceStep((max - min) / TARGET_TICKS);
            // The 1e-9 keeps a tick that sits on the boundary up to rounding.
            long first = (long) Math.ceil(min / step - 1e-9);
            long last = (long) Math.floor(max / step + 1e-9);
            double[] ticks = new double[(int) Math.max(0, last - first + 1)];
            for (int i = 0; i < ticks.length; i++) ticks[i] = (first + i) * step;
            return new Axis(min, max, step, ticks);
        }

        /** Heckbert's "nice numbers": the round step nearest to {@code rough}. */
        static double niceStep(double rough) {
            double power = Math.pow(10, Math.floor(Math.log10(rough)));
            double fraction = rough / power;
            double nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10;
            return nice * power;
        }

        double toPixel(double v, double pixelAtMin, double pixelAtMax) {
            return pixelAtMin + (v - min) / (max - min) * (pixelAtMax - pixelAtMin);
        }

        /** As many decimals as the step needs: 0.25 steps give "0.50", 1000 steps give "3000". */
        String format(double v) {
            double magnitude = Math.max(Math.abs(min), Math.abs(max));
            if (Math.abs(v) < step * 1e-6) v = 0; // print 0, not -0.00 or 1.4e-17
            if (magnitude >= 1e6 || step < 1e-4) {
                if (v == 0) return "0";
                return String.format(Locale.ROOT, "%.2g", v).replace("e+0", "e").replace("e-0", "e-").replace("e+", "e");
            }
            int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
            return String.format(Locale.ROOT, "%." + decimals + "f", v);
        }
    }
}
