package dev.cria.backend;

import dev.cria.util.CriaException;

/**
 * The backend this process uses, chosen once at start-up from {@code --backend} and {@code --precision}
 * (the Java float32 kernels unless told otherwise).
 */
public final class Backends {
    private static volatile Backend current = JavaBackend.F32;

    private Backends() {
    }

    public static Backend current() {
        return current;
    }

    /** Makes {@code backend} the one every training product goes through from now on. */
    public static void use(Backend backend) {
        current = backend;
    }

    /**
     * The backend named {@code choice} in {@code precision}: "java", "onednn", or "auto". Auto takes oneDNN
     * for bfloat16 when libdnnl2 loads and can multiply bfloat16 on this CPU (about twice the Java kernels
     * on AVX-512 BF16; an AVX2 host cannot), and Java for float32, whose results then stay those of the
     * reference kernels, bit for bit, on every machine. An unknown name, or "onednn" without the library
     * or without the precision on this CPU, is a one-line error.
     */
    public static Backend select(String choice, Precision precision) {
        return switch (choice.toLowerCase(java.util.Locale.ROOT)) {
            case "java" -> JavaBackend.of(precision);
            case "onednn" -> {
                OneDnnBackend backend = OneDnnBackend.load(precision); // throws if the library is unavailable
                String refused = OneDnnBackend.cannot(precision);
                if (refused != null) {
                    throw new CriaException("oneDNN cannot multiply " + precision.label() + " on this CPU (" + refused
                            + "); use --backend java");
                }
                yield backend;
            }
            case "auto" -> precision == Precision.BF16 && OneDnnBackend.cannot(precision) == null
                    ? OneDnnBackend.load(precision) : JavaBackend.of(precision);
            default -> throw new CriaException("--backend must be auto, java or onednn, not '" + choice + "'");
        };
    }
}
