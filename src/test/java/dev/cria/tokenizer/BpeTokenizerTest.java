package dev.cria.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cria.util.CriaException;
import dev.cria.util.Rng;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Behaviour of trained byte-level BPE: minbpe's examples, round trips on any text or bytes, specials. */
class BpeTokenizerTest {
    private static BpeTokenizer stories;

    @BeforeAll
    static void trainOnStories() {
        stories = BpeTokenizer.train(StoryText.stories(300, 1), 512);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void wikipediaExampleMergesAaThenAbThenAaab() {
        // Wikipedia's byte pair encoding example: aa -> Z, ab -> Y, ZY -> X, so "aaabdaaabac" is "XdXac".
        BpeTokenizer t = BpeTokenizer.train(List.of("aaabdaaabac"), 256 + 3 + 7);

        assertThat(t.mergeCount()).isEqualTo(3);
        assertThat(t.tokenBytes(256)).isEqualTo(utf8("aa"));
        assertThat(t.tokenBytes(257)).isEqualTo(utf8("ab"));
        assertThat(t.tokenBytes(258)).isEqualTo(utf8("aaab"));
        assertThat(t.encode("aaabdaaabac")).containsExactly(258, 'd', 258, 'a', 'c');
        assertThat(t.decode(new int[] {258, 'd', 258, 'a', 'c'})).isEqualTo("aaabdaaabac");
    }

    @Test
    void specialsFollowTheMergesAndPadIsNotEos() {
        assertThat(stories.vocabSize()).isEqualTo(512);
        assertThat(stories.mergeCount()).isEqualTo(512 - 256 - 7);
        assertThat(stories.specials()).isEqualTo(SpecialTokens.startingAt(505));
        assertThat(stories.padId()).isNotEqualTo(stories.eosId());
        assertThat(stories.tokenBytes(stories.eosId())).isEqualTo(utf8("<|eos|>"));
        assertThat(stories.decode(new int[] {stories.bosId(), 'H', 'i', stories.eosId()})).isEqualTo("<|bos|>Hi<|eos|>");
    }

    @Test
    void specialNamesInTextAreOrdinaryBytes() {
        String text = "The end.<|eos|><|pad|> <|user|>";
        int[] ids = stories.encode(text);

        assertThat(ids).doesNotContain(stories.specials().ids());
        assertThat(stories.decode(ids)).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "a",
        "Once upon a time, there was a little cat named Lily.",
        "Hello, world! It's 2024; we'll see what they've done. 12345678",
        "👋🌍 family: 👨‍👩‍👧‍👦, flags: 🇫🇷🇯🇵, skin tone: 👍🏽",
        "小猫在花园里玩。日本語のテキスト、한국어 텍스트",
        "mixed: naïve café — 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 e\u0301 a\u0308 \u0915\u094D\u0937",
        "          lots   of\t\t\tspace \u00a0\u3000 here          ",
        "\n\n\nline\r\nbreaks\n \n\t\n",
        "\u0000\u0001\u007f control \u200b\ufeff",
    })
    void roundTripsText(String text) {
        int[] ids = stories.encode(text);

        assertThat(stories.decode(ids)).isEqualTo(text);
        assertThat(stories.encodeBytes(utf8(text))).containsExactly(ids);
        assertThat(ids).doesNotContain(stories.specials().ids());
    }

    @Test
    void roundTripsRandomCodePointsFromEveryPlane() {
        Rng rng = new Rng(42);
        for (int c = 0; c < 500; c++) {
            String text = randomString(rng, 1 + rng.nextInt(40), false);
            assertThat(stories.decode(stories.encode(text))).as("case %d: %s", c, text).isEqualTo(text);
        }
    }

    @Test
    void roundTripsLoneSurrogates() {
        Rng rng = new Rng(7);
        for (int c = 0; c < 200; c++) {
            String text = randomString(rng, 1 + rng.nextInt(20), true);
            assertThat(stories.decode(stories.encode(text))).as("case %d", c).isEqualTo(text);
        }
        assertThat(stories.decode(stories.encode("a\uD800b\uDC00\uDBFF"))).isEqualTo("a\uD800b\uDC00\uDBFF");
    }

