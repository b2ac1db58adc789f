package dev.cria.io;

import dev.cria.util.CriaException;

import java.util.Arrays;

/**
 * A float32 tensor as stored in a checkpoint: a shape and its elements in row-major order.
 *
 * <p>This is an exchange format for files, not Cria's compute tensor. The data array is shared, not
 * copied (weights run to hundreds of MB), so whoever builds one must not change the array while a
 * writer uses it. The shape is copied.
 *
 * @param shape dimensions, outermost first; {@code []} is a scalar with one element
 * @param data  {@code product(shape)} elements, row-major
 */
public record TensorData(int[] shape, float[] data) {

    public TensorData {
        if (shape == null) throw new IllegalArgumentException("shape is null");
        if (data == null) throw new IllegalArgumentException("data is null");
        shape = shape.clone();
        long count = elementCount(shape);
        if (count != data.length) {
            throw new CriaException("shape " + Arrays.toString(shape) + " has " + count
                    + " elements but data has " + data.length);
        }
    }

    /** A tensor of the given shape holding {@code data}, e.g. {@code TensorData.of(w, rows, cols)}. */
    public static TensorData of(float[] data, int... shape) {
        return new TensorData(shape, data);
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** Product of the dimensions; every dimension must be non-negative. */
    public static long elementCount(int[] shape) {
        long count = 1;
        for (int d : shape) {
            if (d < 0) throw new CriaException("negative dimension " + d + " in shape " + Arrays.toString(shape));
            count = Math.multiplyExact(count, d);
        }
        return count;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorData t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "TensorData" + Arrays.toString(shape);
    }
}
