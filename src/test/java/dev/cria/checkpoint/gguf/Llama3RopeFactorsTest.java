package dev.cria.checkpoint.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.cria.kernels.Rope;
import dev.cria.util.CriaException;
import org.junit.jupiter.api.Test;

/**
 * llama.cpp's converter stores Llama 3.1's RoPE scaling only as the rope_freqs table; a file from it has
 * no cria.rope.llama3.* keys, so the parameters are recovered from the table.
 */
class Llama3RopeFactorsTest {
    @Test
    void llama31ParametersComeBackExactly() {
        var llama31 = new Rope.Scaling.Llama3(8f, 1f, 4f, 8192);
        float[] table = Llama3RopeFactors.factors(llama31, 128, 500000f);
        assertThat(table[0]).isEqualTo(1f);
        assertThat(table[63]).isEqualTo(8f);
        assertThat(Llama3RopeFactors.fit(table, 128, 500000f, "test")).isEqualTo(llama31);
    }

    @Test
    void aTableWithOneBlendedPairGetsParametersThatGiveTheSameTable() {
        var tiny = new Rope.Scaling.Llama3(8f, 1f, 4f, 32); // the llama3-rope fixture: one pair between the bounds
        float[] table = Llama3RopeFactors.factors(tiny, 16, 10000f);
        float[] again = Llama3RopeFactors.factors(Llama3RopeFactors.fit(table, 16, 10000f, "test"), 16, 10000f);
        for (int i = 0; i < table.length; i++) assertThat(again[i]).isCloseTo(table[i], within(1e-5f));
    }

    @Test
    void aTableNoLlama3ParametersGiveIsRefused() {
        float[] table = {1f, 3f, 1.5f, 8f, 8f, 8f, 8f, 8f};
        assertThatThrownBy(() -> Llama3RopeFactors.fit(table, 16, 10000f, "f.gguf: tensor 'rope_freqs.weight'"))
                .isInstanceOf(CriaException.class).hasMessageContaining("f.gguf: tensor 'rope_freqs.weight' is not a llama3 RoPE scaling table");
    }
}