    @Test
    void roundTripsInvalidUtf8Bytes() {
        byte[][] cases = {
            {(byte) 0x80},
            {(byte) 0xFF, (byte) 0xFE, 'a'},
            {'a', (byte) 0xE2, (byte) 0x82}, // € cut short
            {(byte) 0xC0, (byte) 0xAF}, // overlong '/'
            {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // a surrogate
            {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // above U+10FFFF
            {' ', 't', 'h', 'e', (byte) 0xF0, (byte) 0x9F, ' ', 'c', 'a', 't'},
        };
        for (byte[] bytes : cases) {
            assertThat(stories.decodeBytes(stories.encodeBytes(bytes))).isEqualTo(bytes);
        }
        Rng rng = new Rng(3);
        for (int c = 0; c < 500; c++) {
            byte[] bytes = new byte[rng.nextInt(64)];
            for (int i = 0; i < bytes.length; i++) bytes[i] = (byte) rng.nextInt(256);
            assertThat(stories.decodeBytes(stories.encodeBytes(bytes))).as("case %d", c).isEqualTo(bytes);
        }
    }

    @Test
    void decodeReplacesInvalidUtf8() {
        int[] ids = stories.encodeBytes(new byte[] {'o', 'k', (byte) 0xFF});

        assertThat(stories.decode(ids)).isEqualTo("ok\uFFFD");
    }

    @Test
    void compressesStoryText() {
        String unseen = String.join("\n", StoryText.stories(20, 99));

        int[] ids = stories.encode(unseen);

        assertThat(ids.length).isLessThan(utf8(unseen).length / 3);
        assertThat(stories.decode(ids)).isEqualTo(unseen);
    }

    @Test
    void trainingIsDeterministic() {
        List<String> texts = StoryText.stories(100, 5);
        BpeTokenizer a = BpeTokenizer.train(texts, 400);
        BpeTokenizer b = BpeTokenizer.train(texts.reversed(), 400);

        for (int id = 0; id < a.vocabSize(); id++) {
            assertThat(b.tokenBytes(id)).as("token %d", id).isEqualTo(a.tokenBytes(id));
        }
        assertThat(TokenizerJson.toJson(b.bpe())).isEqualTo(TokenizerJson.toJson(a.bpe()));
    }

    @Test
    void tiesBreakTowardTheSmallestPair() {
        // "ab" and "cd" occur equally often; (a,b) has the smaller ids, so it is merged first.
        BpeTokenizer t = BpeTokenizer.train(List.of("cd", "ab", "cd", "ab"), 256 + 1 + 7);

        assertThat(t.tokenBytes(256)).isEqualTo(utf8("ab"));
    }

    @Test
    void mergesNeverCrossSplitChunks() {
        // " dog" repeats, but the regex keeps the space with the word and apart from the preceding '.'.
        BpeTokenizer t = BpeTokenizer.train(List.of("dog. dog. dog. dog."), 256 + 20 + 7);

        for (int id = 256; id < 256 + t.mergeCount(); id++) {
            String token = new String(t.tokenBytes(id), StandardCharsets.UTF_8);
            assertThat(token).as("token %d", id).isIn("do", "dog", " d", " do", " dog", "og");
        }
    }

    @Test
    void stopsEarlyWhenTextRunsOutOfPairs() {
        BpeTokenizer t = BpeTokenizer.train(List.of("ab"), 1000);

        assertThat(t.mergeCount()).isEqualTo(1);
        assertThat(t.vocabSize()).isEqualTo(256 + 1 + 7);
        assertThat(t.eosId()).isEqualTo(258);
    }

    @Test
    void rejectsAVocabTooSmallForBytesAndSpecials() {
        assertThatThrownBy(() -> BpeTokenizer.train(List.of("x"), 100))
                .isInstanceOf(CriaException.class)
                .hasMessageContaining("at least 263")
                .hasMessageContaining(": 100");
    }

    @Test
    void rejectsIdsOutOfRange() {
        assertThatThrownBy(() -> stories.decode(new int[] {1, 512}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("512");
    }

    @Test
    void reportsProgressForEveryMerge() {
        int[] calls = {0};
        BpeTokenizer.train(StoryText.stories(10, 2), 256 + 7 + 30, (done, total) -> {
            assertThat(total).isEqualTo(30);
            assertThat(done).isEqualTo(++calls[0]);
        });
        assertThat(calls[0]).isEqualTo(30);
    }

    @Test
    void tokenBytesIsACopy() {
        stories.tokenBytes(300)[0] = 0;

        assertThat(stories.tokenBytes(300)[0]).isNotEqualTo((byte) 0);
    }

    /** Code points spread over ASCII, the BMP and the supplementary planes; surrogates only if asked. */
    static String randomString(Rng rng, int codePoints, boolean loneSurrogates) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < codePoints; i++) {
            int cp = switch (rng.nextInt(5)) {
                case 0 -> rng.nextInt(128);
                case 1 -> 0x80 + rng.nextInt(0x800 - 0x80);
                case 2 -> 0x800 + rng.nextInt(0x10000 - 0x800);
                case 3 -> 0x10000 + rng.nextInt(0x110000 - 0x10000);
                default -> " \n\t".charAt(rng.nextInt(3));
            };
            if (cp >= 0xD800 && cp <= 0xDFFF && !loneSurrogates) cp = 'x';
            if (loneSurrogates && rng.nextInt(4) == 0) cp = 0xD800 + rng.nextInt(0x800);
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }
}
