"""The Rust harness of a ``function`` problem: the solution and a generated ``fn main``.

LeetCode's Rust is ``impl Solution { pub fn two_sum(…) }`` without the ``struct Solution;``
the judge declares: it is added when the solution has the ``impl`` but not the ``struct``.
The harness (module ``dj_fn``, every path fully qualified, so no item or macro of the
solution can stand in for one) reads each argument by the signature's type through the
``FromJson`` trait (``i32``, ``i64``, ``f64``, ``bool``, ``char``, ``String``, ``Vec`` of these),
passes it as the signature does (by value, ``&`` or ``&mut``), calls ``Solution::NAME(…)``
(``Solution.NAME(…)`` for a method taking ``self``) or a free ``NAME(…)``, and writes the
value it returns through ``ToJson`` (every integer and float type, ``bool``, ``char``,
strings, vectors, slices and arrays of these). The name called is the signature's, or the
snake_case form of the entry point when that is what the solution defines.

>>> from pipeline.sandbox.languages.function.signature import parse
>>> sig = parse("pub fn two_sum(nums: Vec<i32>, target: i32) -> Vec<i32>", "twoSum")
>>> text = source("impl Solution {\\n    pub fn two_sum(nums: Vec<i32>, target: i32) -> Vec<i32> "
...               "{ vec![] }\\n}", sig, "twoSum").files["main.rs"]
>>> "struct Solution;" in text, "Solution::two_sum(a0, a1)" in text
(True, True)
"""

from __future__ import annotations

import re

from .. import Source
from ..syntax import mask
from .signature import Signature, snake, spell

