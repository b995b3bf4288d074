"""Java (OpenJDK): compiled once per source by ``javac``, the classes run by ``java``.

The JVM reserves far more address space than it uses, so memory is bounded by the slot's
cgroup and by the heap limit (``-Xmx``), never by RLIMIT_AS. The main class is the
top-level class that declares ``main``; the file is named after the public class, if any.
An ``assert`` program is MultiPL-E's (``class Problem`` whose ``main`` holds the asserts)
with that ``main``'s body replaced: it evaluates each assertion's left-hand side in order and
hands the value to ``DjValues.emit``, which writes it as one line of JSON on the result
descriptor at once (by reflection: boxed numbers, strings, lists, sets, maps, ``Optional``,
javatuples). The expected values never enter the program and the program's own ``equals``
is never asked: the judges compare outside (:mod:`judges.assert_values`), and a program
that exits early (``System.exit`` in a static initialiser, say) has emitted fewer values.
"""

from __future__ import annotations

import re

from ..values import Outcome
from . import Language, Source, register
from .syntax import block, call_args, close, mask, split_top, statements

_CLASS = re.compile(r"\b(public\s+)?(?:(?:final|abstract|static|strictfp)\s+)*class\s+([A-Za-z_$][\w$]*)")
_MAIN = re.compile(r"\bstatic\s+(?:final\s+)?(?:public\s+)?void\s+main\s*\(")
_TEST_MAIN = re.compile(r"\bpublic\s+static\s+void\s+main\s*\(\s*String\s*(?:\[\s*\]\s*\w+|\w+\s*\[\s*\]"
                        r"|\.\.\.\s*\w+)\s*\)\s*(?:throws\s+[\w.,\s]+?)?\{")
_ASSERT = re.compile(r"\s*assert\s*\(")
_EQUALS = re.compile(r"\.\s*equals\s*\(")
# A comment left open runs to the end of the text (javac rejects it anyway): searched for
# its end from every ``/*``, a solution of 32 kB of ``/*"`` took 1.7 s to prepare here.
_NOISE = re.compile(r'//[^\n]*|/\*.*?(?:\*/|\Z)|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', re.S)
_JVM = ("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto")

