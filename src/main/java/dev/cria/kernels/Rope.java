package dev.cria.kernels;

import dev.cria.tensor.Parallel;
import jdk.incubator.vector.FloatVector;

/**
 * Rotary position embeddings in Hugging Face's rotate-half layout: within each head of size HS, element i
 * is paired with element i + HS/2 and the pair is rotated by angle {@code pos · theta^(-2i/HS)}.
 * Legend: N rows (tokens), NH heads in a row, HS head size, positions[n] the position of row n.
 */
public final class Rope {
    private Rope() {
    }

    /**
     * How the inverse frequencies {@code theta^(-2i/HS)} are rescaled for a longer context, as in
     * transformers' {@code ROPE_INIT_FUNCTIONS}. Only the frequency table changes; the rotation and its
     * backward are the same.
     */
    public sealed interface Scaling {
        /** Plain RoPE. */
        Scaling NONE = new None();

        /** Rescales one inverse frequency. */
        float apply(float invFreq);

        record None() implements Scaling {
            @Override
            public float apply(float invFreq) {
                return invFreq;
            }
        }

        /** Position interpolation: every frequency divided by {@code factor} (rope_type "linear"). */
        record Linear(float factor) implements Scaling {
            public Linear {
                if (!(factor > 0) || !Float.isFinite(factor)) throw new IllegalArgumentException("linear RoPE factor must be positive: " + factor);
            }

            @Override
            public float apply(float invFreq) {
                return invFreq / factor;
            }
        }

        /**
         * Llama 3.1's scaling (rope_type "llama3"): wavelengths longer than
         * {@code originalMax / lowFreqFactor} are divided by {@code factor}, shorter than
         * {@code originalMax / highFreqFactor} kept, and those between blended linearly in
         * {@code originalMax / wavelength}.
         */
        record Llama3(float factor, float lowFreqFactor, float highFreqFactor, int originalMax) implements Scaling {
            public Llama3 {
                if (!(factor > 0) || !Float.isFinite(factor)) throw new IllegalArgumentException("llama3 RoPE factor must be positive: " + factor);
                if (!(highFreqFactor > lowFreqFactor) || !(lowFreqFactor > 0)) {
                    throw new IllegalArgumentException("llama3 RoPE needs 0 < low_freq_factor < high_freq_factor: "
                            + lowFreqFactor + ", " + highFreqFactor);
                }
                if (originalMax <= 0) throw new IllegalArgumentException("llama3 RoPE original_max_position_embeddings must be positive: " + originalMax);
            }

            @Override
            public float apply(float invFreq) {
                // subtle: float32 throughout, like transformers' _compute_llama3_parameters on a float tensor
                float lowFreqWavelen = originalMax / lowFreqFactor;
                float highFreqWavelen = originalMax / highFreqFactor;
                float wavelen = (float) (2 * Math.PI) / invFreq;
                if (wavelen > lowFreqWavelen) return invFreq / factor;
                if (wavelen < highFreqWavelen) return invFreq;
                float smooth = (originalMax / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                return (1 - smooth) * invFreq / factor + smooth * invFreq;
            }
        }
    }

    /**
     * cos and sin tables, each (maxLen, HS/2), computed in float32 the way Hugging Face does. For heads
     * narrow enough for {@link #rotateRowOfNarrowHeads}, also each position's vector of cosines and of
     * signed sines, laid over a vector's lanes as that rotation reads them (else null).
     */
    public record Table(float[] cos, float[] sin, int maxLen, int half, float[] laneCos, float[] laneSin) {
        public static Table of(int maxLen, int headSize, float theta) {
            return of(maxLen, headSize, theta, Scaling.NONE);
        }

        public static Table of(int maxLen, int headSize, float theta, Scaling scaling) {
            int half = headSize / 2;
            float[] cos = new float[maxLen * half];
            float[] sin = new float[maxLen * half];
            for (int i = 0; i < half; i++) {
                float exponent = (float) (2 * i) / headSize;
                float invFreq = scaling.apply((float) (1.0 / Math.pow(theta, exponent)));
                for (int p = 0; p < maxLen; p++) {
                    float angle = p * invFreq;
                    cos[p * half + i] = (float) Math.cos(angle);
                    sin[p * half + i] = (float) Math.sin(angle);
                }
            }
            if (!Simd.ENABLED || !narrow(headSize)) return new Table(cos, sin, maxLen, half, null, null);
            int L = Simd.LANES;
            float[] laneCos = new float[maxLen * L], laneSin = new float[maxLen * L];
            for (int p = 0; p < maxLen; p++) {
                for (int l = 0; l < L; l++) {
                    laneCos[p * L + l] = cos[p * half + l % half];
                    // lanes in a head's first half take −sin: x1·c + x2·(−s) is the rotation's x1·c − x2·s
                    laneSin[p * L + l] = (l / half) % 2 == 0 ? -sin[p * half + l % half] : sin[p * half + l % half];
                }
            }
            return new Table(cos, sin, maxLen, half, laneCos, laneSin);
        }
    }

    public static void forward(float[] out, float[] x, int[] positions, int N, int NH, int HS, Table table) {
        rotate(out, x, positions, N, NH, HS, table, 1f, false);
    }

