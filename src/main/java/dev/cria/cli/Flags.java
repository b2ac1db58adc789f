package dev.cria.cli;

import dev.cria.util.CriaException;

/**
 * Checks of flag values that commands make first, before they read data, load a model or write
 * anything: a mistake costs the user one line naming the flag and the value, not a run that fails
 * minutes in. Values that only a config record can judge are checked by building that record first.
 */
final class Flags {
    private Flags() {
    }

    static void positive(String flag, int value) {
        if (value <= 0) throw new CriaException(flag + " must be positive: " + value);
    }

    static void positive(String flag, double value) {
        if (!(value > 0) || Double.isInfinite(value)) throw new CriaException(flag + " must be positive: " + value);
    }

    static void atLeast(String flag, int value, int min) {
        if (value < min) throw new CriaException(flag + " must be at least " + min + ": " + value);
    }

    static void nonNegative(String flag, int value) {
        if (value < 0) throw new CriaException(flag + " must be 0 or more: " + value);
    }

    static void nonNegative(String flag, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) throw new CriaException(flag + " must be 0 or more: " + value);
    }

    /** A share of the data held out: some may be, never all. */
    static void heldOutShare(String flag, double value) {
        if (!(value >= 0 && value < 1)) throw new CriaException(flag + " must be in [0, 1): " + value);
    }

    /** A share of something: 0 to 1, both included. */
    static void share(String flag, double value) {
        if (!(value >= 0 && value <= 1)) throw new CriaException(flag + " must be in [0, 1]: " + value);
    }

    static void oneOf(String flag, String value, String... allowed) {
        if (java.util.Arrays.asList(allowed).contains(value)) return;
        String choices = String.join(", ", java.util.Arrays.copyOf(allowed, allowed.length - 1)) + " or " + allowed[allowed.length - 1];
        throw new CriaException(flag + " must be " + choices + ": " + value);
    }

    static void topP(String flag, double value) {
        if (!(value > 0 && value <= 1)) throw new CriaException(flag + " must be in (0, 1]: " + value);
    }
}
