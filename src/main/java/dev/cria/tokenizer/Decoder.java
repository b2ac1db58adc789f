package dev.cria.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A Hugging Face {@code decoder}: turns the token strings of some ids back into text. Each step maps a
 * list of strings to a list of strings, as in {@code tokenizers}' {@code decode_chain}, and the result is
 * joined. Llama 2: {@code Sequence[Replace("▁", " "), ByteFallback, Fuse, Strip(" ", 1, 0)]}.
 */
sealed interface Decoder {
    List<String> decodeChain(List<String> tokens);

    default String decode(List<String> tokens) {
        return String.join("", decodeChain(tokens));
    }

    /**
     * One token's text in the middle of a stream: as {@link #decode} of that token alone, except that
     * nothing is stripped, since the token may not be the first.
     */
    default String decodePiece(String token) {
        return decode(List.of(token));
    }

    /** Whether tokens spell bytes in {@link ByteLevelAlphabet}, so a token's bytes need no decoding to text. */
    default boolean byteLevel() {
        return false;
    }

    /**
     * Byte-level tokens back to UTF-8, invalid bytes as U+FFFD. A token with a character outside the
     * alphabet (an added token such as {@code <|begin_of_text|>}) stands for its own UTF-8.
     */
    record ByteLevel() implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (String token : tokens) bytes.writeBytes(bytesOf(token));
            return List.of(Wtf8.decode(bytes.toByteArray()));
        }

        @Override
        public boolean byteLevel() {
            return true;
        }

        static byte[] bytesOf(String token) {
            try {
                return ByteLevelAlphabet.toBytes(token);
            } catch (IllegalArgumentException notByteLevel) {
                return token.getBytes(StandardCharsets.UTF_8);
            }
        }
    }

    /** Runs of {@code <0xNN>} tokens become the text their bytes spell (U+FFFD per byte if not UTF-8). */
    record ByteFallback() implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>();
            ByteArrayOutputStream run = new ByteArrayOutputStream();
            for (String token : tokens) {
                int b = byteOf(token);
                if (b >= 0) {
                    run.write(b);
                    continue;
                }
                flush(run, out);
                out.add(token);
            }
            flush(run, out);
            return out;
        }

        private static void flush(ByteArrayOutputStream run, List<String> out) {
            if (run.size() == 0) return;
            byte[] bytes = run.toByteArray();
            run.reset();
            if (Wtf8.validRunLength(bytes, 0) == bytes.length) {
                out.add(new String(bytes, StandardCharsets.UTF_8));
            } else {
                for (int i = 0; i < bytes.length; i++) out.add("\uFFFD"); // as tokenizers does
            }
        }

        /** The byte of a {@code <0xNN>} token, or -1. */
        static int byteOf(String token) {
            if (token.length() != 6 || !token.startsWith("<0x") || token.charAt(5) != '>') return -1;
            int hi = Character.digit(token.charAt(3), 16);
            int lo = Character.digit(token.charAt(4), 16);
            return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
        }
    }

    record Fuse() implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            return List.of(String.join("", tokens));
        }
    }

    /** Removes up to {@code start} leading and {@code stop} trailing copies of {@code content} from each token. */
    record Strip(String content, int start, int stop) implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            for (String token : tokens) {
                int from = 0;
                int to = token.length();
                for (int i = 0; i < start && token.startsWith(content, from); i++) from += content.length();
                for (int i = 0; i < stop && to - content.length() >= from && token.startsWith(content, to - content.length()); i++) {
                    to -= content.length();
                }
                out.add(token.substring(from, to));
            }
            return out;
        }

        @Override
        public String decodePiece(String token) {
            return token;
        }
    }

    record Replace(TextPattern pattern, String content) implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            for (String token : tokens) out.add(pattern.replaceAll(token, content));
            return out;
        }
    }

    /** '▁' back to spaces; the first token loses the space the pre-tokenizer added, unless it never adds one. */
    record Metaspace(String replacement, boolean stripFirstSpace) implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            for (int i = 0; i < tokens.size(); i++) {
                String token = tokens.get(i).replace(replacement, " ");
                if (i == 0 && stripFirstSpace && token.startsWith(" ")) token = token.substring(1);
                out.add(token);
            }
            return out;
        }

        @Override
        public String decodePiece(String token) {
            return token.replace(replacement, " ");
        }
    }

    record Sequence(List<Decoder> steps) implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            for (Decoder step : steps) tokens = step.decodeChain(tokens);
            return tokens;
        }

        @Override
        public String decodePiece(String token) {
            for (Decoder step : steps) token = step.decodePiece(token);
            return token;
        }

        @Override
        public boolean byteLevel() {
            return steps.stream().anyMatch(Decoder::byteLevel);
        }
    }

    /** No decoder: token strings are joined as they are. */
    Decoder NONE = new Sequence(List.of());

    static Decoder parse(JsonNode node, String field, JsonFields json) {
        if (node == null || node.isNull()) return NONE;
        String type = json.type(node, field);
        return switch (type) {
            case "ByteLevel" -> new ByteLevel();
            case "ByteFallback" -> new ByteFallback();
            case "Fuse" -> new Fuse();
            case "Strip" -> new Strip(json.text(node, "content", field), json.nonNegative(node, "start", 0, field),
                    json.nonNegative(node, "stop", 0, field));
            case "Replace" -> new Replace(TextPattern.parse(node, field, json), json.text(node, "content", field));
            case "Metaspace" -> {
                String scheme = json.optionalText(node, "prepend_scheme", field);
                boolean strip = scheme == null ? json.bool(node, "add_prefix_space", true, field) : !scheme.equals("never");
                yield new Metaspace(json.text(node, "replacement", field), strip);
            }
            case "Sequence" -> {
                JsonNode steps = json.required(node, "decoders", field);
                List<Decoder> parsed = new ArrayList<>();
                for (int i = 0; i < steps.size(); i++) parsed.add(parse(steps.get(i), field + ".decoders[" + i + "]", json));
                yield new Sequence(List.copyOf(parsed));
            }
            default -> throw json.unsupported(field, type, "ByteLevel, ByteFallback, Fuse, Strip, Replace, Metaspace, Sequence or null");
        };
    }
}
