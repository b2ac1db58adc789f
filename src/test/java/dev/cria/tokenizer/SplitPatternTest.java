package dev.cria.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The regex Cria now writes (plain enough for JavaScript) splits exactly as the GPT-4 regex it wrote before,
 * so tokenizers trained either way and data packed with them keep their ids.
 */
class SplitPatternTest {
    private static final Pattern OLD = BpeTokenizer.compileSplit(BpeTokenizer.GPT4_SPLIT_PATTERN);
    private static final Pattern NEW = BpeTokenizer.compileSplit(BpeTokenizer.SPLIT_PATTERN);

    @Test
    void spaceClassIsJavasUnicodeWhitespace() {
        Pattern javaSpace = BpeTokenizer.compileSplit("\\s");
        Pattern spelled = BpeTokenizer.compileSplit("[" + spaceClass() + "]");
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
            String s = Character.toString(cp);
            assertThat(spelled.matcher(s).matches()).as("U+%04X", cp).isEqualTo(javaSpace.matcher(s).matches());
        }
    }

    private static String spaceClass() {
        String p = BpeTokenizer.SPLIT_PATTERN;
        int start = p.lastIndexOf("|[") + 2;
        return p.substring(start, p.length() - 2);
    }

    @Test
    void everyCodePointInEveryContextSplitsTheSame() {
        StringBuilder text = new StringBuilder();
        for (int cp = 0; cp < 0x30000; cp++) {
            if (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) continue;
            String c = Character.toString(cp);
            // after an apostrophe, between letters, before digits, around spaces and line ends
            text.append('\'').append(c).append("x").append(c).append("12345").append(c).append("  ").append(c)
                    .append(" \r\n").append(c).append(c).append("'LL ");
        }
        text.append(String.join("\n", StoryText.stories(200, 5)));
        assertThat(chunks(NEW, text)).isEqualTo(chunks(OLD, text));
    }

    @Test
    void trainingGivesTheSameMergesAsWithTheOldRegex() {
        List<String> stories = StoryText.stories(300, 11);
        BpeTokenizer trained = BpeTokenizer.train(stories, 400);
        long[] oldPairs = BpeTrainer.train(stories, OLD, 400 - 263, null);
        BpeTokenizer old = new BpeTokenizer(ByteLevelBpe.ofByteMerges(oldPairs, BpeTokenizer.GPT4_SPLIT_PATTERN));

        String text = String.join("\n", StoryText.stories(20, 12)) + " don'T 'S  \t\n 😀 中文 ſ'ſ";
        assertThat(trained.encode(text)).containsExactly(old.encode(text));
    }

    private static List<String> chunks(Pattern p, CharSequence text) {
        List<String> out = new ArrayList<>();
        Matcher m = p.matcher(text);
        while (m.find()) out.add(m.group());
        return out;
    }
}
