package dev.cria.checkpoint.gguf;

import java.util.List;

/**
 * A metadata array as read from a file: its element type and the values, widened to one Java type per
 * kind (strings, longs for every integer type, doubles for both float types, booleans).
 */
record GgufArray(GgufValueType elementType, List<String> strings, long[] integers, double[] floats, boolean[] booleans) {
    int size() {
        if (strings != null) return strings.size();
        if (integers != null) return integers.length;
        if (floats != null) return floats.length;
        return booleans.length;
    }
}
