package dev.cria.chat;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites what Jinjava reads differently from Python's jinja2, before parsing:
 * <ul>
 *   <li>lstrip_blocks: jinja2 removes spaces and tabs before a {@code {%} or {@code {#} only when nothing
 *       else precedes it on its line; Jinjava's option removes them mid-line too ({@code "A: {% if %}"}
 *       would lose its space), so it is off and done here;</li>
 *   <li>{@code xs[::-1]} (a slice with a step; Jinjava only knows {@code [a:b]}) becomes {@code (xs|reverse)}
 *       for a plain name or attribute path;</li>
 *   <li>{@code namespace(n=xs|length - 1)}: Jinjava binds {@code n=xs|length} first and then subtracts from
 *       the named parameter, so each keyword value gets parentheses: {@code namespace(n=(xs|length - 1))}.</li>
 * </ul>
 * Text outside {@code {{ }}} and {@code {% %}} is never touched. Not a general Jinja-to-Jinjava translator.
 */
final class JinjaCompat {
    private static final Pattern TAG = Pattern.compile("\\{\\{.*?}}|\\{%.*?%}", Pattern.DOTALL);
    private static final Pattern REVERSED = Pattern.compile("([A-Za-z_][\\w.]*)\\[\\s*:\\s*:\\s*-1\\s*]");
    private static final Pattern LINE_INDENT_BEFORE_BLOCK = Pattern.compile("(?m)^[ \\t]+(?=\\{%(?![+])|\\{#)");
    private static final Pattern FILTER_NAME = Pattern.compile("(?<![|])[|](?![|])\\s*([A-Za-z_]\\w*)");
    private static final Pattern TEST_NAME = Pattern.compile("\\bis\\s+(?:not\\s+)?([A-Za-z_]\\w*)");
    private static final Pattern NAMED = Pattern.compile("\\s*[A-Za-z_]\\w*\\s*=(?!=)");

    private JinjaCompat() {}

    static String rewrite(String template) {
        Matcher tag = TAG.matcher(LINE_INDENT_BEFORE_BLOCK.matcher(template).replaceAll(""));
        StringBuilder out = new StringBuilder();
        while (tag.find()) tag.appendReplacement(out, Matcher.quoteReplacement(rewriteTag(tag.group())));
        tag.appendTail(out);
        return out.toString();
    }

    private static String rewriteTag(String tag) {
        String reversed = REVERSED.matcher(tag).replaceAll("($1|reverse)");
        return parenthesizeNamespaceArgs(reversed);
    }

    /** {@code namespace(a=x - 1, b=true)} becomes {@code namespace(a=(x - 1), b=(true))}. */
    private static String parenthesizeNamespaceArgs(String tag) {
        StringBuilder out = new StringBuilder();
        int from = 0;
        for (int at = tag.indexOf("namespace(", from); at >= 0; at = tag.indexOf("namespace(", from)) {
            int open = at + "namespace(".length();
            int close = matchingParen(tag, open);
            if (close < 0) break;
            out.append(tag, from, open);
            String[] args = splitTopLevel(tag.substring(open, close));
            for (int i = 0; i < args.length; i++) {
                if (i > 0) out.append(',');
                Matcher named = NAMED.matcher(args[i]);
                if (named.lookingAt()) out.append(named.group()).append('(').append(args[i].substring(named.end())).append(')');
                else out.append(args[i]);
            }
            from = close;
        }
        return out.append(tag.substring(from)).toString();
    }

    /** Names after {@code |} (filters) or after {@code is} / {@code is not} (tests) inside tags, strings skipped. */
    static Set<String> names(String template, boolean tests) {
        Set<String> names = new TreeSet<>();
        Matcher tag = TAG.matcher(template);
        while (tag.find()) {
            String code = withoutStrings(tag.group());
            Matcher name = (tests ? TEST_NAME : FILTER_NAME).matcher(code);
            while (name.find()) names.add(name.group(1));
        }
        return names;
    }

    private static String withoutStrings(String tag) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < tag.length(); i++) {
            char c = tag.charAt(i);
            if (c == '\'' || c == '"') {
                i = endOfString(tag, i);
                out.append("''");
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** The index of the ')' closing the parenthesis opened just before {@code from}, or -1. */
    private static int matchingParen(String s, int from) {
        int depth = 1;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'' || c == '"') i = endOfString(s, i);
            else if (c == '(' || c == '[' || c == '{') depth++;
            else if ((c == ')' || c == ']' || c == '}') && --depth == 0) return i;
        }
        return -1;
    }

    /** Splits at commas outside strings and brackets. */
    private static String[] splitTopLevel(String args) {
        java.util.List<String> parts = new java.util.ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < args.length(); i++) {
            char c = args.charAt(i);
            if (c == '\'' || c == '"') i = endOfString(args, i);
            else if (c == '(' || c == '[' || c == '{') depth++;
            else if (c == ')' || c == ']' || c == '}') depth--;
            else if (c == ',' && depth == 0) {
                parts.add(args.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(args.substring(start));
        return parts.toArray(String[]::new);
    }

    /** The index of the quote closing the string literal that opens at {@code open}. */
    private static int endOfString(String s, int open) {
        char quote = s.charAt(open);
        for (int i = open + 1; i < s.length(); i++) {
            if (s.charAt(i) == '\\') i++;
            else if (s.charAt(i) == quote) return i;
        }
        return s.length() - 1;
    }
}
