package dev.cria.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A Hugging Face {@code normalizer}: rewrites each stretch of text between added tokens before it is
 * pre-tokenized. Llama 2 uses {@code Sequence[Prepend("▁"), Replace(" ", "▁")]}, Qwen3 uses {@code NFC}.
 * Offsets are not tracked: Cria needs ids, not alignments.
 */
sealed interface Normalizer {
    String normalize(String text);

    /** {@code NFC}, {@code NFD}, {@code NFKC} or {@code NFKD}. */
    record UnicodeForm(java.text.Normalizer.Form form) implements Normalizer {
        @Override
        public String normalize(String text) {
            return java.text.Normalizer.normalize(text, form);
        }
    }

    record Lowercase() implements Normalizer {
        @Override
        public String normalize(String text) {
            return text.toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Puts {@code prefix} before non-empty text (an empty stretch stays empty, as in {@code tokenizers}). */
    record Prepend(String prefix) implements Normalizer {
        @Override
        public String normalize(String text) {
            return text.isEmpty() ? text : prefix + text;
        }
    }

    record Replace(TextPattern pattern, String content) implements Normalizer {
        @Override
        public String normalize(String text) {
            return pattern.replaceAll(text, content);
        }
    }

    record Sequence(List<Normalizer> steps) implements Normalizer {
        @Override
        public String normalize(String text) {
            for (Normalizer step : steps) text = step.normalize(text);
            return text;
        }
    }

    /** The identity, for {@code "normalizer": null}. */
    Normalizer NONE = new Sequence(List.of());

    static Normalizer parse(JsonNode node, String field, JsonFields json) {
        if (node == null || node.isNull()) return NONE;
        String type = json.type(node, field);
        return switch (type) {
            case "NFC" -> new UnicodeForm(java.text.Normalizer.Form.NFC);
            case "NFD" -> new UnicodeForm(java.text.Normalizer.Form.NFD);
            case "NFKC" -> new UnicodeForm(java.text.Normalizer.Form.NFKC);
            case "NFKD" -> new UnicodeForm(java.text.Normalizer.Form.NFKD);
            case "Lowercase" -> new Lowercase();
            case "Prepend" -> new Prepend(json.text(node, "prepend", field));
            case "Replace" -> new Replace(TextPattern.parse(node, field, json), json.text(node, "content", field));
            case "Sequence" -> {
                JsonNode steps = json.required(node, "normalizers", field);
                List<Normalizer> parsed = new ArrayList<>();
                for (int i = 0; i < steps.size(); i++) {
                    parsed.add(parse(steps.get(i), field + ".normalizers[" + i + "]", json));
                }
                yield new Sequence(List.copyOf(parsed));
            }
            default -> throw json.unsupported(field, type, "NFC, NFD, NFKC, NFKD, Lowercase, Prepend, Replace, Sequence or null");
        };
    }
}
