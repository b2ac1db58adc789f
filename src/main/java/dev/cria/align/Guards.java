package dev.cria.align;

import dev.cria.autograd.Tensor;
import java.util.Arrays;

/**
 * Argument checks shared by the RLHF math in this package: matching lengths and sane hyperparameters,
 * each failing with the name and the value. Not a validation framework; just the guard clauses.
 */
final class Guards {
    private Guards() {
    }

    static void sameLength(String what, int expected, float[] array, String name) {
        if (array.length != expected) {
            throw new IllegalArgumentException(what + ": " + name + " has " + array.length + " elements, expected " + expected);
        }
    }

    static void sameShape(String what, Tensor a, String nameA, Tensor b, String nameB) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException(what + ": " + nameA + " has shape " + Arrays.toString(a.shape())
                    + " but " + nameB + " has shape " + Arrays.toString(b.shape()));
        }
    }

    static void vector(String what, Tensor t, String name) {
        if (t.rank() != 1) {
            throw new IllegalArgumentException(what + ": " + name + " must have shape (B), got " + Arrays.toString(t.shape()));
        }
    }

    static void positive(String what, double value, String name) {
        if (!(value > 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException(what + ": " + name + " must be a positive finite number, got " + value);
        }
    }

    static void nonNegative(String what, double value, String name) {
        if (!(value >= 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException(what + ": " + name + " must be a finite number ≥ 0, got " + value);
        }
    }

    static void groupSize(String what, int n, int k) {
        if (k < 2) throw new IllegalArgumentException(what + ": needs k ≥ 2 samples per prompt, got k = " + k);
        if (n % k != 0) throw new IllegalArgumentException(what + ": " + n + " scores do not split into groups of k = " + k);
    }
}
