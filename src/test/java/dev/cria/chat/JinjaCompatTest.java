package dev.cria.chat;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Python Jinja that Jinjava reads differently: the rewrites, and Python's string methods (as Python 3 gives them). */
class JinjaCompatTest {
    @Test
    void lstripBlocksOnlyWhereATagStartsItsLine() {
        // the expected strings are Python jinja2's lstrip_blocks
        assertThat(JinjaCompat.rewrite("A: {% if x %}B {% endif %}C")).isEqualTo("A: {% if x %}B {% endif %}C");
        assertThat(JinjaCompat.rewrite("A\n \t {% if x %}B\n  {# c #}\n  {%+ endif %}  {{ y }}"))
                .isEqualTo("A\n{% if x %}B\n{# c #}\n  {%+ endif %}  {{ y }}");
    }

    @Test
    void reversedSliceBecomesTheReverseFilterInsideTagsOnly() {
        assertThat(JinjaCompat.rewrite("xs[::-1] {% for m in messages[::-1] %}{{ a.b[ : : -1 ] }}"))
                .isEqualTo("xs[::-1] {% for m in (messages|reverse) %}{{ (a.b|reverse) }}");
    }

    @Test
    void namespaceKeywordValuesGetParentheses() {
        assertThat(JinjaCompat.rewrite("{%- set ns = namespace(a=true, b=xs|length - 1, c=f(1, 2), d='x,y') %}"))
                .isEqualTo("{%- set ns = namespace(a=(true), b=(xs|length - 1), c=(f(1, 2)), d=('x,y')) %}");
        assertThat(JinjaCompat.rewrite("{{ a == b }}")).isEqualTo("{{ a == b }}");
    }

    @Test
    void stripFamilyTakesCharactersLikePython() {
        // subtle: @huggingface/jinja 0.5.11 ignores the argument and strips whitespace; Python's jinja2, which
        // transformers uses, gives these
        assertThat(PyStringMethods.call("\nab x \n", "strip", new Object[] {"\n"})).isEqualTo("ab x ");
        assertThat(PyStringMethods.call("xxaxx", "lstrip", new Object[] {"x"})).isEqualTo("axx");
        assertThat(PyStringMethods.call("xxaxx", "rstrip", new Object[] {"x"})).isEqualTo("xxa");
        assertThat(PyStringMethods.call(" \t a \u3000", "strip", new Object[0])).isEqualTo("a");
    }

    @Test
    void splitIsLiteralNotARegex() {
        assertThat(PyStringMethods.call("a.b</t>c", "split", new Object[] {"."})).isEqualTo(java.util.List.of("a", "b</t>c"));
        assertThat(PyStringMethods.call("</t>x</t>", "split", new Object[] {"</t>"})).isEqualTo(java.util.List.of("", "x", ""));
        assertThat(PyStringMethods.call("  a  b ", "split", new Object[0])).isEqualTo(java.util.List.of("a", "b"));
    }

    @Test
    void tojsonWritesAsPythonsJsonDumps() {
        // json.dumps({"b": [1, 2.5, True, None], "a": "é\"\n\x01"}, ensure_ascii=False)
        var value = new java.util.LinkedHashMap<String, Object>();
        value.put("b", java.util.Arrays.asList(1L, 2.5, true, null));
        value.put("a", "é\"\n\u0001");
        StringBuilder out = new StringBuilder();
        PyToJson.write(out, value, -1, 0);
        assertThat(out.toString()).isEqualTo("{\"b\": [1, 2.5, true, null], \"a\": \"é\\\"\\n\\u0001\"}");
        out.setLength(0);
        PyToJson.write(out, java.util.List.of(java.util.Map.of(), java.util.List.of(1L)), 2, 0);
        assertThat(out.toString()).isEqualTo("[\n  {},\n  [\n    1\n  ]\n]");
    }

    @Test
    void startsAndEndsWith() {
        assertThat(PyStringMethods.call("<tool>x", "startswith", new Object[] {"<tool>"})).isEqualTo(true);
        assertThat(PyStringMethods.call("<tool>x", "endswith", new Object[] {"<tool>"})).isEqualTo(false);
        assertThat(PyStringMethods.call("x", "capitalize", new Object[0])).isNull();
    }
}
