package dev.cria.kernels;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Fused causal attention, forward and backward, on one layer of the tiny (T=512) and small (T=256) presets. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class AttentionBenchmark {
    /** "BxTxHxKVHxHS". */
    @Param({"8x512x8x4x8", "8x256x6x6x48"})
    public String shape;

    private int B, T, H, KVH, HS;
    private float[] q, k, v, out, lse, dq, dk, dv;

    @Setup
    public void setup() {
        String[] p = shape.split("x");
        B = Integer.parseInt(p[0]);
        T = Integer.parseInt(p[1]);
        H = Integer.parseInt(p[2]);
        KVH = Integer.parseInt(p[3]);
        HS = Integer.parseInt(p[4]);
        q = fill(B * T * H * HS);
        k = fill(B * T * KVH * HS);
        v = fill(B * T * KVH * HS);
        out = new float[q.length];
        lse = new float[B * H * T];
        dq = new float[q.length];
        dk = new float[k.length];
        dv = new float[v.length];
        Attention.forward(out, lse, q, k, v, B, T, H, KVH, HS);
    }

    private static float[] fill(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = ((i * 7919) % 101 - 50) * 0.01f;
        return x;
    }

    @Benchmark
    public float[] forward() {
        Attention.forward(out, lse, q, k, v, B, T, H, KVH, HS);
        return out;
    }

    @Benchmark
    public float[] backward() {
        Attention.backward(dq, dk, dv, out, q, k, v, out, lse, B, T, H, KVH, HS);
        return dq;
    }
}
