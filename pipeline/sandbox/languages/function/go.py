"""The Go harness of a ``function`` problem: the solution as ``main.go`` and ``dj_main.go``.

The solution goes in package ``main`` (LeetCode's Go has no package clause; one is added,
or renamed to ``main``), and a ``func main()`` of its own is renamed out of the way. The
harness declares each argument with the signature's Go type and fills it by reflection
(integers of any width, ``float64``, ``bool``, ``string``, ``byte`` and ``rune`` from one-
character strings, slices of these), calls ``NAME(…)`` or, when the solution gives
``Solution`` the method, ``new(Solution).NAME(…)``, and writes the value it returns, again by
reflection: ``byte`` and ``rune`` are characters (LeetCode's ``[][]byte`` boards), other
integers numbers.

>>> from pipeline.sandbox.languages.function.signature import parse
>>> src = source("func f(a []int) int { return len(a) }", parse("func f(a []int) int", "f"), "f")
>>> src.files["main.go"].splitlines()[0], "djEmit(f(a0))" in src.files["dj_main.go"]
('package main', True)
"""

from __future__ import annotations

import re

from .. import Source
from ..syntax import mask
from .signature import UNSERIALISABLE, Signature, spell

_PACKAGE = re.compile(r"^\s*package\s+\w+", re.M)
_MAIN = re.compile(r"\bfunc\s+main\s*\(\s*\)")

HARNESS = r"""package main

import (
	"math"
	"os"
	"reflect"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

type djIn struct {
	s  []byte
	at int
}

func djFail(what string, at int) {
	os.Stderr.WriteString("daskjudge harness: " + what + " (byte " + strconv.Itoa(at) + ")\n")
	os.Exit(3)
}

func (in *djIn) peek() byte {
	for in.at < len(in.s) && (in.s[in.at] == ' ' || in.s[in.at] == '\n' || in.s[in.at] == '\t' || in.s[in.at] == '\r') {
		in.at++
	}
	if in.at < len(in.s) {
		return in.s[in.at]
	}
	return 0
}

func (in *djIn) expect(c byte) {
	if in.peek() != c {
		djFail("unexpected character", in.at)
	}
	in.at++
}

func (in *djIn) token() string {
	in.peek()
	from := in.at
	for in.at < len(in.s) {
		c := in.s[in.at]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '+' || c == '.') {
			break
		}
		in.at++
	}
	if from == in.at {
		djFail("expected a value", in.at)
	}
	return string(in.s[from:in.at])
}

func (in *djIn) hex4() rune {
	if in.at+4 > len(in.s) {
		djFail("short \\u escape", in.at)
	}
	v, err := strconv.ParseUint(string(in.s[in.at:in.at+4]), 16, 32)
	if err != nil {
		djFail("bad \\u escape", in.at)
	}
	in.at += 4
	return rune(v)
}

func (in *djIn) str() string {
	in.expect('"')
	var out []byte
	for {
		if in.at >= len(in.s) {
			djFail("unterminated string", in.at)
		}
		c := in.s[in.at]
		in.at++
		if c == '"' {
			return string(out)
		}
		if c != '\\' {
			out = append(out, c)
			continue
		}
		if in.at >= len(in.s) {
			djFail("unterminated string", in.at)
		}
		e := in.s[in.at]
		in.at++
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r := in.hex4()
			if utf16.IsSurrogate(r) && in.at+1 < len(in.s) && in.s[in.at] == '\\' && in.s[in.at+1] == 'u' {
				in.at += 2
				r = utf16.DecodeRune(r, in.hex4())
			}
			out = utf8.AppendRune(out, r)
		default:
			djFail("bad escape", in.at)
		}
	}
}

func (in *djIn) read(v reflect.Value) {
	switch v.Kind() {
	case reflect.Slice:
		in.expect('[')
		if in.peek() == ']' {
			in.at++
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
			return
		}
		for {
			x := reflect.New(v.Type().Elem()).Elem()
			in.read(x)
			v.Set(reflect.Append(v, x))
			c := in.peek()
			in.at++
			if c == ']' {
				return
			}
			if c != ',' {
				djFail("expected , or ]", in.at)
			}
		}
	case reflect.String:
		v.SetString(in.str())
	case reflect.Uint8, reflect.Int32:
		r := []rune(in.str())
		if len(r) != 1 || (v.Kind() == reflect.Uint8 && r[0] > 127) {
			djFail("expected one character", in.at)
		}
		if v.Kind() == reflect.Uint8 {
			v.SetUint(uint64(r[0]))
		} else {
			v.SetInt(int64(r[0]))
		}
	case reflect.Bool:
		switch in.token() {
		case "true":
			v.SetBool(true)
		case "false":
			v.SetBool(false)
		default:
			djFail("expected a boolean", in.at)
		}
	case reflect.Int, reflect.Int64:
		n, err := strconv.ParseInt(in.token(), 10, v.Type().Bits())
		if err != nil {
			djFail("expected an integer", in.at)
		}
		v.SetInt(n)
	case reflect.Float64:
		t := in.token()
		var f float64
		switch t {
		case "NaN":
			f = math.NaN()
		case "Infinity":
			f = math.Inf(1)
		case "-Infinity":
			f = math.Inf(-1)
		default:
			var err error
			if f, err = strconv.ParseFloat(t, 64); err != nil {
				djFail("expected a number", in.at)
			}
		}
		v.SetFloat(f)
	default:
		djFail("unsupported parameter type "+v.Type().String(), in.at)
	}
}

func djString(out []byte, s string) []byte {
	out = append(out, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			out = append(out, '\\', c)
		case c < 0x20:
			out = append(out, []byte("\\u00")...)
			out = append(out, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
		default:
			out = append(out, c)
		}
	}
	return append(out, '"')
}

func djPut(out []byte, v reflect.Value, depth int) ([]byte, string) {
	if depth > 200 {
		return out, "nested too deeply"
	}
	switch v.Kind() {
	case reflect.Bool:
		return strconv.AppendBool(out, v.Bool()), ""
	case reflect.Uint8:
		return djString(out, string([]byte{byte(v.Uint())})), ""
	case reflect.Int32:
		return djString(out, string(rune(v.Int()))), ""
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int64:
		return strconv.AppendInt(out, v.Int(), 10), ""
	case reflect.Uint, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.AppendUint(out, v.Uint(), 10), ""
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		switch {
		case math.IsNaN(f):
			return append(out, "NaN"...), ""
		case math.IsInf(f, 1):
			return append(out, "Infinity"...), ""
		case math.IsInf(f, -1):
			return append(out, "-Infinity"...), ""
		}
		return strconv.AppendFloat(out, f, 'g', -1, 64), ""
	case reflect.String:
		return djString(out, v.String()), ""
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return append(out, "[]"...), ""
		}
		out = append(out, '[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				out = append(out, ',')
			}
			var why string
			if out, why = djPut(out, v.Index(i), depth+1); why != "" {
				return out, why
			}
		}
		return append(out, ']'), ""
	}
	return out, v.Type().String()
}

func djEmit(value interface{}) {
	out, why := djPut(nil, reflect.ValueOf(value), 0)
	if why != "" {
		os.Stderr.WriteString("%(unserialisable)s" + why + "\n")
		return
	}
	if _, err := os.NewFile(3, "result").Write(append(out, '\n')); err != nil {
		djFail("the result could not be written", 0) // the channel was taken away
	}
}

func main() {
	in := &djIn{}
	buf := make([]byte, 1<<16)
	for {
		n, err := os.Stdin.Read(buf)
		in.s = append(in.s, buf[:n]...)
		if err != nil {
			break
		}
	}
	in.expect('[')
%(reads)s
	in.expect(']')
	djEmit(%(call)s)
}
"""


