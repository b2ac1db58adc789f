package dev.cria.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cria.util.Rng;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** WTF-8 against the JDK's UTF-8: same bytes for valid text, same U+FFFD replacement, surrogates kept. */
class Wtf8Test {
    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) b[i] = (byte) values[i];
        return b;
    }

    @Test
    void encodesValidStringsAsUtf8() {
        Rng rng = new Rng(11);
        for (int c = 0; c < 500; c++) {
            String s = BpeTokenizerTest.randomString(rng, rng.nextInt(30), false);
            assertThat(Wtf8.encode(s)).as("case %d", c).isEqualTo(s.getBytes(StandardCharsets.UTF_8));
            assertThat(Wtf8.decode(Wtf8.encode(s))).isEqualTo(s);
        }
    }

    @Test
    void encodesLoneSurrogatesInThreeBytesAndDecodesThemBack() {
        assertThat(Wtf8.encode("\uD800")).isEqualTo(bytes(0xED, 0xA0, 0x80));
        assertThat(Wtf8.encode("\uDFFFa")).isEqualTo(bytes(0xED, 0xBF, 0xBF, 'a'));
        assertThat(Wtf8.decode(bytes(0xED, 0xA0, 0x80))).isEqualTo("\uD800");
        // A reversed pair stays two lone surrogates.
        assertThat(Wtf8.decode(Wtf8.encode("\uDC00\uD800"))).isEqualTo("\uDC00\uD800");
    }

    @Test
    void replacesEachMaximalIllFormedSubpartLikeTheJdk() {
        Rng rng = new Rng(12);
        for (int c = 0; c < 2000; c++) {
            byte[] b = new byte[rng.nextInt(12)];
            for (int i = 0; i < b.length; i++) {
                // No 0xED: WTF-8 deliberately differs from the JDK on encoded surrogates.
                do b[i] = (byte) (rng.nextInt(2) == 0 ? rng.nextInt(0x80) : 0x80 + rng.nextInt(0x80));
                while (b[i] == (byte) 0xED);
            }
            assertThat(Wtf8.decode(b)).as("case %d", c).isEqualTo(new String(b, StandardCharsets.UTF_8));
        }
        assertThat(Wtf8.decode(bytes(0xE2, 0x82, 'A'))).isEqualTo("\uFFFDA");
        assertThat(Wtf8.decode(bytes(0xF0, 0x9F, 0x98))).isEqualTo("\uFFFD");
    }

    @Test
    void measuresSequencesAndValidRuns() {
        assertThat(Wtf8.sequenceLength(bytes(0xE2, 0x82, 0xAC), 0, 3, false)).isEqualTo(3);
        assertThat(Wtf8.sequenceLength(bytes(0xE2, 0x82, 0x41), 0, 3, false)).isEqualTo(-2);
        assertThat(Wtf8.sequenceLength(bytes(0xED, 0xA0, 0x80), 0, 3, false)).isEqualTo(-1);
        assertThat(Wtf8.sequenceLength(bytes(0xED, 0xA0, 0x80), 0, 3, true)).isEqualTo(3);
        assertThat(Wtf8.validRunLength(bytes('h', 'i', 0xC3, 0xA9, 0xFF, 'x'), 0)).isEqualTo(4);
        assertThat(Wtf8.validRunLength(bytes(0xFF, 'x'), 0)).isZero();
    }
}
