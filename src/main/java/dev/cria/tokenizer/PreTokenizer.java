package dev.cria.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Hugging Face {@code pre_tokenizer}: cuts normalized text into words that no token crosses, and may
 * rewrite them ({@code ByteLevel} spells each UTF-8 byte with {@link ByteLevelAlphabet}, {@code Metaspace}
 * turns spaces into '▁'). Llama 3 and Qwen3 use {@code Sequence[Split(regex, Isolated), ByteLevel(no
 * regex)]}, GPT-2 a lone {@code ByteLevel} with its own regex.
 */
sealed interface PreTokenizer {
    /**
     * @param first whether this stretch of text starts the input (no added token before it); only
     *              {@code Metaspace} with {@code prepend_scheme: first} looks at it
     */
    List<String> split(String text, boolean first);

    /** How {@code Split} treats what its pattern matches, as Hugging Face names it. */
    enum Behavior { REMOVED, ISOLATED, MERGED_WITH_PREVIOUS, MERGED_WITH_NEXT, CONTIGUOUS }

    /**
     * Cuts at each match of the pattern; with {@code invert} the matches are the words and the text
     * between them is what gets cut. Example: "a, b" by {@code ","} Isolated gives "a", ",", " b".
     */
    record Split(TextPattern pattern, Behavior behavior, boolean invert) implements PreTokenizer {
        @Override
        public List<String> split(String text, boolean first) {
            // Alternating pieces: (text, isDelimiter), where delimiters are the matches unless inverted.
            List<String> pieces = new ArrayList<>();
            List<Boolean> delimiter = new ArrayList<>();
            Matcher m = pattern.matcher(text);
            int at = 0;
            while (m.find()) {
                if (m.end() == m.start()) continue; // an empty match cuts nothing
                if (m.start() > at) {
                    pieces.add(text.substring(at, m.start()));
                    delimiter.add(invert);
                }
                pieces.add(m.group());
                delimiter.add(!invert);
                at = m.end();
            }
            if (at < text.length()) {
                pieces.add(text.substring(at));
                delimiter.add(invert);
            }
            return arrange(pieces, delimiter);
        }

        /** Subtle: a match merges only into a neighbour that is not a match itself, as in tokenizers. */
        private List<String> arrange(List<String> pieces, List<Boolean> delimiter) {
            List<String> out = new ArrayList<>();
            boolean previousDelimiter = false;
            String pendingPrefix = "";
            for (int i = 0; i < pieces.size(); i++) {
                String piece = pieces.get(i);
                boolean isDelimiter = delimiter.get(i);
                switch (behavior) {
                    case REMOVED -> { if (!isDelimiter) out.add(piece); }
                    case ISOLATED -> out.add(piece);
                    case CONTIGUOUS -> {
                        if (isDelimiter && previousDelimiter) out.set(out.size() - 1, out.getLast() + piece);
                        else out.add(piece);
                    }
                    case MERGED_WITH_PREVIOUS -> {
                        if (isDelimiter && !out.isEmpty() && !previousDelimiter) out.set(out.size() - 1, out.getLast() + piece);
                        else out.add(piece);
                    }
                    case MERGED_WITH_NEXT -> {
                        boolean nextIsText = i + 1 < pieces.size() && !delimiter.get(i + 1);
                        if (isDelimiter && nextIsText) {
                            pendingPrefix = piece;
                        } else {
                            out.add(pendingPrefix + piece);
                            pendingPrefix = "";
                        }
                    }
                }
                previousDelimiter = isDelimiter;
            }
            return out;
        }
    }

    /**
     * Spells each word's UTF-8 bytes in {@link ByteLevelAlphabet}, after optionally adding a space in front
     * and splitting with GPT-2's regex.
     */
    record ByteLevel(boolean addPrefixSpace, boolean useRegex) implements PreTokenizer {
        /** What {@code ByteLevel} with {@code use_regex: true} splits with. */
        static final String GPT2_SPLIT_PATTERN =
                "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
        private static final Pattern GPT2_SPLIT = BpeTokenizer.compileSplit(GPT2_SPLIT_PATTERN);

        @Override
        public List<String> split(String text, boolean first) {
            if (addPrefixSpace && !text.startsWith(" ")) text = " " + text;
            List<String> words = new ArrayList<>();
            if (useRegex) {
                Matcher m = GPT2_SPLIT.matcher(text);
                while (m.find()) words.add(ByteLevelAlphabet.toToken(Wtf8.encode(m.group())));
            } else if (!text.isEmpty()) {
                words.add(ByteLevelAlphabet.toToken(Wtf8.encode(text)));
            }
            return words;
        }
    }

