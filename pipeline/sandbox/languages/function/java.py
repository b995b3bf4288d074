"""The Java harness of a ``function`` problem: the solution's file and ``DjMain.java``.

The solution is compiled as written, after the imports LeetCode's Java has without asking
(``java.util.*``, ``java.util.function.*``, ``java.util.stream.*``, ``java.math.*``). The
harness class ``DjMain`` reads each argument as the signature's Java type (arrays of
primitives, ``String[]``, ``List<Integer>`` and the like, nested), calls
``new Solution().NAME(…)`` (an instance or a static method of ``Solution``, or of the
solution's first class when it has no ``Solution``), and writes the value it returns by its
run-time type: boxed numbers, ``Character``, strings, arrays and collections of these. It
writes through ``/proc/self/fd/3`` (a JVM does not write to an inherited descriptor).

>>> from pipeline.sandbox.languages.function.signature import parse
>>> src = source("class Solution { public int f(List<Integer> a) { return a.size(); } }",
...              parse("public int f(List<Integer> a)", "f"), "f")
>>> sorted(src.files), src.run[-1]
(['DjMain.java', 'Solution.java'], 'DjMain')
>>> descriptor("int[][]"), descriptor("List<List<String>>"), descriptor("Character")
('[[i', 'LLs', 'c')
"""

from __future__ import annotations

import re

from .. import Source
from ..java import _JVM, top_level_classes
from .signature import UNSERIALISABLE, Signature, Unsupported, spell

IMPORTS = ("import java.util.*;\nimport java.util.function.*;\nimport java.util.stream.*;\n"
           "import java.math.*;\n")

# Type descriptors the reader interprets: i long j … as in the JVM's own, s String,
# [X an array of X, LX a List of X (elements boxed).
_SCALAR = {"int": "i", "Integer": "i", "long": "j", "Long": "j", "double": "d", "Double": "d",
           "boolean": "z", "Boolean": "z", "char": "c", "Character": "c", "String": "s"}

