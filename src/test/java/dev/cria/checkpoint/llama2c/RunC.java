package dev.cria.checkpoint.llama2c;

import dev.cria.util.Rng;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;

/**
 * An independent reference for the llama2.c format, written for the tests from run.c and export.py
 * without Cria's layout code: weights in llama2.c's own (Meta, interleaved RoPE) layout, their version 0
 * and version 1 bytes, and run.c's forward pass transcribed to Java, one token at a time with a KV cache.
 *
 * <p>Legend: C dim, F hidden_dim, L layers, H heads, KVH kv heads, HS = C / H, KV = KVH·HS, V vocab,
 * T seq_len. Every matrix is (out, in), row-major, stacked over layers where run.c stacks it.
 */
final class RunC {
    private RunC() {
    }

    record Weights(int C, int F, int L, int H, int KVH, int V, int T,
                   float[] embedding,  // (V, C)
                   float[] rmsAtt,     // (L, C)
                   float[] wq,         // (L, C, C)
                   float[] wk,         // (L, KV, C)
                   float[] wv,         // (L, KV, C)
                   float[] wo,         // (L, C, C)
                   float[] rmsFfn,     // (L, C)
                   float[] w1,         // (L, F, C)
                   float[] w2,         // (L, C, F)
                   float[] w3,         // (L, F, C)
                   float[] rmsFinal,   // (C)
                   float[] wcls) {     // (V, C), or null when the classifier is the embedding
        int HS() {
            return C / H;
        }

        int KV() {
            return KVH * HS();
        }

        /** Random weights of this shape: matrices N(0, 0.3), norms 1 + N(0, 0.2). */
        static Weights random(int C, int F, int L, int H, int KVH, int V, int T, boolean shared, long seed) {
            Rng rng = new Rng(seed);
            int KV = KVH * (C / H);
            return new Weights(C, F, L, H, KVH, V, T, normal(rng, V * C, 0, 0.3f), normal(rng, L * C, 1, 0.2f),
                    normal(rng, L * C * C, 0, 0.3f), normal(rng, L * KV * C, 0, 0.3f), normal(rng, L * KV * C, 0, 0.3f),
                    normal(rng, L * C * C, 0, 0.3f), normal(rng, L * C, 1, 0.2f), normal(rng, L * F * C, 0, 0.3f),
                    normal(rng, L * C * F, 0, 0.3f), normal(rng, L * F * C, 0, 0.3f), normal(rng, C, 1, 0.2f),
                    shared ? null : normal(rng, V * C, 0, 0.3f));
        }

        private static float[] normal(Rng rng, int n, float mean, float std) {
            float[] out = new float[n];
            for (int i = 0; i < n; i++) out[i] = mean + (float) rng.nextGaussian() * std;
            return out;
        }

        /** run.c's file: 7 int32s (vocab negative if unshared), then memory_map_weights's order, the skipped RoPE tables filled with junk. */
        byte[] version0() {
            int junk = T * HS() / 2 * 2;
            var b = buffer(7 * 4 + 4 * (count() + junk));
            b.putInt(C).putInt(F).putInt(L).putInt(H).putInt(KVH).putInt(wcls == null ? V : -V).putInt(T);
            put(b, embedding, rmsAtt, wq, wk, wv, wo, rmsFfn, w1, w2, w3, rmsFinal);
            for (int i = 0; i < junk; i++) b.putFloat(12345f + i);
            if (wcls != null) put(b, wcls);
            return b.array();
        }

        /** export.py's version1_export: 256-byte header, then norms, embedding, matrices, classifier if unshared. */
        byte[] version1() {
            var b = buffer(256 + 4 * count());
            b.putInt(0x616b3432).putInt(1).putInt(C).putInt(F).putInt(L).putInt(H).putInt(KVH).putInt(V).putInt(T);
            b.put((byte) (wcls == null ? 1 : 0));
            b.position(256);
            put(b, rmsAtt, rmsFfn, rmsFinal, embedding, wq, wk, wv, wo, w1, w2, w3);
            if (wcls != null) put(b, wcls);
            return b.array();
        }

        private int count() {
            int n = 0;
            for (float[] a : new float[][] {embedding, rmsAtt, wq, wk, wv, wo, rmsFfn, w1, w2, w3, rmsFinal}) n += a.length;
            return n + (wcls == null ? 0 : wcls.length);
        }

        /** Reads a version 0 file the way run.c's read_checkpoint does. */
        static Weights parseVersion0(byte[] file) {
            var b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
            int C = b.getInt(), F = b.getInt(), L = b.getInt(), H = b.getInt(), KVH = b.getInt(), vocab = b.getInt(), T = b.getInt();
            int V = Math.abs(vocab), KV = KVH * (C / H);
            float[] embedding = take(b, V * C), rmsAtt = take(b, L * C), wq = take(b, L * C * C), wk = take(b, L * KV * C),
                    wv = take(b, L * KV * C), wo = take(b, L * C * C), rmsFfn = take(b, L * C), w1 = take(b, L * F * C),
                    w2 = take(b, L * C * F), w3 = take(b, L * F * C), rmsFinal = take(b, C);
            take(b, T * (C / H));
            float[] wcls = vocab > 0 ? null : take(b, V * C);
            if (b.hasRemaining()) throw new AssertionError(b.remaining() + " bytes left over");
            return new Weights(C, F, L, H, KVH, V, T, embedding, rmsAtt, wq, wk, wv, wo, rmsFfn, w1, w2, w3, rmsFinal, wcls);
        }
    }

