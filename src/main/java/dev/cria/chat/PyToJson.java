package dev.cria.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import java.util.Map;

/**
 * The {@code tojson} filter as transformers defines it: Python's {@code json.dumps(x, ensure_ascii=False)}
 * with its {@code ", "} and {@code ": "} separators, keys in insertion order, and {@code indent=N} for one
 * item a line. Jinjava's own writes compact JSON with sorted keys.
 */
final class PyToJson implements Filter {
    @Override
    public String getName() {
        return "tojson";
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
        return filter(var, interpreter, args, Map.of());
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
        Object indent = kwargs.get("indent");
        if (indent == null && args.length > 0) indent = args[0];
        StringBuilder out = new StringBuilder();
        write(out, var, indent == null ? -1 : Integer.parseInt(indent.toString()), 0);
        return out.toString();
    }

    /** {@code indent < 0}: one line. */
    static void write(StringBuilder out, Object value, int indent, int depth) {
        switch (value) {
            case null -> out.append("null");
            case String s -> string(out, s);
            case Boolean b -> out.append(b);
            case Double d -> out.append(d.isNaN() ? "NaN" : d.isInfinite() ? (d > 0 ? "Infinity" : "-Infinity") : d.toString());
            case Float f -> write(out, f.doubleValue(), indent, depth);
            case Number n -> out.append(n);
            case Map<?, ?> map -> {
                int i = 0;
                out.append('{');
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    separate(out, i++, indent, depth + 1);
                    string(out, String.valueOf(e.getKey()));
                    out.append(": ");
                    write(out, e.getValue(), indent, depth + 1);
                }
                close(out, i, indent, depth, '}');
            }
            case Iterable<?> list -> {
                int i = 0;
                out.append('[');
                for (Object item : list) {
                    separate(out, i++, indent, depth + 1);
                    write(out, item, indent, depth + 1);
                }
                close(out, i, indent, depth, ']');
            }
            case Object[] array -> write(out, java.util.Arrays.asList(array), indent, depth);
            default -> string(out, value.toString());
        }
    }

    private static void separate(StringBuilder out, int index, int indent, int depth) {
        if (index > 0) out.append(indent < 0 ? ", " : ",");
        if (indent >= 0) out.append('\n').append(" ".repeat(indent * depth));
    }

    private static void close(StringBuilder out, int count, int indent, int depth, char bracket) {
        if (indent >= 0 && count > 0) out.append('\n').append(" ".repeat(indent * depth));
        out.append(bracket);
    }

    /** Python's escaping with ensure_ascii=False: quotes, backslash and control characters only. */
    private static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
                    else out.append(c);
                }
            }
        }
        out.append('"');
    }
}