RUNTIME = r"""
#[allow(dead_code)]
mod dj_fn {
    pub struct Input {
        s: ::std::vec::Vec<u8>,
        at: usize,
    }

    pub fn fail(what: &str, at: usize) -> ! {
        ::std::eprintln!("daskjudge harness: {} (byte {})", what, at);
        ::std::process::exit(3)
    }

    impl Input {
        pub fn stdin() -> Input {
            use ::std::io::Read;
            let mut s = ::std::vec::Vec::new();
            let _ = ::std::io::stdin().read_to_end(&mut s);
            Input { s, at: 0 }
        }

        pub fn peek(&mut self) -> u8 {
            while self.at < self.s.len() && b" \n\r\t".contains(&self.s[self.at]) {
                self.at += 1;
            }
            if self.at < self.s.len() { self.s[self.at] } else { 0 }
        }

        pub fn expect(&mut self, c: u8) {
            if self.peek() != c {
                fail("unexpected character", self.at);
            }
            self.at += 1;
        }

        fn token(&mut self) -> ::std::string::String {
            self.peek();
            let from = self.at;
            while self.at < self.s.len()
                && (self.s[self.at].is_ascii_alphanumeric() || b"+-.".contains(&self.s[self.at]))
            {
                self.at += 1;
            }
            if from == self.at {
                fail("expected a value", self.at);
            }
            ::std::string::String::from_utf8_lossy(&self.s[from..self.at]).into_owned()
        }

        fn hex4(&mut self) -> u32 {
            if self.at + 4 > self.s.len() {
                fail("short \\u escape", self.at);
            }
            let text = ::std::str::from_utf8(&self.s[self.at..self.at + 4]).unwrap_or("x");
            let v = u32::from_str_radix(text, 16).unwrap_or_else(|_| fail("bad \\u escape", self.at));
            self.at += 4;
            v
        }

        pub fn string(&mut self) -> ::std::string::String {
            self.expect(b'"');
            let mut out: ::std::vec::Vec<u8> = ::std::vec::Vec::new();
            loop {
                if self.at >= self.s.len() {
                    fail("unterminated string", self.at);
                }
                let c = self.s[self.at];
                self.at += 1;
                if c == b'"' {
                    return ::std::string::String::from_utf8(out)
                        .unwrap_or_else(|_| fail("not UTF-8", self.at));
                }
                if c != b'\\' {
                    out.push(c);
                    continue;
                }
                if self.at >= self.s.len() {
                    fail("unterminated string", self.at);
                }
                let e = self.s[self.at];
                self.at += 1;
                let ch: char = match e {
                    b'"' => '"',
                    b'\\' => '\\',
                    b'/' => '/',
                    b'b' => '\u{8}',
                    b'f' => '\u{c}',
                    b'n' => '\n',
                    b'r' => '\r',
                    b't' => '\t',
                    b'u' => {
                        let mut v = self.hex4();
                        if (0xD800..0xDC00).contains(&v) && self.s[self.at..].starts_with(b"\\u") {
                            self.at += 2;
                            let low = self.hex4();
                            v = 0x10000 + ((v - 0xD800) << 10) + (low.wrapping_sub(0xDC00) & 0x3FF);
                        }
                        ::std::char::from_u32(v).unwrap_or_else(|| fail("bad \\u escape", self.at))
                    }
                    _ => fail("bad escape", self.at),
                };
                let mut buf = [0u8; 4];
                out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
            }
        }
    }

    pub trait FromJson: Sized {
        fn from_json(input: &mut Input) -> Self;
    }

    macro_rules! integers {
        ($($t:ty),*) => {$(
            impl FromJson for $t {
                fn from_json(input: &mut Input) -> Self {
                    let t = input.token();
                    t.parse::<$t>().unwrap_or_else(|_| fail("expected an integer", input.at))
                }
            }
        )*};
    }
    integers!(i32, i64);

    impl FromJson for f64 {
        fn from_json(input: &mut Input) -> Self {
            let t = input.token();
            match t.as_str() {
                "NaN" => f64::NAN,
                "Infinity" => f64::INFINITY,
                "-Infinity" => f64::NEG_INFINITY,
                _ => t.parse::<f64>().unwrap_or_else(|_| fail("expected a number", input.at)),
            }
        }
    }

    impl FromJson for bool {
        fn from_json(input: &mut Input) -> Self {
            match input.token().as_str() {
                "true" => true,
                "false" => false,
                _ => fail("expected a boolean", input.at),
            }
        }
    }

    impl FromJson for char {
        fn from_json(input: &mut Input) -> Self {
            let s = input.string();
            let mut chars = s.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => c,
                _ => fail("expected one character", input.at),
            }
        }
    }

    impl FromJson for ::std::string::String {
        fn from_json(input: &mut Input) -> Self {
            input.string()
        }
    }

    impl<T: FromJson> FromJson for ::std::vec::Vec<T> {
        fn from_json(input: &mut Input) -> Self {
            let mut out = ::std::vec::Vec::new();
            input.expect(b'[');
            if input.peek() == b']' {
                input.at += 1;
                return out;
            }
            loop {
                out.push(T::from_json(input));
                let c = input.peek();
                input.at += 1;
                if c == b']' {
                    return out;
                }
                if c != b',' {
                    fail("expected , or ]", input.at);
                }
            }
        }
    }

    pub trait ToJson {
        fn to_json(&self, out: &mut ::std::string::String);
    }

    macro_rules! numbers {
        ($($t:ty),*) => {$(
            impl ToJson for $t {
                fn to_json(&self, out: &mut ::std::string::String) {
                    out.push_str(&::std::string::ToString::to_string(self));
                }
            }
        )*};
    }
    numbers!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);

    fn float(f: f64, out: &mut ::std::string::String) {
        if f.is_nan() {
            out.push_str("NaN");
        } else if f.is_infinite() {
            out.push_str(if f > 0.0 { "Infinity" } else { "-Infinity" });
        } else {
            out.push_str(&::std::format!("{:?}", f));    // shortest text that reads back exactly
        }
    }

    impl ToJson for f64 {
        fn to_json(&self, out: &mut ::std::string::String) {
            float(*self, out);
        }
    }

    impl ToJson for f32 {
        fn to_json(&self, out: &mut ::std::string::String) {
            float(*self as f64, out);
        }
    }

    impl ToJson for bool {
        fn to_json(&self, out: &mut ::std::string::String) {
            out.push_str(if *self { "true" } else { "false" });
        }
    }

    impl ToJson for str {
        fn to_json(&self, out: &mut ::std::string::String) {
            out.push('"');
            for c in self.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    c if (c as u32) < 0x20 => out.push_str(&::std::format!("\\u{:04x}", c as u32)),
                    c => out.push(c),
                }
            }
            out.push('"');
        }
    }

    impl ToJson for char {
        fn to_json(&self, out: &mut ::std::string::String) {
            let mut buf = [0u8; 4];
            self.encode_utf8(&mut buf).to_json(out);
        }
    }

    impl ToJson for ::std::string::String {
        fn to_json(&self, out: &mut ::std::string::String) {
            self.as_str().to_json(out);
        }
    }

    impl<T: ToJson> ToJson for [T] {
        fn to_json(&self, out: &mut ::std::string::String) {
            out.push('[');
            for (i, x) in self.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                x.to_json(out);
            }
            out.push(']');
        }
    }

    impl<T: ToJson> ToJson for ::std::vec::Vec<T> {
        fn to_json(&self, out: &mut ::std::string::String) {
            self.as_slice().to_json(out);
        }
    }

    impl<T: ToJson, const N: usize> ToJson for [T; N] {
        fn to_json(&self, out: &mut ::std::string::String) {
            self.as_slice().to_json(out);
        }
    }

    impl<T: ToJson + ?Sized> ToJson for &T {
        fn to_json(&self, out: &mut ::std::string::String) {
            (**self).to_json(out);
        }
    }

    pub fn emit<T: ToJson + ?Sized>(value: &T) {
        use ::std::io::Write;
        use ::std::os::unix::io::FromRawFd;
        let mut text = ::std::string::String::new();
        value.to_json(&mut text);
        text.push('\n');
        let mut out = ::std::mem::ManuallyDrop::new(unsafe { ::std::fs::File::from_raw_fd(3) });
        if out.write_all(text.as_bytes()).is_err() {
            fail("the result could not be written", 0);     // the channel was taken away
        }
    }
}
"""

