package dev.cria.kernels;

import dev.cria.tensor.Parallel;

/**
 * Rotary position embeddings in Hugging Face's rotate-half layout: within each head of size HS, element i
 * is paired with element i + HS/2 and the pair is rotated by angle {@code pos · theta^(-2i/HS)}.
 * Legend: N rows (tokens), NH heads in a row, HS head size, positions[n] the position of row n.
 */
public final class Rope {
    private Rope() {
    }

    /** cos and sin tables, each (maxLen, HS/2), computed in float32 the way Hugging Face does. */
    public record Table(float[] cos, float[] sin, int maxLen, int half) {
        public static Table of(int maxLen, int headSize, float theta) {
            int half = headSize / 2;
            float[] cos = new float[maxLen * half];
            float[] sin = new float[maxLen * half];
            for (int i = 0; i < half; i++) {
                float exponent = (float) (2 * i) / headSize;
                float invFreq = (float) (1.0 / Math.pow(theta, exponent));
                for (int p = 0; p < maxLen; p++) {
                    float angle = p * invFreq;
                    cos[p * half + i] = (float) Math.cos(angle);
                    sin[p * half + i] = (float) Math.sin(angle);
                }
            }
            return new Table(cos, sin, maxLen, half);
        }
    }

    public static void forward(float[] out, float[] x, int[] positions, int N, int NH, int HS, Table table) {
        rotate(out, x, positions, N, NH, HS, table, 1f, false);
    }

    /** dx += rotation by −angle of dout: the transpose of the forward rotation. */
    public static void backward(float[] dx, float[] dout, int[] positions, int N, int NH, int HS, Table table) {
        rotate(dx, dout, positions, N, NH, HS, table, -1f, true);
    }

    private static void rotate(float[] out, float[] x, int[] positions, int N, int NH, int HS, Table table,
                               float sign, boolean accumulate) {
        int half = HS / 2;
        int C = NH * HS;
        Parallel.forRange(N, Math.max(1, 4096 / C), (start, end) -> {
            for (int n = start; n < end; n++) {
                int p = positions[n];
                if (p < 0 || p >= table.maxLen()) {
                    throw new IllegalArgumentException("position " + p + " outside the RoPE table of length " + table.maxLen());
                }
                int t = p * half;
                for (int h = 0; h < NH; h++) {
                    int base = n * C + h * HS;
                    for (int i = 0; i < half; i++) {
                        float c = table.cos()[t + i], s = sign * table.sin()[t + i];
                        float x1 = x[base + i], x2 = x[base + half + i];
                        float y1 = x1 * c - x2 * s;
                        float y2 = x2 * c + x1 * s;
                        if (accumulate) {
                            out[base + i] += y1;
                            out[base + half + i] += y2;
                        } else {
                            out[base + i] = y1;
                            out[base + half + i] = y2;
                        }
                    }
                }
            }
        });
    }
}