# One JSON value per line: null, booleans, integral numbers as integers, floating numbers
# as Double.toString (always with a '.', an 'E', NaN or Infinity), strings; tagged objects
# for what JSON lacks: {"$char": s}, {"$set": […]}, {"$map": [[k, v]…]}, {"$optional": [] or
# [v]}, {"$tuple": […]} (javatuples), {"$object": class name}, {"$deep": true}.
_EMITTER = r"""import java.io.FileOutputStream;
import java.io.IOException;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

final class DjValues {
    private static FileOutputStream out;
    private static int nodes;

    private DjValues() {}

    static void emit(Object value) {
        StringBuilder b = new StringBuilder();
        nodes = 0;
        put(b, value, 0);
        b.append('\n');
        try {
            if (out == null) out = new FileOutputStream("/proc/self/fd/3");
            out.write(b.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // no channel: the value is lost, as it would be if the program had died here
        }
    }

    private static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        b.append('"');
    }

    private static void floating(StringBuilder b, double d) {
        if (Double.isNaN(d)) b.append("NaN");
        else if (Double.isInfinite(d)) b.append(d > 0 ? "Infinity" : "-Infinity");
        else b.append(Double.toString(d));
    }

    private static void items(StringBuilder b, Iterable<?> xs, int depth) {
        boolean first = true;
        for (Object x : xs) {
            if (!first) b.append(',');
            first = false;
            put(b, x, depth + 1);
        }
    }

    private static void put(StringBuilder b, Object v, int depth) {
        if (++nodes > 1000000 || depth > 200) { b.append("{\"$deep\":true}"); return; }
        if (v == null) { b.append("null"); return; }
        if (v instanceof Boolean) { b.append(((Boolean) v) ? "true" : "false"); return; }
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte
                || v instanceof BigInteger) { b.append(v.toString()); return; }
        if (v instanceof Double || v instanceof Float) { floating(b, ((Number) v).doubleValue()); return; }
        if (v instanceof BigDecimal) { b.append(((BigDecimal) v).toString()); return; }
        if (v instanceof Character) { b.append("{\"$char\":"); string(b, v.toString()); b.append('}'); return; }
        if (v instanceof CharSequence) { string(b, v.toString()); return; }
        if (v instanceof Optional) {
            Optional<?> o = (Optional<?>) v;
            b.append("{\"$optional\":[");
            if (o.isPresent()) put(b, o.get(), depth + 1);
            b.append("]}");
            return;
        }
        if (v instanceof Map) {
            b.append("{\"$map\":[");
            boolean first = true;
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                if (!first) b.append(',');
                first = false;
                b.append('[');
                put(b, e.getKey(), depth + 1);
                b.append(',');
                put(b, e.getValue(), depth + 1);
                b.append(']');
            }
            b.append("]}");
            return;
        }
        if (v instanceof Set) { b.append("{\"$set\":["); items(b, (Set<?>) v, depth); b.append("]}"); return; }
        if (v instanceof Collection) { b.append('['); items(b, (Collection<?>) v, depth); b.append(']'); return; }
        Class<?> k = v.getClass();
        if (k.isArray()) {
            b.append('[');
            for (int i = 0, n = Array.getLength(v); i < n; i++) {
                if (i > 0) b.append(',');
                put(b, Array.get(v, i), depth + 1);
            }
            b.append(']');
            return;
        }
        if (k.getName().startsWith("org.javatuples.")) {
            try {
                Method toList = k.getMethod("toList");
                b.append("{\"$tuple\":[");
                items(b, (Iterable<?>) toList.invoke(v), depth);
                b.append("]}");
                return;
            } catch (ReflectiveOperationException | ClassCastException e) {
                // not a tuple after all: reported as an object below
            }
        }
        b.append("{\"$object\":");
        string(b, k.getName());
        b.append('}');
    }
}
"""


def _steps(tests: str) -> tuple[str, str, list[str], list[tuple[str, str, str]]]:
    """``(text up to main's brace, text from main's closing brace, statements,
    (actual, operator, expected) triples)``; the operator is ``==`` or ``equals``."""
    masked = mask(tests, "java")
    start, brace, end = block(tests, masked, _TEST_MAIN)
    steps, found = [], []
    for piece, mpiece in statements(tests[brace + 1:end], masked[brace + 1:end]):
        inner = call_args(piece, mpiece, _ASSERT)
        if inner is None:
            raise ValueError(f"not an assert(...) in main: {piece.strip()[:200]}")
        triple = _comparison(inner)
        found.append(triple)
        steps.append(f"DjValues.emit({triple[0]});")
    if not found:
        raise ValueError("no assert(...) in the test block's main")
    return tests[:brace + 1], tests[end:], steps, found


def _comparison(inner: str) -> tuple[str, str, str]:
    sides = split_top(inner, "==", "java")
    if len(sides) == 2 and sides[0].strip() and sides[1].strip():
        return sides[0].strip(), "==", sides[1].strip()
    if len(sides) == 1:
        text = inner.strip()
        masked = mask(text, "java")
        depth = 0
        for i, ch in enumerate(masked):
            depth += ch in "([{"
            depth -= ch in ")]}"
            m = _EQUALS.match(masked, i) if depth == 0 and ch == "." else None
            if m and close(masked, m.end() - 1) == len(text) - 1 and text[:i].strip():
                return text[:i].strip(), "equals", text[m.end():-1].strip()
    raise ValueError(f"not an assert(ACTUAL == EXPECTED) or assert(ACTUAL.equals(EXPECTED)): "
                     f"{inner.strip()[:200]}")


def comparisons(test_block: str) -> list[tuple[str, str, str]]:
    """``(actual, operator, expected)`` of each assertion; the operator is ``==`` (numbers
    and booleans compare by value) or ``equals`` (type and value, floats bit for bit).

    >>> comparisons("    }\\n    public static void main(String[] args) {\\n"
    ...             "    assert(f((1l)) == (2l));\\n    assert(g(\\"a\\").equals((Optional.of(\\"b\\"))));\\n    }\\n}\\n")
    [('f((1l))', '==', '(2l)'), ('g("a")', 'equals', '(Optional.of("b"))')]
    """
    return _steps(test_block)[3]