_MAIN = re.compile(r"\bfn\s+main\s*\(\s*\)")


def source(code: str, sig: Signature, entry_point: str) -> Source:
    masked = mask(code, "rust")
    out, at = [], 0
    for m in _MAIN.finditer(masked):           # the harness has the one main
        out += [code[at:m.start()], "fn dj_solution_main()"]
        at = m.end()
    code = "".join(out) + code[at:]
    name = sig.name if sig.language == "rust" else entry_point
    for candidate in (entry_point, snake(entry_point)):
        if re.search(rf"\bfn\s+{re.escape(candidate)}\s*[<(]", masked):
            name = candidate
            break
    lines = ["fn main() {", "    let mut dj_in = dj_fn::Input::stdin();", "    dj_in.expect(b'[');"]
    args = []
    for i, p in enumerate(sig.params):
        if i:
            lines.append("    dj_in.expect(b',');")
        lines.append(f"    #[allow(unused_mut)]\n    let mut a{i}: {spell(sig, p.type, 'rust')} = "
                     f"dj_fn::FromJson::from_json(&mut dj_in);")
        args.append(f"{p.ref if sig.language == 'rust' else ''}a{i}")
    lines.append("    dj_in.expect(b']');")
    call = f"{name}({', '.join(args)})"
    extra = ""
    if re.search(r"\bimpl\s+Solution\b", masked):
        takes_self = re.search(rf"\bfn\s+{re.escape(name)}\s*\(\s*&?\s*(?:mut\s+)?self\b", masked)
        call = f"Solution{'.' if takes_self else '::'}{call}"
        if not re.search(r"\bstruct\s+Solution\b", masked):
            extra = "\nstruct Solution;\n"
    lines += [f"    let dj_out = {call};", "    dj_fn::emit(&dj_out);", "}"]
    text = code + "\n" + extra + RUNTIME + "\n".join(lines) + "\n"
    return Source({"main.rs": text}, ("{bin}/main",))
