import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/**
 * Two builds of Cria timed in one JVM, call by call: each build's classes come from their own class
 * loader, the two are called in turn, and the ratio is taken pair by pair. This VM's speed drifts by
 * 10–50% within minutes, so two builds timed in separate runs differ by more than most changes do;
 * alternating calls in one process puts both under the same drift. Run by scripts/ab.sh.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector scripts/InOneJvm.java OLD_CLASSES NEW_CLASSES PAIRS WHAT [SHAPE]
 *   WHAT: attention-forward | attention-backward   SHAPE: B,T,H,KV,HEAD   (default 8,512,8,4,8: tiny)
 *         train                                     SHAPE: D,L,H,KV,F,V,T,B (default 64,5,8,4,172,512,512,8)
 *         decode                                    SHAPE: D,L,H,KV,F,V,B,P,N   (default: small, B=32, 16 + 128)
 *         abt | ab | atb                            SHAPE: M,K,N           (default 1024,2048,2048)
 * </pre>
 * Prints both builds' medians and the new/old time per pair (median and quartiles): below 1, new is faster.
 */
public class InOneJvm {
    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: InOneJvm OLD_CLASSES NEW_CLASSES PAIRS WHAT [SHAPE] (see the class comment)");
            System.exit(2);
        }
        ClassLoader[] builds = {loader(args[0]), loader(args[1])};
        int pairs = Integer.parseInt(args[2]);
        String what = args[3];
        int[] shape = args.length > 4 ? Arrays.stream(args[4].split(",")).mapToInt(Integer::parseInt).toArray() : null;
        int[] defaults = switch (what) {
            case "attention-forward", "attention-backward" -> new int[] {8, 512, 8, 4, 8};
            case "train" -> new int[] {64, 5, 8, 4, 172, 512, 512, 8};
            case "decode" -> new int[] {288, 6, 6, 6, 768, 32000, 32, 16, 128};
            case "abt", "ab", "atb" -> new int[] {1024, 2048, 2048};
            default -> null;
        };
        if (defaults == null) fail("WHAT is '" + what + "'; expected attention-forward, attention-backward, train, decode, abt, ab or atb");
        if (shape == null) shape = defaults;
        if (shape.length != defaults.length) fail("SHAPE for " + what + " has " + defaults.length + " numbers, not " + shape.length);
        Call[] calls = new Call[2];
        for (int i = 0; i < 2; i++) {
            calls[i] = switch (what) {
                case "attention-forward", "attention-backward" -> attention(builds[i], what.endsWith("backward"), shape);
                case "train" -> train(builds[i], shape);
                case "decode" -> decode(builds[i], shape);
                default -> gemm(builds[i], what, shape);
            };
        }
        // warm up for at least five seconds and a fifth of the pairs: the JIT reaches its final code late
        long warmUntil = System.nanoTime() + 5_000_000_000L;
        for (int p = 0; p < Math.max(3, pairs / 5) || System.nanoTime() < warmUntil; p++) {
            for (Call call : calls) call.run();
        }
        double[][] ms = new double[2][pairs];
        for (int p = 0; p < pairs; p++) {
            for (int i = 0; i < 2; i++) ms[i][p] = calls[i].run();
        }
        double[] ratio = new double[pairs];
        for (int p = 0; p < pairs; p++) ratio[p] = ms[1][p] / ms[0][p];
        Arrays.sort(ratio);
        Arrays.sort(ms[0]);
        Arrays.sort(ms[1]);
        System.out.printf("%s: old %.3f ms, new %.3f ms (medians); new/old time per pair: median %.3f, quartiles %.3f–%.3f (%d pairs)%n",
                what, ms[0][pairs / 2], ms[1][pairs / 2], ratio[pairs / 2], ratio[pairs / 4], ratio[3 * pairs / 4], pairs);
    }

    private static void fail(String message) {
        System.err.println("InOneJvm: " + message);
        System.exit(2);
    }

    /** One timed call, in milliseconds. */
    interface Call {
        double run() throws Exception;
    }

    private static ClassLoader loader(String classes) throws Exception {
        return new URLClassLoader(new URL[] {Path.of(classes).toUri().toURL()}, ClassLoader.getPlatformClassLoader());
    }

    private static Method method(Class<?> c, String name) {
        return Arrays.stream(c.getMethods()).filter(m -> m.getName().equals(name)).findFirst().orElseThrow();
    }

    private static Call attention(ClassLoader build, boolean backward, int[] s) throws Exception {
        int B = s[0], T = s[1], H = s[2], KV = s[3], HS = s[4];
        Class<?> attention = Class.forName("dev.cria.kernels.Attention", true, build);
        Method forward = method(attention, "forwardVector"), back = method(attention, "backwardVector");
        Random random = new Random(1);
        float[] q = gaussian(random, B * T * H * HS), k = gaussian(random, B * T * KV * HS), v = gaussian(random, k.length);
        float[] dout = gaussian(random, q.length), out = new float[q.length], lse = new float[B * H * T];
        float[] dq = new float[q.length], dk = new float[k.length], dv = new float[k.length];
        forward.invoke(null, out, lse, q, k, v, B, T, H, KV, HS, false);
        return () -> {
            long start = System.nanoTime();
            if (backward) back.invoke(null, dq, dk, dv, dout, q, k, v, out, lse, B, T, H, KV, HS, false);
            else forward.invoke(null, out, lse, q, k, v, B, T, H, KV, HS, false);
            return (System.nanoTime() - start) / 1e6;
        };
    }

    /** Whole training steps: bench train's own loop, four timed steps a call after its warm-up. */
    private static Call train(ClassLoader build, int[] s) throws Exception {
        Class<?> configClass = Class.forName("dev.cria.model.LlamaConfig", true, build);
        Object config = configClass.getConstructor(int.class, int.class, int.class, int.class, int.class, int.class, int.class,
                float.class, float.class, boolean.class).newInstance(s[0], s[1], s[2], s[3], s[4], s[5], s[6], 1e-5f, 10000f, false);
        Method run = Class.forName("dev.cria.bench.TrainBench", true, build)
                .getMethod("run", configClass, int.class, int.class, int.class, int.class);
        return () -> {
            Object result = run.invoke(null, config, s[7], s[6], 4, 2);
            return (double) result.getClass().getMethod("msPerStep").invoke(result);
        };
    }

    /** One decoding run (prefill included) of B sequences, P prompt tokens and N new ones each. */
    private static Call decode(ClassLoader build, int[] s) throws Exception {
        Class<?> configClass = Class.forName("dev.cria.model.LlamaConfig", true, build);
        Object config = configClass.getConstructor(int.class, int.class, int.class, int.class, int.class, int.class, int.class,
                float.class, float.class, boolean.class).newInstance(s[0], s[1], s[2], s[3], s[4], s[5], s[7] + s[8], 1e-5f, 10000f, true);
        Method run = Class.forName("dev.cria.bench.DecodeBench", true, build)
                .getMethod("run", configClass, int.class, int.class, int.class, int.class);
        return () -> {
            Object result = run.invoke(null, config, s[6], s[7], s[8], 1);
            return 1000 * (double) result.getClass().getMethod("seconds").invoke(result);
        };
    }

    private static Call gemm(ClassLoader build, String layout, int[] s) throws Exception {
        int M = s[0], K = s[1], N = s[2];
        String name = switch (layout) {
            case "abt" -> "abT";
            case "ab" -> "ab";
            default -> "aTb";
        };
        Method product = Class.forName("dev.cria.kernels.Gemm", true, build)
                .getMethod(name, float[].class, float[].class, float[].class, int.class, int.class, int.class, boolean.class);
        Random random = new Random(1);
        float[] a = gaussian(random, M * K), b = gaussian(random, K * N), c = new float[M * N];
        return () -> {
            long start = System.nanoTime();
            product.invoke(null, c, a, b, M, K, N, false);
            return (System.nanoTime() - start) / 1e6;
        };
    }

    private static float[] gaussian(Random random, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) random.nextGaussian();
        return x;
    }
}