    /** SentencePiece's view of spaces: each becomes {@code replacement} ('▁'), which then starts a word. */
    record Metaspace(String replacement, PrependScheme prepend, boolean splitWords) implements PreTokenizer {
        enum PrependScheme { ALWAYS, FIRST, NEVER }

        @Override
        public List<String> split(String text, boolean first) {
            text = text.replace(" ", replacement);
            boolean prefix = prepend == PrependScheme.ALWAYS || (prepend == PrependScheme.FIRST && first);
            if (prefix && !text.isEmpty() && !text.startsWith(replacement)) text = replacement + text;
            if (!splitWords) return text.isEmpty() ? List.of() : List.of(text);
            List<String> words = new ArrayList<>();
            int start = 0;
            for (int i = text.indexOf(replacement, 1); i > 0; i = text.indexOf(replacement, i + 1)) {
                words.add(text.substring(start, i));
                start = i;
            }
            if (start < text.length()) words.add(text.substring(start));
            return words;
        }
    }

    record Sequence(List<PreTokenizer> steps) implements PreTokenizer {
        @Override
        public List<String> split(String text, boolean first) {
            List<String> words = List.of(text);
            for (PreTokenizer step : steps) {
                List<String> next = new ArrayList<>();
                for (String word : words) next.addAll(step.split(word, first));
                words = next;
            }
            return words;
        }
    }

    /** No pre-tokenizer: the whole stretch is one word. */
    PreTokenizer NONE = new Sequence(List.of());

    static PreTokenizer parse(JsonNode node, String field, JsonFields json) {
        if (node == null || node.isNull()) return NONE;
        String type = json.type(node, field);
        return switch (type) {
            case "Split" -> new Split(TextPattern.parse(node, field, json), behavior(node, field, json),
                    json.bool(node, "invert", false, field));
            case "ByteLevel" -> new ByteLevel(json.bool(node, "add_prefix_space", false, field),
                    json.bool(node, "use_regex", true, field));
            case "Metaspace" -> new Metaspace(json.text(node, "replacement", field), prependScheme(node, field, json),
                    json.bool(node, "split", true, field));
            case "Sequence" -> {
                JsonNode steps = json.required(node, "pretokenizers", field);
                List<PreTokenizer> parsed = new ArrayList<>();
                for (int i = 0; i < steps.size(); i++) {
                    parsed.add(parse(steps.get(i), field + ".pretokenizers[" + i + "]", json));
                }
                yield new Sequence(List.copyOf(parsed));
            }
            default -> throw json.unsupported(field, type, "Split, ByteLevel, Metaspace, Sequence or null");
        };
    }

    private static Behavior behavior(JsonNode node, String field, JsonFields json) {
        String name = json.text(node, "behavior", field);
        return switch (name) {
            case "Removed" -> Behavior.REMOVED;
            case "Isolated" -> Behavior.ISOLATED;
            case "MergedWithPrevious" -> Behavior.MERGED_WITH_PREVIOUS;
            case "MergedWithNext" -> Behavior.MERGED_WITH_NEXT;
            case "Contiguous" -> Behavior.CONTIGUOUS;
            default -> throw json.fail(field + ".behavior", "expected Removed, Isolated, MergedWithPrevious, "
                    + "MergedWithNext or Contiguous, got \"" + name + "\"");
        };
    }

    /** {@code prepend_scheme}, or for older files {@code add_prefix_space} (true means always). */
    private static Metaspace.PrependScheme prependScheme(JsonNode node, String field, JsonFields json) {
        String scheme = json.optionalText(node, "prepend_scheme", field);
        if (scheme == null) {
            return json.bool(node, "add_prefix_space", true, field)
                    ? Metaspace.PrependScheme.ALWAYS : Metaspace.PrependScheme.NEVER;
        }
        return switch (scheme.toLowerCase(Locale.ROOT)) {
            case "always" -> Metaspace.PrependScheme.ALWAYS;
            case "first" -> Metaspace.PrependScheme.FIRST;
            case "never" -> Metaspace.PrependScheme.NEVER;
            default -> throw json.fail(field + ".prepend_scheme", "expected always, first or never, got \"" + scheme + "\"");
        };
    }
}