def assertions(test_block: str) -> list[tuple[str, str]]:
    """The ``(actual, expected)`` expressions of a MultiPL-E Java test block, in order."""
    return [(a, e) for a, _, e in comparisons(test_block)]


def assert_program(code: str, tests: str) -> str:
    """The solution and the test block with ``main``'s asserts turned into emits."""
    try:
        head, tail, steps, _ = _steps(tests)
    except ValueError:
        # An unreadable block emits nothing; the judges report it (SE), not the program.
        masked = mask(tests, "java")
        found = _TEST_MAIN.search(masked)
        if found is None:
            return f"{code}\n{tests}\n"
        head, tail, steps = tests[:found.end()], tests[close(masked, found.end() - 1):], []
    body = "".join(f"        {s}\n" for s in steps)
    return f"{code}\n{head}\n{body}    {tail}\n"


def top_level_classes(code: str) -> list[tuple[str, bool, bool]]:
    """``(name, public, declares main)`` of each top-level class, in order.

    >>> top_level_classes('class A { static class B { public static void main(String[] a) {} } }\\n'
    ...                   'public class Main { public static void main(String[] x) {} }')
    [('A', False, True), ('Main', True, True)]
    """
    text = _NOISE.sub(lambda m: " " * len(m.group()), code)   # same offsets, no strings
    found, depth, at = [], 0, 0
    start, main = -1, False
    for m in _CLASS.finditer(text):
        depth += text.count("{", at, m.start()) - text.count("}", at, m.start())
        at = m.start()
        if depth:
            continue
        if start < m.end():
            # Headers that share one brace share its body: it is read once (``class A``
            # ten thousand times before one ``{`` read the rest of the text each time).
            start = text.find("{", m.end())
            if start < 0:
                break
            level, end = 0, len(text)
            for i in range(start, len(text)):
                level += {"{": 1, "}": -1}.get(text[i], 0)
                if level == 0:
                    end = i
                    break
            main = bool(_MAIN.search(text, start, end))
        found.append((m.group(2), bool(m.group(1)), main))
    return found


class Java(Language):
    name = "java"
    aliases = ("java17", "java11", "java8")
    tools = ("javac", "java")
    package = "default-jdk-headless"
    keep = ("*.class",)
    address_space = False
    processes = 64          # the JVM's own threads (GC, compiler, finaliser, signals …)

    def source(self, code: str, mode: str, call: str) -> Source:
        text = assert_program(code, call) if mode == "assert" else code
        classes = top_level_classes(text)
        public = [name for name, pub, _ in classes if pub]
        mains = [name for name, _, has_main in classes if has_main]
        file = f"{public[0] if public else 'Main'}.java"
        main = (public if public and public[0] in mains else mains or public or ["Main"])[0]
        files = {file: text}
        flags = ()
        if mode == "assert":
            files["DjValues.java"] = _EMITTER
            flags = ("-ea",)            # the solution's own asserts, as MultiPL-E runs them
        return Source(files, ("java", "-Xmx{mem}m", "-Xss64m", *_JVM, *flags,
                              "-cp", "{bin}", main))

    def compile_commands(self, pch: str | None) -> tuple[tuple[str, ...], ...]:
        return (("javac", "-J-Xmx512m", *(f"-J{f}" for f in _JVM), "-encoding", "UTF-8",
                 "-nowarn", "-d", ".", "@sources"),)

    def error_type(self, stderr: str, outcome: Outcome) -> str | None:
        if outcome.exit_code == 0 and outcome.signal is None:
            return None
        if "java.lang.OutOfMemoryError" in stderr:
            return "MemoryError"
        if "java.lang.AssertionError" in stderr:
            return "AssertionError"
        m = re.search(r"Exception in thread \"main\" ([\w.$]+)", stderr)
        return m.group(1).rsplit(".", 1)[-1] if m else None


register(Java())