    private static ByteBuffer buffer(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void put(ByteBuffer b, float[]... arrays) {
        for (float[] a : arrays) for (float v : a) b.putFloat(v);
    }

    private static float[] take(ByteBuffer b, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = b.getFloat();
        return out;
    }

    /** run.c's generate loop with the tokens forced: logits (tokens.length, V), row t after tokens[0..t]. */
    static float[][] logits(Weights w, int[] tokens) {
        int C = w.C(), F = w.F(), H = w.H(), HS = w.HS(), KV = w.KV(), kvMul = w.H() / w.KVH(), T = w.T(), V = w.V();
        float[][] keyCache = new float[w.L()][T * KV], valueCache = new float[w.L()][T * KV];
        float[][] out = new float[tokens.length][];
        float[] wcls = w.wcls() != null ? w.wcls() : w.embedding();
        for (int pos = 0; pos < tokens.length; pos++) {
            float[] x = new float[C];
            System.arraycopy(w.embedding(), tokens[pos] * C, x, 0, C);
            for (int l = 0; l < w.L(); l++) {
                float[] xb = rmsnorm(x, w.rmsAtt(), l * C);
                float[] q = matmul(w.wq(), l * C * C, xb, C, C);
                float[] k = matmul(w.wk(), l * KV * C, xb, C, KV);
                float[] v = matmul(w.wv(), l * KV * C, xb, C, KV);
                // RoPE on adjacent pairs (i, i+1) of each head
                for (int i = 0; i < C; i += 2) {
                    int headDim = i % HS;
                    float freq = 1.0f / (float) Math.pow(10000.0f, headDim / (float) HS);
                    float val = pos * freq;
                    float fcr = (float) Math.cos(val), fci = (float) Math.sin(val);
                    for (float[] vec : i < KV ? new float[][] {q, k} : new float[][] {q}) {
                        float v0 = vec[i], v1 = vec[i + 1];
                        vec[i] = v0 * fcr - v1 * fci;
                        vec[i + 1] = v0 * fci + v1 * fcr;
                    }
                }
                System.arraycopy(k, 0, keyCache[l], pos * KV, KV);
                System.arraycopy(v, 0, valueCache[l], pos * KV, KV);
                float[] attended = new float[C];
                for (int h = 0; h < H; h++) {
                    float[] att = new float[pos + 1];
                    int kvAt = (h / kvMul) * HS;
                    for (int t = 0; t <= pos; t++) {
                        float score = 0;
                        for (int i = 0; i < HS; i++) score += q[h * HS + i] * keyCache[l][t * KV + kvAt + i];
                        att[t] = score / (float) Math.sqrt(HS);
                    }
                    softmax(att);
                    for (int t = 0; t <= pos; t++) {
                        for (int i = 0; i < HS; i++) attended[h * HS + i] += att[t] * valueCache[l][t * KV + kvAt + i];
                    }
                }
                float[] o = matmul(w.wo(), l * C * C, attended, C, C);
                for (int i = 0; i < C; i++) x[i] += o[i];
                xb = rmsnorm(x, w.rmsFfn(), l * C);
                float[] hb = matmul(w.w1(), l * F * C, xb, C, F);
                float[] hb2 = matmul(w.w3(), l * F * C, xb, C, F);
                for (int i = 0; i < F; i++) hb[i] = hb[i] * (1.0f / (1.0f + (float) Math.exp(-hb[i]))) * hb2[i];
                float[] down = matmul(w.w2(), l * C * F, hb, F, C);
                for (int i = 0; i < C; i++) x[i] += down[i];
            }
            out[pos] = matmul(wcls, 0, rmsnorm(x, w.rmsFinal(), 0), C, V);
        }
        return out;
    }

    private static float[] rmsnorm(float[] x, float[] weight, int at) {
        float ss = 0;
        for (float v : x) ss += v * v;
        ss = 1.0f / (float) Math.sqrt(ss / x.length + 1e-5f);
        float[] o = new float[x.length];
        for (int j = 0; j < x.length; j++) o[j] = weight[at + j] * (ss * x[j]);
        return o;
    }

    /** W (d, n) at offset {@code at} times x (n) → (d). */
    private static float[] matmul(float[] w, int at, float[] x, int n, int d) {
        float[] out = new float[d];
        for (int i = 0; i < d; i++) {
            float val = 0;
            for (int j = 0; j < n; j++) val += w[at + i * n + j] * x[j];
            out[i] = val;
        }
        return out;
    }

    private static void softmax(float[] x) {
        float max = x[0];
        for (float v : x) max = Math.max(max, v);
        float sum = 0;
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.exp(x[i] - max);
            sum += x[i];
        }
        for (int i = 0; i < x.length; i++) x[i] /= sum;
    }