HARNESS = r"""import java.io.FileOutputStream;
import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

final class DjMain {
    @SuppressWarnings("unchecked")
    public static void main(String[] args) throws Throwable {
        DjJson in = new DjJson(new String(System.in.readAllBytes(), StandardCharsets.UTF_8));
        in.expect('[');
%(reads)s
        in.expect(']');
        DjJson.emit(%(call)s);
    }
}

final class DjJson {
    private final String s;
    private int at;

    DjJson(String s) { this.s = s; }

    static void fail(String what, int at) {
        System.err.println("daskjudge harness: " + what + " (character " + at + ")");
        System.exit(3);
    }

    char peek() {
        while (at < s.length() && " \n\r\t".indexOf(s.charAt(at)) >= 0) at++;
        return at < s.length() ? s.charAt(at) : '\0';
    }

    void expect(char c) {
        if (peek() != c) fail("unexpected character", at);
        at++;
    }

    private String token() {
        peek();
        int from = at;
        while (at < s.length() && (Character.isLetterOrDigit(s.charAt(at)) || "+-.".indexOf(s.charAt(at)) >= 0)) at++;
        if (from == at) fail("expected a value", at);
        return s.substring(from, at);
    }

    private String string() {
        expect('"');
        StringBuilder b = new StringBuilder();
        for (;;) {
            if (at >= s.length()) fail("unterminated string", at);
            char c = s.charAt(at++);
            if (c == '"') return b.toString();
            if (c != '\\') { b.append(c); continue; }
            if (at >= s.length()) fail("unterminated string", at);
            char e = s.charAt(at++);
            switch (e) {
                case '"': case '\\': case '/': b.append(e); break;
                case 'b': b.append('\b'); break;
                case 'f': b.append('\f'); break;
                case 'n': b.append('\n'); break;
                case 'r': b.append('\r'); break;
                case 't': b.append('\t'); break;
                case 'u':
                    if (at + 4 > s.length()) fail("short \\u escape", at);
                    try { b.append((char) Integer.parseInt(s.substring(at, at + 4), 16)); }
                    catch (NumberFormatException x) { fail("bad \\u escape", at); }
                    at += 4;
                    break;
                default: fail("bad escape", at);
            }
        }
    }

    private static Class<?> component(String d) {
        switch (d.charAt(0)) {
            case 'i': return int.class;
            case 'j': return long.class;
            case 'd': return double.class;
            case 'z': return boolean.class;
            case 'c': return char.class;
            case 's': return String.class;
            case 'L': return List.class;
            default: return Array.newInstance(component(d.substring(1)), 0).getClass();
        }
    }

    Object read(String d) {
        char k = d.charAt(0);
        if (k == '[' || k == 'L') {
            ArrayList<Object> items = new ArrayList<>();
            expect('[');
            if (peek() == ']') at++;
            else for (;;) {
                items.add(read(d.substring(1)));
                char c = peek();
                at++;
                if (c == ']') break;
                if (c != ',') fail("expected , or ]", at);
            }
            if (k == 'L') return items;
            Object array = Array.newInstance(component(d.substring(1)), items.size());
            for (int i = 0; i < items.size(); i++) Array.set(array, i, items.get(i));
            return array;
        }
        if (k == 's') return string();
        if (k == 'c') {
            String one = string();
            if (one.length() != 1) fail("expected one character", at);
            return one.charAt(0);
        }
        String t = token();
        try {
            switch (k) {
                case 'i': return Integer.parseInt(t);
                case 'j': return Long.parseLong(t);
                case 'd': return Double.parseDouble(t);
                case 'z':
                    if (t.equals("true")) return Boolean.TRUE;
                    if (t.equals("false")) return Boolean.FALSE;
                    break;
                default: break;
            }
        } catch (NumberFormatException x) {
            // reported below
        }
        fail("expected a value of type " + d, at);
        return null;
    }

    private static void string(StringBuilder b, String v) {
        b.append('"');
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20) b.append(String.format("\\u%%04x", (int) c));
            else b.append(c);
        }
        b.append('"');
    }

    private static boolean put(StringBuilder b, Object v, int depth) {
        if (depth > 200) return false;
        if (v instanceof Boolean) { b.append(((Boolean) v) ? "true" : "false"); return true; }
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte
                || v instanceof java.math.BigInteger) { b.append(v.toString()); return true; }
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (Double.isNaN(d)) b.append("NaN");
            else if (Double.isInfinite(d)) b.append(d > 0 ? "Infinity" : "-Infinity");
            else b.append(Double.toString(d));
            return true;
        }
        if (v instanceof Character) { string(b, v.toString()); return true; }
        if (v instanceof String) { string(b, (String) v); return true; }
        if (v instanceof List) {
            b.append('[');
            boolean first = true;
            for (Object x : (Collection<?>) v) {
                if (!first) b.append(',');
                first = false;
                if (!put(b, x, depth + 1)) return false;
            }
            b.append(']');
            return true;
        }
        if (v != null && v.getClass().isArray()) {
            b.append('[');
            for (int i = 0, n = Array.getLength(v); i < n; i++) {
                if (i > 0) b.append(',');
                if (!put(b, Array.get(v, i), depth + 1)) return false;
            }
            b.append(']');
            return true;
        }
        return false;
    }

    static void emit(Object value) {
        StringBuilder b = new StringBuilder();
        if (!put(b, value, 0)) {
            System.err.println("%(unserialisable)s"
                               + (value == null ? "null" : value.getClass().getName()));
            return;
        }
        b.append('\n');
        try (FileOutputStream out = new FileOutputStream("/proc/self/fd/3")) {
            out.write(b.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {                 // the channel was taken away
            System.err.println("daskjudge harness: the result could not be written");
            Runtime.getRuntime().halt(4);
        }
    }
}
"""


def descriptor(text: str) -> str:
    """The reader's descriptor of a Java type as the signature spells it."""
    t = re.sub(r"\s+", "", text)
    if t.endswith("[]"):
        return "[" + descriptor(t[:-2])
    m = re.fullmatch(r"(?:List|ArrayList)<(.+)>", t)
    if m:
        return "L" + descriptor(m.group(1))
    if t in _SCALAR:
        return _SCALAR[t]
    raise Unsupported(f"type {text!r}")


def source(code: str, sig: Signature, entry_point: str) -> Source:
    classes = top_level_classes(code)
    names = [name for name, _, _ in classes]
    owner = "Solution" if "Solution" in names or not names else names[0]
    reads, args = [], []
    for i, p in enumerate(sig.params):
        if i:
            reads.append("        in.expect(',');")
        declared = spell(sig, p.type, "java")
        boxed = {"int": "Integer", "long": "Long", "double": "Double", "boolean": "Boolean",
                 "char": "Character"}.get(declared, declared)
        reads.append(f"        {declared} a{i} = ({boxed}) in.read(\"{descriptor(declared)}\");")
        args.append(f"a{i}")
    call = f"new {owner}().{entry_point}({', '.join(args)})"
    harness = HARNESS % {"reads": "\n".join(reads), "call": call,
                         "unserialisable": UNSERIALISABLE}
    public = [name for name, pub, _ in classes if pub]
    return Source({f"{public[0] if public else 'Solution'}.java": IMPORTS + code,
                   "DjMain.java": harness},
                  ("java", "-Xmx{mem}m", "-Xss64m", *_JVM, "-cp", "{bin}", "DjMain"))
