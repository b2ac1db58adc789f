package dev.cria.checkpoint.gguf;

import dev.cria.kernels.Rope;
import dev.cria.util.CriaException;

/**
 * Llama 3.1's RoPE scaling as llama.cpp takes it: not as metadata but as the tensor
 * {@code rope_freqs.weight}, one factor per rotated pair that llama.cpp divides the frequency by
 * (convert_hf_to_gguf.py's LlamaModel.generate_extra_tensors). Writing computes the factors; reading
 * recovers the four parameters from them, since Cria's config holds parameters, not a table.
 *
 * <p>Recovery: the largest factor is {@code factor}; each factor f strictly between 1 and it gives the blend
 * s = (1/f − 1/factor) / (1 − 1/factor), which is linear in 1/wavelength: s = A/λ − B with A =
 * original_max / (high − low), B = low / (high − low). Only A and B change the table, so low_freq_factor
 * is taken as 1 (Llama 3.1's), and two blended factors fix the rest. With fewer, Llama 3.1's ratio
 * high = 4·low is assumed too. Either way the table is recomputed from what was found and must match the
 * file's within 1e-4, or the file is refused. Cria's own files also carry the exact parameters under
 * {@code cria.rope.llama3.*}, which llama.cpp ignores.
 */
final class Llama3RopeFactors {
    static final String FACTOR = "cria.rope.llama3.factor";
    static final String LOW = "cria.rope.llama3.low_freq_factor";
    static final String HIGH = "cria.rope.llama3.high_freq_factor";
    static final String ORIGINAL = "cria.rope.llama3.original_context_length";

    private Llama3RopeFactors() {
    }

    /** The factor by which llama.cpp divides each of the headSize / 2 frequencies. */
    static float[] factors(Rope.Scaling.Llama3 s, int headSize, float theta) {
        float[] out = new float[headSize / 2];
        for (int i = 0; i < out.length; i++) {
            double freq = 1.0 / Math.pow(theta, (double) (2 * i) / headSize);
            double wavelen = 2 * Math.PI / freq;
            double low = (double) s.originalMax() / s.lowFreqFactor();
            double high = (double) s.originalMax() / s.highFreqFactor();
            if (wavelen < high) out[i] = 1f;
            else if (wavelen > low) out[i] = s.factor();
            else {
                double smooth = (s.originalMax() / wavelen - s.lowFreqFactor()) / (s.highFreqFactor() - s.lowFreqFactor());
                out[i] = (float) (1 / ((1 - smooth) / s.factor() + smooth));
            }
        }
        return out;
    }

    static void write(GgufWriter w, Rope.Scaling.Llama3 s) {
        w.putF32(FACTOR, s.factor());
        w.putF32(LOW, s.lowFreqFactor());
        w.putF32(HIGH, s.highFreqFactor());
        w.putU32(ORIGINAL, s.originalMax());
    }

    /** The parameters Cria wrote, or null for a file from elsewhere. */
    static Rope.Scaling.Llama3 read(GgufReader r) {
        if (!r.has(FACTOR)) return null;
        return new Rope.Scaling.Llama3((float) r.number(FACTOR), (float) r.number(LOW), (float) r.number(HIGH), (int) r.integer(ORIGINAL));
    }

    /** Parameters that give {@code factors}; see the class comment. */
    static Rope.Scaling.Llama3 fit(float[] factors, int headSize, float theta, String source) {
        if (factors.length != headSize / 2) throw new CriaException(source + " has " + factors.length + " factors, expected head size / 2 = " + headSize / 2);
        float factor = 1;
        for (float f : factors) factor = Math.max(factor, f);
        double[] wavelen = new double[factors.length];
        for (int i = 0; i < factors.length; i++) wavelen[i] = 2 * Math.PI * Math.pow(theta, (double) (2 * i) / headSize);
        double a, b;
        int first = -1, last = -1;
        for (int i = 0; i < factors.length; i++) {
            if (factors[i] > 1 + 1e-6 && factors[i] < factor - 1e-6) {
                if (first < 0) first = i;
                last = i;
            }
        }
        if (first >= 0 && last > first) {
            double s1 = blend(factors[first], factor), s2 = blend(factors[last], factor);
            a = (s1 - s2) / (1 / wavelen[first] - 1 / wavelen[last]);
            b = a / wavelen[first] - s1;
        } else {
            b = 1.0 / 3; // high = 4 · low
            if (first >= 0) {
                a = (blend(factors[first], factor) + b) * wavelen[first];
            } else {
                // No blended pair: with low = 1 and high = 4, kept wavelengths must lie below 3A/4 and scaled
                // ones above 3A; any A between will do.
                int scaled = 0;
                while (scaled < factors.length && factors[scaled] < factor - 1e-6) scaled++;
                double kept = scaled > 0 ? wavelen[scaled - 1] : 1e-3;
                double boundary = scaled < factors.length ? wavelen[scaled] : kept * 16;
                a = Math.sqrt(kept * 4 / 3 * (boundary / 3));
            }
        }
        float low = 1;
        double h = 1 / b;
        float high = (float) (Math.round((1 + h) * 1e4) / 1e4);
        int original = (int) Math.round(a * h);
        Rope.Scaling.Llama3 found;
        try {
            found = new Rope.Scaling.Llama3(factor, low, high, original);
        } catch (IllegalArgumentException e) {
            throw new CriaException(source + " is not a llama3 RoPE scaling table Cria can recover: " + e.getMessage());
        }
        float[] again = factors(found, headSize, theta);
        for (int i = 0; i < factors.length; i++) {
            if (Math.abs(again[i] - factors[i]) > 1e-4 * factors[i]) {
                throw new CriaException(source + " is not a llama3 RoPE scaling table Cria can recover (pair " + i + ": "
                        + factors[i] + ", the closest llama3 parameters give " + again[i] + ")");
            }
        }
        return found;
    }

    private static double blend(float f, float factor) {
        return (1 / (double) f - 1 / (double) factor) / (1 - 1 / (double) factor);
    }
}