    /**
     * run.c's encode with bos and no eos: bos (1), a dummy-prefix " " token if the text is not empty, each
     * UTF-8 code point as its token or as its bytes + 3 (byte fallback), then repeatedly the adjacent pair
     * whose concatenation is the token of highest score, leftmost first.
     */
    static int[] encode(Llama2cTokenizerFile t, String text) {
        var ids = new HashMap<String, Integer>();
        for (int id = t.vocabSize() - 1; id >= 0; id--) ids.put(latin1(t.tokens()[id]), id);
        var tokens = new ArrayList<Integer>();
        tokens.add(1);
        if (!text.isEmpty()) tokens.add(ids.get(" "));
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        for (int at = 0; at < utf8.length; ) {
            int end = at + 1;
            while (end < utf8.length && (utf8[end] & 0xC0) == 0x80 && end - at < 4) end++;
            Integer id = ids.get(latin1(Arrays.copyOfRange(utf8, at, end)));
            if (id != null) tokens.add(id);
            else for (int i = at; i < end; i++) tokens.add((utf8[i] & 0xFF) + 3);
            at = end;
        }
        while (true) {
            float bestScore = -1e10f;
            int bestId = -1, bestIdx = -1;
            for (int i = 0; i < tokens.size() - 1; i++) {
                Integer id = ids.get(latin1(t.tokens()[tokens.get(i)]) + latin1(t.tokens()[tokens.get(i + 1)]));
                if (id != null && t.scores()[id] > bestScore) {
                    bestScore = t.scores()[id];
                    bestId = id;
                    bestIdx = i;
                }
            }
            if (bestIdx == -1) break;
            tokens.set(bestIdx, bestId);
            tokens.remove(bestIdx + 1);
        }
        return tokens.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Bytes as a string of the same length, so byte strings can key a map and be concatenated. */
    private static String latin1(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
