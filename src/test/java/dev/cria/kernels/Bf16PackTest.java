package dev.cria.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cria.io.Safetensors;
import dev.cria.util.Rng;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** Packed bfloat16 bits, vector and scalar, are exactly those the checkpoint writer and {@link Bf16#round} give. */
class Bf16PackTest {
    private static final ValueLayout.OfShort BITS = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.nativeOrder());

    @Test
    void packedBitsAreTheRoundedUpperHalves() {
        float[] special = {0f, -0f, 1f, -2.5f, Float.NaN, Float.intBitsToFloat(0x7F800001), Float.intBitsToFloat(0xFFC12345),
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE,
                Float.MIN_NORMAL, Float.intBitsToFloat(0x3F808000), Float.intBitsToFloat(0x3F818000),
                Float.intBitsToFloat(0x3F807FFF), Float.intBitsToFloat(0x7F7FFFFF), Float.intBitsToFloat(0x007F8000)};
        Rng rng = new Rng(5);
        float[] values = new float[1000 + 3];
        for (int i = 0; i < values.length; i++) {
            values[i] = i < special.length ? special[i] : Float.intBitsToFloat((int) rng.nextLong());
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment vector = arena.allocate(2L * values.length), scalar = arena.allocate(2L * values.length);
            Bf16.pack(values, vector, 0, values.length);
            Bf16.packScalar(values, scalar, 0, values.length);
            for (int i = 0; i < values.length; i++) {
                short expected = Safetensors.toBf16(values[i]);
                String value = "value " + Integer.toHexString(Float.floatToRawIntBits(values[i]));
                assertThat(vector.get(BITS, 2L * i)).as(value).isEqualTo(expected);
                assertThat(scalar.get(BITS, 2L * i)).as(value).isEqualTo(expected);
                assertThat(Float.floatToRawIntBits(Bf16.round(values[i]))).as(value).isEqualTo(expected << 16);
            }
        }
    }

    @Test
    void packWritesOnlyItsRange() {
        float[] values = new float[40];
        java.util.Arrays.fill(values, 3f);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(2L * values.length);
            Bf16.pack(values, out, 5, 37);
            for (int i = 0; i < values.length; i++) {
                assertThat(out.get(BITS, 2L * i)).as("element " + i).isEqualTo(i >= 5 && i < 37 ? (short) 0x4040 : 0);
            }
        }
    }
}