    /** dx += rotation by −angle of dout: the transpose of the forward rotation. */
    public static void backward(float[] dx, float[] dout, int[] positions, int N, int NH, int HS, Table table) {
        backward(dx, dout, positions, N, NH, HS, table, true);
    }

    /** The same, added to dx or written over it. */
    public static void backward(float[] dx, float[] dout, int[] positions, int N, int NH, int HS, Table table, boolean accumulate) {
        rotate(dx, dout, positions, N, NH, HS, table, -1f, accumulate);
    }

    private static void rotate(float[] out, float[] x, int[] positions, int N, int NH, int HS, Table table,
                               float sign, boolean accumulate) {
        int C = NH * HS;
        boolean simd = Simd.ENABLED;
        boolean rows = simd && narrow(HS) && C % Simd.LANES == 0;
        Parallel.forRange(N, Parallel.rowGrain(C), (start, end) -> {
            for (int n = start; n < end; n++) {
                int p = positions[n];
                if (p < 0 || p >= table.maxLen()) {
                    throw new IllegalArgumentException("position " + p + " outside the RoPE table of length " + table.maxLen());
                }
                if (rows) {
                    rotateRowOfNarrowHeads(out, x, n * C, C, HS, table, p, sign, accumulate);
                    continue;
                }
                for (int h = 0; h < NH; h++) {
                    int base = n * C + h * HS;
                    if (simd) rotateHeadVector(out, x, base, HS, table, p, sign, accumulate);
                    else rotateHeadScalar(out, x, base, HS, table, p, sign, accumulate, 0);
                }
            }
        });
    }

    /**
     * Whether heads are narrow enough for {@link #rotateRowOfNarrowHeads}: a whole number of heads per vector
     * (the lane count is a power of two, so such a head is too, and at least 2 is even).
     */
    static boolean narrow(int HS) {
        return HS >= 2 && Simd.LANES % HS == 0;
    }

    /**
     * A row of heads at most a vector wide (the tiny preset's are 8), a vector at a time: the head-wise
     * rotation is y = x·c + swap(x)·s, where swap exchanges each head's halves (lanes i and i ^ HS/2), c
     * repeats the position's cosines over both halves and s its sines, negated over the first half (the
     * table's lane vectors). The products and sums are those of {@link #rotateHeadScalar} (x1·c − x2·s is
     * x1·c + x2·(−s)), so the same bits. Head by head, a half-head is shorter than a vector and was rotated
     * element by element: the tiny preset's RoPE forward took 2.3 times as long (199 against 89 µs a call).
     */
    static void rotateRowOfNarrowHeads(float[] out, float[] x, int base, int C, int HS, Table table, int p, float sign,
                                       boolean accumulate) {
        var f = Simd.F;
        int L = Simd.LANES, half = HS / 2;
        var c = FloatVector.fromArray(f, table.laneCos(), p * L);
        var s = FloatVector.fromArray(f, table.laneSin(), p * L).mul(sign);
        // lane i with lane i ^ half: each head's halves exchanged (narrow heads are a power of two wide)
        var swap = switch (half) {
            case 1 -> Simd.SWAP_1;
            case 2 -> Simd.SWAP_2;
            case 4 -> Simd.SWAP_4;
            default -> Simd.SWAP_8;
        };
        for (int i = 0; i < C; i += L) {
            var xv = FloatVector.fromArray(f, x, base + i);
            var y = xv.mul(c).add(xv.rearrange(swap).mul(s));
            if (accumulate) y = y.add(FloatVector.fromArray(f, out, base + i));
            y.intoArray(out, base + i);
        }
    }

    /** Reference: rotates pairs (i, i + HS/2) of one head from element {@code from} on. */
    static void rotateHeadScalar(float[] out, float[] x, int base, int HS, Table table, int p, float sign,
                                 boolean accumulate, int from) {
        int half = HS / 2;
        int t = p * half;
        for (int i = from; i < half; i++) {
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

    static void rotateHeadVector(float[] out, float[] x, int base, int HS, Table table, int p, float sign, boolean accumulate) {
        int half = HS / 2;
        int t = p * half;
        var f = Simd.F;
        int i = 0;
        for (int bound = f.loopBound(half); i < bound; i += Simd.LANES) {
            var c = FloatVector.fromArray(f, table.cos(), t + i);
            var s = FloatVector.fromArray(f, table.sin(), t + i).mul(sign);
            var x1 = FloatVector.fromArray(f, x, base + i);
            var x2 = FloatVector.fromArray(f, x, base + half + i);
            var y1 = x1.mul(c).sub(x2.mul(s));
            var y2 = x2.mul(c).add(x1.mul(s));
            if (accumulate) {
                y1 = y1.add(FloatVector.fromArray(f, out, base + i));
                y2 = y2.add(FloatVector.fromArray(f, out, base + half + i));
            }
            y1.intoArray(out, base + i);
            y2.intoArray(out, base + half + i);
        }
        rotateHeadScalar(out, x, base, HS, table, p, sign, accumulate, i);
    }
}
