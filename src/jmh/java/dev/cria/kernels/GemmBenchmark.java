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

/** The three training products on the shapes of the tiny and small presets (M = tokens of a batch). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class GemmBenchmark {
    /** "MxKxN": tiny's MLP, small's attention projection, small's LM head. */
    @Param({"4096x64x172", "2048x288x288", "2048x288x32000"})
    public String shape;

    private float[] a, b, c, bigA;
    private int M, K, N;

    @Setup
    public void setup() {
        String[] p = shape.split("x");
        M = Integer.parseInt(p[0]);
        K = Integer.parseInt(p[1]);
        N = Integer.parseInt(p[2]);
        a = fill(M * K);
        b = fill(N * K);
        c = new float[M * N];
        bigA = fill(M * N);
    }

    static float[] fill(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (i % 17) * 0.01f;
        return x;
    }

    @Benchmark
    public float[] forwardXWt() {
        Gemm.abT(c, a, b, M, K, N, false);
        return c;
    }

    @Benchmark
    public float[] inputGradDyW() {
        Gemm.ab(a, bigA, b, M, N, K, false);
        return a;
    }

    @Benchmark
    public float[] weightGradDyTX() {
        Gemm.aTb(b, bigA, a, N, M, K, true);
        return b;
    }
}
