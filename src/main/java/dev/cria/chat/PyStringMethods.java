package dev.cria.chat;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * Python's string methods that chat templates call ({@code content.strip()}, {@code .startswith('<tool')},
 * {@code .split('</think>')[-1].lstrip('\n')}), which Jinjava would otherwise look up as Java methods:
 * there is no {@code startswith} on String, and Java's {@code split} takes a regex where Python's takes text.
 * Indexing a string ({@code content[-1]}) and {@code dict.get(key, default)} are Python's too. Every other call falls through to the next resolver.
 */
final class PyStringMethods extends ELResolver {
    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (base instanceof Map<?, ?> map && "get".equals(method) && params != null && params.length == 2) {
            // dict.get(key, default); Jinjava's maps know only get(key)
            context.setPropertyResolved(true);
            return map.containsKey(params[0]) ? map.get(params[0]) : params[1];
        }
        if (!(base instanceof String s) || !(method instanceof String name)) return null;
        Object[] args = params == null ? new Object[0] : params;
        Object result = call(s, name, args);
        if (result != null) context.setPropertyResolved(true);
        return result;
    }

    /** The method's result, or null when it is not one of the Python methods handled here. */
    static Object call(String s, String name, Object[] args) {
        String arg = args.length > 0 && args[0] != null ? args[0].toString() : null;
        return switch (name) {
            case "startswith" -> args.length == 1 ? s.startsWith(arg) : null;
            case "endswith" -> args.length == 1 ? s.endsWith(arg) : null;
            case "strip" -> args.length <= 1 ? rstrip(lstrip(s, arg), arg) : null;
            case "lstrip" -> args.length <= 1 ? lstrip(s, arg) : null;
            case "rstrip" -> args.length <= 1 ? rstrip(s, arg) : null;
            case "split" -> args.length <= 1 ? split(s, arg) : null;
            case "upper" -> args.length == 0 ? s.toUpperCase(java.util.Locale.ROOT) : null;
            case "lower" -> args.length == 0 ? s.toLowerCase(java.util.Locale.ROOT) : null;
            default -> null;
        };
    }

    /** {@code "xxaxx".lstrip("x")} is {@code "axx"}; with chars null, Python's whitespace. */
    private static String lstrip(String s, String chars) {
        int i = 0;
        while (i < s.length() && strippable(s.charAt(i), chars)) i++;
        return s.substring(i);
    }

    private static String rstrip(String s, String chars) {
        int end = s.length();
        while (end > 0 && strippable(s.charAt(end - 1), chars)) end--;
        return s.substring(0, end);
    }

    private static boolean strippable(char c, String chars) {
        return chars == null ? Character.isWhitespace(c) || Character.isSpaceChar(c) : chars.indexOf(c) >= 0;
    }

    /** {@code "a</t>b".split("</t>")} is {@code ["a", "b"]}, the separator taken literally; null splits on whitespace runs. */
    private static List<String> split(String s, String separator) {
        if (separator == null) {
            String trimmed = rstrip(lstrip(s, null), null);
            return trimmed.isEmpty() ? new ArrayList<>() : new ArrayList<>(Arrays.asList(trimmed.split("\\s+")));
        }
        if (separator.isEmpty()) throw new IllegalArgumentException("empty separator");
        List<String> parts = new ArrayList<>();
        int from = 0;
        for (int at = s.indexOf(separator); at >= 0; at = s.indexOf(separator, from)) {
            parts.add(s.substring(from, at));
            from = at + separator.length();
        }
        parts.add(s.substring(from));
        return parts;
    }

    /** {@code s[i]} as Python indexes a string: one character, counted from the end when negative. */
    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        // subtle: Jinjava hands the index over as text ("-1")
        if (!(base instanceof String s) || property == null || !property.toString().matches("-?\\d{1,9}")) return null;
        int index = Integer.parseInt(property.toString());
        int[] chars = s.codePoints().toArray(); // Python counts code points, not UTF-16 units
        int i = index < 0 ? chars.length + index : index;
        if (i < 0 || i >= chars.length) throw new IndexOutOfBoundsException("string index " + index + " out of range for length " + chars.length);
        context.setPropertyResolved(true);
        return Character.toString(chars[i]);
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {}

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return false;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }
}
