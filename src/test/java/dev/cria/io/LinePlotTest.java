package dev.cria.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LinePlotTest {
    @TempDir
    Path dir;

    /** A plausible training run: train loss every 10 steps, val loss every 250, with one NaN. */
    static LinePlot lossPlot() {
        int n = 300;
        double[] steps = new double[n];
        double[] train = new double[n];
        for (int i = 0; i < n; i++) {
            steps[i] = i * 10;
            train[i] = 1.2 + 4.5 * Math.exp(-i / 40.0) + 0.15 * Math.sin(i * 1.7);
        }
        train[137] = Double.NaN;
        double[] valSteps = new double[12];
        double[] val = new double[12];
        for (int i = 0; i < 12; i++) {
            valSteps[i] = i * 250;
            val[i] = 1.45 + 4.2 * Math.exp(-i * 25 / 40.0);
        }
        return new LinePlot("Pretraining loss", "step", "cross-entropy (nats)")
                .add("train loss", steps, train)
                .add("val loss", valSteps, val);
    }

    private static int countNear(BufferedImage image, Color color) {
        int count = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                Color c = new Color(image.getRGB(x, y));
                if (Math.abs(c.getRed() - color.getRed()) + Math.abs(c.getGreen() - color.getGreen())
                        + Math.abs(c.getBlue() - color.getBlue()) < 30) count++;
            }
        }
        return count;
    }

    @Test
    void savesAPngOfTheRequestedSizeWithBothCurvesDrawn() throws IOException {
        Path png = dir.resolve("plots/loss.png");
        lossPlot().save(png, 800, 500);

        byte[] bytes = Files.readAllBytes(png);
        assertThat(Arrays.copyOf(bytes, 8)).isEqualTo(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(800);
        assertThat(image.getHeight()).isEqualTo(500);

        Set<Integer> colors = new HashSet<>();
        for (int y = 0; y < 500; y += 2) for (int x = 0; x < 800; x += 2) colors.add(image.getRGB(x, y));
        assertThat(colors.size()).as("distinct colours: not blank, anti-aliased").isGreaterThan(50);
        assertThat(countNear(image, new Color(0x1f77b4))).as("train loss (blue) pixels").isGreaterThan(500);
        assertThat(countNear(image, new Color(0xff7f0e))).as("val loss (orange) pixels").isGreaterThan(300);
        assertThat(new Color(image.getRGB(0, 0))).as("background").isEqualTo(Color.WHITE);
    }

    @Test
    void rendersDegenerateInputsWithoutFailing() {
        BufferedImage empty = new LinePlot("nothing yet", "step", "loss").render(400, 300);
        assertThat(empty.getWidth()).isEqualTo(400);

        BufferedImage flat = new LinePlot("flat", "", "")
                .add("constant", new double[] {0, 1, 2}, new double[] {3, 3, 3})
                .add("single point", new double[] {5}, new double[] {3})
                .add("all NaN", new double[] {0, 1}, new double[] {Double.NaN, Double.NaN})
                .render(400, 300);
        assertThat(countNear(flat, new Color(0x1f77b4))).isGreaterThan(100);
        assertThat(countNear(flat, new Color(0xff7f0e))).as("single point drawn as a marker").isGreaterThan(10);
    }

    @Test
    void guardsNameTheBadValue() {
        assertThatThrownBy(() -> new LinePlot("t", "x", "y").add("s", new double[2], new double[3]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("series \"s\": 2 x values but 3 y values");
        assertThatThrownBy(() -> new LinePlot("t", "x", "y").render(50, 300))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("width < 200: 50");
    }
}