def source(code: str, sig: Signature, entry_point: str) -> Source:
    masked = mask(code, "go")
    found = _PACKAGE.search(masked)
    if found is None:
        code = "package main\n\n" + code
    else:
        code = code[:found.start()] + re.sub(r"package\s+\w+", "package main",
                                             code[found.start():found.end()]) + code[found.end():]
    code = _rename_main(code)
    reads, args = [], []
    for i, p in enumerate(sig.params):
        if i:
            reads.append("\tin.expect(',')")
        reads += [f"\tvar a{i} {spell(sig, p.type, 'go')}", f"\tin.read(reflect.ValueOf(&a{i}).Elem())"]
        args.append(f"a{i}")
    call = f"{entry_point}({', '.join(args)})"
    method = re.compile(rf"\bfunc\s*\(\s*\w*\s*\*?\s*Solution\s*\)\s*{re.escape(entry_point)}\s*\(")
    if method.search(mask(code, "go")):
        call = f"new(Solution).{call}"              # a fresh value per test
    harness = HARNESS % {"reads": "\n".join(reads), "call": call,
                         "unserialisable": UNSERIALISABLE}
    return Source({"main.go": code, "dj_main.go": harness}, ("{bin}/main",),
                  compile=(("go", "build", "-o", "main", "main.go", "dj_main.go"),))


def _rename_main(code: str) -> str:
    """The solution with a ``func main()`` of its own renamed (the harness has the one)."""
    masked = mask(code, "go")
    out, at = [], 0
    for m in _MAIN.finditer(masked):
        out += [code[at:m.start()], "func djSolutionMain()"]
        at = m.end()
    return "".join(out) + code[at:]
